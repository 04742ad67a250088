/**
 * Runs a traffic plan in real time: each planned operation is handed over when its time comes, within a
 * fraction of a millisecond (open model: operations start on schedule whether or not earlier ones finished).
 */
import { epochNowMs } from '../metrics/clock.js';
import type { PlannedOperation, TrafficPlan } from './traffic-plan.js';

/** Hands the operations of a traffic plan to `perform` at their times, until the plan ends or `stop`. */
export class TrafficPump {
  private plan: TrafficPlan | null;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    plan: TrafficPlan,
    private readonly perform: (op: PlannedOperation) => void,
  ) {
    this.plan = plan;
  }

  /** Performs the operations that are due and waits for the next one. */
  readonly pump = (): void => {
    this.timer = null;
    this.immediate = null;
    const plan = this.plan;
    if (plan === null) return;
    const now = epochNowMs();
    for (;;) {
      const at = plan.peekTime();
      if (at === undefined) {
        this.plan = null;
        return;
      }
      if (at > now) {
        this.arm(at - now);
        return;
      }
      this.perform(plan.next() as PlannedOperation);
    }
  };

  /** Performs nothing more. */
  stop(): void {
    this.plan = null;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /**
   * Wakes up for the next operation: a timer to about 1 ms before it (timers are late by up to a
   * millisecond), then immediates, so operations start within a fraction of a millisecond of their time.
   */
  private arm(delayMs: number): void {
    if (delayMs > 2) {
      this.timer = setTimeout(this.pump, Math.floor(delayMs) - 1);
    } else {
      this.immediate = setImmediate(this.pump);
    }
  }
}
