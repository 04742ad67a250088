import { describe, expect, it } from 'vitest';
import { SlicedSweep } from '../../../harness/runner/sliced-sweep.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SlicedSweep', () => {
  it('visits one slice per loop turn, every item once, then calls done once', async () => {
    const visited: number[] = [];
    let done = 0;
    const sweep = new SlicedSweep<number>(
      (n) => visited.push(n),
      () => done++,
      4,
    );
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(sweep.start(items)).toBe(true);
    // The first slice runs at once, the rest after I/O had its turn.
    expect(visited).toEqual([0, 1, 2, 3]);
    expect(sweep.busy).toBe(true);
    await nextTurn();
    expect(visited).toHaveLength(8);
    expect(done).toBe(0);
    await nextTurn();
    expect(visited).toEqual(items);
    expect(done).toBe(1);
    expect(sweep.busy).toBe(false);
  });

  it('does not start a second sweep while one is under way, and starts again after it', async () => {
    let visits = 0;
    const sweep = new SlicedSweep<number>(
      () => visits++,
      () => undefined,
      2,
    );
    expect(sweep.start([1, 2, 3])).toBe(true);
    expect(sweep.start([1, 2, 3])).toBe(false);
    await nextTurn();
    expect(visits).toBe(3);
    expect(sweep.start([1])).toBe(true);
    expect(visits).toBe(4);
  });

  it('visits items appended while the sweep runs', async () => {
    const visited: number[] = [];
    const sweep = new SlicedSweep<number>(
      (n) => visited.push(n),
      () => undefined,
      2,
    );
    const items = [1, 2, 3];
    sweep.start(items);
    items.push(4, 5);
    await nextTurn();
    await nextTurn();
    expect(visited).toEqual([1, 2, 3, 4, 5]);
  });

  it('stop abandons the sweep without calling done', async () => {
    const visited: number[] = [];
    let done = 0;
    const sweep = new SlicedSweep<number>(
      (n) => visited.push(n),
      () => done++,
      2,
    );
    sweep.start([1, 2, 3, 4]);
    sweep.stop();
    await nextTurn();
    await nextTurn();
    expect(visited).toEqual([1, 2]);
    expect(done).toBe(0);
    expect(sweep.busy).toBe(false);
  });

  it('refuses a slice size below 1', () => {
    expect(
      () =>
        new SlicedSweep<number>(
          () => undefined,
          () => undefined,
          0,
        ),
    ).toThrow(/sliceSize/);
  });
});
