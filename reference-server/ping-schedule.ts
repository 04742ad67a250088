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
