/**
 * One timer for the switch-reorder holds of many clients (see room-switch-order.ts): clients with held
 * messages register here, and the timer releases what has waited long enough. Switches are rare, so the
 * set is usually empty and the timer stopped.
 */
import { epochNowMs } from '../metrics/clock.js';

/** Something that holds messages until a deadline. */
export interface HoldOwner {
  /** Releases what is due; returns the next deadline (epoch ms), or Infinity when nothing is held any more. */
  releaseHolds(nowMs: number): number;
}

/** Polls registered hold owners every `intervalMs` while any is registered. */
export class HoldTimer {
  private readonly owners = new Set<HoldOwner>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 10) {}

  /** Registers an owner with held messages (idempotent). */
  watch(owner: HoldOwner): void {
    this.owners.add(owner);
    if (this.timer === null) {
      this.timer = setInterval(this.poll, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Forgets an owner (its connection closed). */
  unwatch(owner: HoldOwner): void {
    this.owners.delete(owner);
    if (this.owners.size === 0) this.stop();
  }

  /** Stops the timer (owners stay registered; `watch` restarts it). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private readonly poll = (): void => {
    const now = epochNowMs();
    for (const owner of this.owners) {
      if (owner.releaseHolds(now) === Infinity) this.owners.delete(owner);
    }
    if (this.owners.size === 0) this.stop();
  };
}
