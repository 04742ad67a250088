import { describe, expect, it } from 'vitest';
import { LossTimerBudget } from '../../transport/loss-timer-budget.js';

describe('LossTimerBudget', () => {
  it('lets a second of timers through at once, then refills at the rate', () => {
    const budget = new LossTimerBudget(100);
    let allowed = 0;
    for (let i = 0; i < 1000; i++) if (budget.take(1000)) allowed++;
    expect(allowed).toBe(100);
    expect(budget.take(1000)).toBe(false);
    // 50 ms later: 5 more.
    allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.take(1050)) allowed++;
    expect(allowed).toBe(5);
    // Never more than a second's worth, however long it was idle.
    allowed = 0;
    for (let i = 0; i < 1000; i++) if (budget.take(100_000)) allowed++;
    expect(allowed).toBe(100);
  });
});
