/**
 * A per-process bound on how many established connections may run quiche's loss timer (probe timeout or
 * time-threshold loss) per second. When one side of a 50,000-connection run falls behind on reading (a GC window,
 * a burst), the other side's probe timers fire on thousands of connections at once; each probe is more work for
 * the side that is already behind, which then falls further behind: the 50k collapse (issue 12, probe storm).
 * Over the budget a connection's timer waits RETRY_MS and asks again, as if this process had been busy that long:
 * the ACK that makes the probe unnecessary may arrive meanwhile. Experimental: off unless GAROU_LOSS_TIMER_BUDGET
 * (timers per second) is set.
 */

/** How long a loss timer over the budget waits before asking again, ms. */
export const LOSS_TIMER_RETRY_MS = 25;

/** A token bucket: `rate` per second, holding at most one second's worth. */
export class LossTimerBudget {
  private tokens: number;
  private lastMs = -Infinity;

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  /** True when a loss timer may run at `nowMs` (and spends one token). */
  take(nowMs: number): boolean {
    if (this.lastMs !== -Infinity)
      this.tokens = Math.min(this.rate, this.tokens + ((nowMs - this.lastMs) * this.rate) / 1000);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const configured = Number(process.env.GAROU_LOSS_TIMER_BUDGET ?? '');

/** The process's budget, or null (no bound) when GAROU_LOSS_TIMER_BUDGET is unset. */
export const processLossTimerBudget: LossTimerBudget | null =
  Number.isFinite(configured) && configured > 0 ? new LossTimerBudget(configured) : null;
