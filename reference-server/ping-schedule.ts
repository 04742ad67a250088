/**
 * When each authenticated connection gets its next keep-alive Ping (PROTOCOL.md 12/server-ping), without looking
 * at the connections that are not due.
 *
 * Every connection waits the same interval after AuthOk or its last Ping, so due times arrive in the order the
 * connections were scheduled: an insertion-ordered Map is a FIFO queue with O(1) removal, and each tick touches
 * only the connections it pings. (Walking every session every 250 ms cost O(n) per tick at 20,000 clients.)
 */

/** Due times of keep-alive pings, earliest first. */
export class PingSchedule<K> {
  private readonly dueAt = new Map<K, number>();

  /** Number of scheduled connections. */
  get size(): number {
    return this.dueAt.size;
  }

  /** Schedules (or moves) `key` to `at`; callers pass non-decreasing times (now + a fixed interval). */
  schedule(key: K, at: number): void {
    this.dueAt.delete(key);
    this.dueAt.set(key, at);
  }

  /** Forgets `key` (connection closed). */
  remove(key: K): void {
    this.dueAt.delete(key);
  }

  /** Removes and returns the keys due at `now`, earliest first. */
  takeDue(now: number): K[] {
    const due: K[] = [];
    for (const [key, at] of this.dueAt) {
      if (at > now) break;
      due.push(key);
    }
    for (const key of due) this.dueAt.delete(key);
    return due;
  }
}

/** A connection the keep-alive can ping (ConnectionSession). */
export interface KeepAliveTarget {
  /** A frame went to or came from the client since the last check (keep-alive Ping/Pong aside). */
  trafficSinceKeepAlive: boolean;
  /** Sends the keep-alive Ping. */
  ping(now: number): void;
}

/**
 * The keep-alive of all authenticated connections (PROTOCOL.md 12/server-ping): each is checked every interval
 * from its AuthOk on, and pinged only when it carried no traffic since its previous check, so that busy clients
 * cost no Ping, Pong and acknowledgement (three packets) per interval.
 */
export class KeepAlive<K extends KeepAliveTarget> {
  private readonly schedule = new PingSchedule<K>();

  constructor(private readonly intervalMs: number) {}

  /** Starts checking `target` one interval from `now` (AuthOk). */
  start(target: K, now: number): void {
    this.schedule.schedule(target, now + this.intervalMs);
  }

  /** Stops checking `target` (connection closed). */
  stop(target: K): void {
    this.schedule.remove(target);
  }

  /** Runs the checks due at `now`. */
  tick(now: number): void {
    for (const target of this.schedule.takeDue(now)) {
      if (target.trafficSinceKeepAlive) target.trafficSinceKeepAlive = false;
      else target.ping(now);
      this.schedule.schedule(target, now + this.intervalMs);
    }
  }
}
