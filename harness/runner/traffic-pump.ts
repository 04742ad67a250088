/**
 * Runs a traffic plan in real time: each planned operation is handed over when its time comes (open model:
 * operations start on schedule whether or not earlier ones finished).
 *
 * Waking up: a timer for the next operation (libuv timers have millisecond resolution), and, between timers,
 * `nudge` from the worker's per-delivery path: a loaded harness handles packets every few tens of microseconds,
 * so an operation that fell due meanwhile starts at the next loop turn instead of up to a millisecond later at
 * its timer. There is no busy wait: the pump used to poll with setImmediate for the last 2 ms before each
 * operation, which at 1,000 operations/s (mean gap 1 ms) kept the event loop spinning all the time (a third of a
 * core on an otherwise idle loop, a fifth of the harness's CPU in the 20k-client scale run). The price: on an
 * idle harness an operation may start up to about a millisecond late (measured as schedule_lag, and counted in
 * the latencies, which run from the scheduled time).
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
    this.clearWakeUps();
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
        this.arm(at, now);
        return;
      }
      this.perform(plan.next() as PlannedOperation);
    }
  };

  /**
   * The caller is awake anyway at `nowMs` (it handles a packet): if the next operation is due, it starts at the
   * next loop turn (not from inside the caller's callback), instead of at its timer.
   */
  nudge(nowMs: number): void {
    if (this.immediate !== null || this.plan === null) return;
    const at = this.plan.peekTime();
    if (at === undefined || at > nowMs) return;
    this.immediate = setImmediate(this.pump);
  }

  /** Performs nothing more. */
  stop(): void {
    this.plan = null;
    this.clearWakeUps();
  }

  private clearWakeUps(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** Wakes up for the operation due at `atMs` (a timer: no busy wait; `nudge` may start it earlier). */
  private arm(atMs: number, nowMs: number): void {
    this.timer = setTimeout(this.pump, Math.max(1, Math.ceil(atMs - nowMs)));
  }
}
