import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../../transport/deadline-queue.js';
import type { Deadlined } from '../../transport/deadline-queue.js';

interface Item extends Deadlined {
  name: string;
}

const item = (name: string): Item => ({ name, deadline: 0, heapIndex: -1 });

describe('DeadlineQueue', () => {
  it('fires items in deadline order, once each, with one batch callback', async () => {
    const fired: string[] = [];
    let batches = 0;
    let allFired!: () => void;
    const done = new Promise<void>((resolve) => (allFired = resolve));
    const q = new DeadlineQueue<Item>(
      (i) => {
        fired.push(i.name);
        if (fired.length === 3) allFired();
      },
      () => batches++,
    );
    const now = performance.now();
    const [a, b, c] = [item('a'), item('b'), item('c')];
    q.schedule(b, now + 20);
    q.schedule(a, now + 5);
    q.schedule(c, now + 10);
    q.schedule(c, now + 1); // moved earlier
    // Wait for the third item to fire, not for a guessed delay.
    await done;
    expect(fired).toEqual(['c', 'a', 'b']);
    expect(q.size).toBe(0);
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(3);
  });

  it('does not fire cancelled items and stops with clear()', async () => {
    const fired: string[] = [];
    const q = new DeadlineQueue<Item>(
      (i) => fired.push(i.name),
      () => undefined,
    );
    const now = performance.now();
    const [a, b] = [item('a'), item('b')];
    q.schedule(a, now + 5);
    q.schedule(b, now + 5);
    q.cancel(a);
    expect(a.heapIndex).toBe(-1);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual(['b']);
    q.schedule(a, performance.now() + 5);
    q.clear();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual(['b']);
  });

  it('retarget moves a timer whose deadline moved later, so it does not fire for nothing', async () => {
    let batches = 0;
    const fired: string[] = [];
    const q = new DeadlineQueue<Item>(
      (i) => fired.push(i.name),
      () => batches++,
    );
    const a = item('a');
    const now = performance.now();
    q.schedule(a, now + 5);
    // Moved later (a loss timer made moot by an ACK): the armed timer still points at now + 5.
    q.schedule(a, now + 60);
    q.retarget(2);
    const sleep = setTimeout;
    const arms = vi.spyOn(globalThis, 'setTimeout');
    await new Promise((r) => sleep(r, 30));
    // Without retarget the timer fires at +5, finds nothing due and arms again (a wake-up for nothing).
    expect(arms).not.toHaveBeenCalled();
    arms.mockRestore();
    expect(fired).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual(['a']);
    expect(batches).toBe(1);
    // Within the slack, or with nothing queued, retarget changes nothing observable.
    q.schedule(a, performance.now() + 5);
    q.retarget(2);
    q.cancel(a);
    q.retarget(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual(['a']);
  });

  it('keeps heap order under random schedule/reschedule/cancel', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 1000 }), fc.boolean()), {
          maxLength: 400,
        }),
        (ops) => {
          const q = new DeadlineQueue<Item>(
            () => undefined,
            () => undefined,
          );
          // 100 items: a 4-ary heap three and four levels deep.
          const items = Array.from({ length: 100 }, (_, i) => item(String(i)));
          const expected = new Map<Item, number>();
          const base = performance.now() + 1e9; // far future: the timer never fires here
          for (const [index, offset, cancel] of ops) {
            const it = items[index] as Item;
            if (cancel) {
              q.cancel(it);
              expected.delete(it);
            } else {
              q.schedule(it, base + offset);
              expected.set(it, base + offset);
            }
          }
          expect(q.size).toBe(expected.size);
          // Drain through the heap's own order by cancelling the current minimum.
          const heap = (q as unknown as { heap: Item[] }).heap;
          let last = -Infinity;
          while (heap.length > 0) {
            const top = heap[0] as Item;
            expect(top.deadline).toBeGreaterThanOrEqual(last);
            expect(top.deadline).toBe(expected.get(top));
            last = top.deadline;
            q.cancel(top);
          }
          q.clear();
        },
      ),
      { numRuns: 100 },
    );
  });
});
