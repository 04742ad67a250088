/**
 * Limits of the unauthenticated phase (PROTOCOL.md 17/handshake-deadline, 17/unauthenticated-cap, our decisions).
 *
 * A connection counts as unauthenticated from the moment it is established until AuthOk. Such connections are
 * capped per source address and overall (at most max_unauthenticated, and at most half of max_connections so that
 * the transport never refuses a newcomer because of them); when a cap is reached, the oldest unauthenticated
 * connection (of that address, or overall) is evicted to admit the new one. Every unauthenticated connection must
 * reach AuthOk within the handshake deadline. An honest client needs a few round trips for Hello and Auth, so it is
 * never the oldest for long: a flood of idle connections cannot lock it out.
 */

/** What admission needs of a connection: to end it. */
export interface Evictable {
  /** Ends the connection because it did not authenticate in time or was evicted. */
  expireHandshake(reason: string): void;
}

interface Entry {
  readonly connection: Evictable;
  readonly address: string;
  readonly since: number;
}

/** Limits applied to unauthenticated connections. */
export interface AdmissionLimits {
  readonly deadlineMs: number;
  readonly maxTotal: number;
  readonly maxPerAddress: number;
}

/** The unauthenticated connections, oldest first, with the per-address counts. */
export class HandshakeAdmission {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly waiting = new Map<Evictable, Entry>();
  private readonly perAddress = new Map<string, number>();
  private readonly maxTotal: number;

  constructor(
    private readonly limits: AdmissionLimits,
    maxConnections: number,
  ) {
    this.maxTotal = Math.max(1, Math.min(limits.maxTotal, Math.floor(maxConnections / 2)));
  }

  /** Unauthenticated connections now. */
  get size(): number {
    return this.waiting.size;
  }

  /** A new connection from `address` at `now`: evicts the oldest ones it would push over a cap, then counts it. */
  admit(connection: Evictable, address: string, now: number): void {
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxPerAddress) {
      for (const entry of this.waiting.values()) {
        if (entry.address !== address) continue;
        this.evict(
          entry,
          `more than ${this.limits.maxPerAddress} unauthenticated connections from one address`,
        );
        break;
      }
    }
    if (this.waiting.size >= this.maxTotal) {
      const oldest = this.waiting.values().next().value;
      if (oldest) this.evict(oldest, `more than ${this.maxTotal} unauthenticated connections`);
    }
    this.waiting.set(connection, { connection, address, since: now });
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
  }

  /** The connection authenticated or closed: it no longer counts. */
  leave(connection: Evictable): void {
    const entry = this.waiting.get(connection);
    if (!entry) return;
    this.waiting.delete(connection);
    const count = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (count === 0) this.perAddress.delete(entry.address);
    else this.perAddress.set(entry.address, count);
  }

  /** Ends every connection whose deadline has passed (oldest first, so the scan stops at the first in time). */
  expire(now: number): void {
    for (const entry of this.waiting.values()) {
      if (now - entry.since < this.limits.deadlineMs) return;
      this.evict(entry, `no AuthOk within the handshake deadline of ${this.limits.deadlineMs} ms`);
    }
  }

  private evict(entry: Entry, reason: string): void {
    this.leave(entry.connection);
    entry.connection.expireHandshake(reason);
  }
}
