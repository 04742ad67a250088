/**
 * Per-connection token bucket for chat commands (PROTOCOL.md 12, Throttle and RATE_LIMITED 1006).
 *
 * Tokens refill continuously at `ratePerSec` up to `burst`; each command takes one. Time comes from the caller.
 */

/** Outcome of asking the bucket for a token. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Thousandths of a token: with integer rates and millisecond clocks every refill is an exact integer. */
const UNIT = 1000;

/** A token bucket; a rate of 0 disables limiting (every take is allowed). */
export class TokenBucket {
  /** Tokens x UNIT, so that 1 ms at 100/s adds exactly 100 instead of a drifting 0.1. */
  private credit: number;
  private readonly capacity: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSec >= 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`ratePerSec: ${ratePerSec}`);
    if (!(burst >= 1)) throw new RangeError(`burst: ${burst}`);
    this.capacity = burst * UNIT;
    this.credit = this.capacity;
    this.updatedAt = now;
  }

  /** Takes one token at `now`, or says how long until one is available. */
  take(now: number): TakeResult {
    if (this.ratePerSec === 0) return { allowed: true };
    this.refill(now);
    if (this.credit >= UNIT) {
      this.credit -= UNIT;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((UNIT - this.credit) / this.ratePerSec) };
  }

  /** Tokens available at `now` (fractional). */
  available(now: number): number {
    if (this.ratePerSec === 0) return Infinity;
    this.refill(now);
    return this.credit / UNIT;
  }

  private refill(now: number): void {
    const elapsed = now - this.updatedAt;
    // A clock that goes backwards must not mint tokens or make them negative.
    if (elapsed <= 0) return;
    this.credit = Math.min(this.capacity, this.credit + elapsed * this.ratePerSec);
    this.updatedAt = now;
  }
}
