import { describe, expect, it } from 'vitest';
import { epochNowMs } from '../../../harness/metrics/clock.js';
import { TimerQueue } from '../../../harness/runner/timer-queue.js';

describe('TimerQueue', () => {
  it('runs callbacks in time order (ties in insertion order), not before their time', async () => {
    const queue = new TimerQueue();
    const start = epochNowMs();
    const ran: Array<[string, number]> = [];
    let allRan!: () => void;
    const done = new Promise<void>((resolve) => (allRan = resolve));
    const at = (label: string, offset: number) =>
      queue.at(start + offset, () => {
        ran.push([label, epochNowMs() - start]);
        if (ran.length === 4) allRan();
      });
    at('c', 40);
    at('a', 10);
    at('b', 10);
    at('past', -5);
    // Wait for the fourth callback itself, not for a guessed delay (a loaded machine may fire them late).
    await done;
    expect(ran.map(([label]) => label)).toEqual(['past', 'a', 'b', 'c']);
    for (const [label, elapsed] of ran) {
      const due = { past: 0, a: 10, b: 10, c: 40 }[label]!;
      expect(elapsed).toBeGreaterThanOrEqual(due - 1);
    }
    expect(queue.size).toBe(0);
  });

  it('drops everything on stop', async () => {
    const queue = new TimerQueue();
    let ran = 0;
    queue.at(epochNowMs() + 5, () => ran++);
    queue.stop();
    queue.at(epochNowMs(), () => ran++);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(0);
  });
});
