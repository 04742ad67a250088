/**
 * Server-wide budget of buffered partial-frame bytes (PROTOCOL.md 17/partial-frame-budget, our decision).
 *
 * Every session accounts the bytes its stream decoders hold for frames not yet complete; a session asks here before
 * it lets that amount grow. The per-connection caps are checked by the session itself; this object only holds the
 * total, so that many connections together cannot exceed it either.
 */

/** The total of partial-frame bytes buffered by all connections, with its cap. */
export class PartialFrameBudget {
  private used = 0;

  constructor(
    /** Largest total allowed. */
    readonly limit: number,
  ) {}

  /** Bytes currently accounted. */
  get usedBytes(): number {
    return this.used;
  }

  /** Accounts `bytes` more if the total stays within the limit; false (nothing accounted) otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back bytes accounted earlier. */
  release(bytes: number): void {
    this.used -= bytes;
  }
}
