import { afterEach, describe, expect, it, vi } from 'vitest';
import { epochNowMs } from '../../../harness/metrics/clock.js';
import { TrafficPump } from '../../../harness/runner/traffic-pump.js';
import type { PlannedOperation, TrafficPlan } from '../../../harness/runner/traffic-plan.js';

/** A plan of `count` operations `gapMs` apart from `startMs` that counts how often it is looked at. */
function fakePlan(startMs: number, count: number, gapMs: number) {
  let index = 0;
  const plan = {
    peeks: 0,
    peekTime(): number | undefined {
      plan.peeks++;
      return index < count ? startMs + index * gapMs : undefined;
    },
    next(): PlannedOperation {
      const op = { atMs: startMs + index * gapMs, sender: index } as PlannedOperation;
      index++;
      return op;
    },
  };
  return plan;
}

let pump: TrafficPump | null = null;
afterEach(() => pump?.stop());

describe('TrafficPump', () => {
  it('performs every operation in order, never before its time, without polling in between', async () => {
    const plan = fakePlan(epochNowMs() + 5, 20, 3);
    const done: { sender: number; lateMs: number }[] = [];
    await new Promise<void>((resolve) => {
      pump = new TrafficPump(plan as unknown as TrafficPlan, (op) => {
        done.push({ sender: op.sender, lateMs: epochNowMs() - op.atMs });
        if (done.length === 20) resolve();
      });
      pump.pump();
    });
    expect(done.map((d) => d.sender)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const d of done) expect(d.lateMs).toBeGreaterThanOrEqual(0);
    // A timer per operation (and a re-arm when a timer fires early), not a spin: the busy-waiting pump looked at
    // the plan hundreds of times per operation here.
    expect(plan.peeks).toBeLessThan(4 * 20);
  });

  it('nudge starts a due operation at the next loop turn, without waiting for its timer', async () => {
    // The pump's timers never fire here: only a nudge can start the operation.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const plan = fakePlan(epochNowMs() + 5, 1, 0);
      let performed = 0;
      pump = new TrafficPump(plan as unknown as TrafficPlan, () => performed++);
      pump.pump(); // armed for +5 ms
      pump.nudge(epochNowMs()); // not due yet: nothing happens
      await new Promise((resolve) => setImmediate(resolve));
      expect(performed).toBe(0);
      const due = epochNowMs() + 6;
      while (epochNowMs() < due); // the caller is busy with packets meanwhile
      pump.nudge(epochNowMs());
      await new Promise((resolve) => setImmediate(resolve));
      expect(performed).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop cancels what is armed or nudged', async () => {
    const plan = fakePlan(epochNowMs(), 3, 0);
    let performed = 0;
    pump = new TrafficPump(plan as unknown as TrafficPlan, () => performed++);
    pump.nudge(epochNowMs());
    pump.stop();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(performed).toBe(0);
  });
});
