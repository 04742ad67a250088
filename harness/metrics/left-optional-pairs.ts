/**
 * Optional (message, recipient) pairs still undelivered when their message was finalized: a late delivery of
 * one is optional, not unexpected (seen under CPU load: joins that completed while a message was in flight,
 * delivered seconds later; pairs a connection close excused after their grace). Kept by the delivery tracker
 * for a few grace periods, bounded in count.
 */

/** Optional pairs remembered after their message was finalized, at most (by default). */
const DEFAULT_MAX_PAIRS = 100_000;

interface LeftPairs {
  roomId: number;
  /** When they were remembered (pairs are forgotten in that order). */
  atMs: number;
  recipients: Set<number>;
}

/** Optional pairs of finalized messages, by message id, in the order they were remembered. */
export class LeftOptionalPairs {
  private readonly byId = new Map<number, LeftPairs>();
  private pairs = 0;

  constructor(private readonly maxPairs = DEFAULT_MAX_PAIRS) {}

  /** Remembers `recipients` as optional for message `id` of `roomId` at `atMs` (never earlier than the last call). */
  add(id: number, roomId: number, atMs: number, recipients: Iterable<number>): void {
    for (const recipient of recipients) {
      if (this.pairs >= this.maxPairs) return;
      let left = this.byId.get(id);
      if (left === undefined) {
        left = { roomId, atMs, recipients: new Set() };
        this.byId.set(id, left);
      }
      if (left.recipients.has(recipient)) continue;
      left.recipients.add(recipient);
      this.pairs++;
    }
  }

  /** Forgets the pair if it is remembered; returns whether it was. */
  take(id: number, roomId: number, recipient: number): boolean {
    const left = this.byId.get(id);
    if (left === undefined || left.roomId !== roomId || !left.recipients.delete(recipient)) return false;
    if (left.recipients.size === 0) this.byId.delete(id);
    this.pairs--;
    return true;
  }

  /** Forgets the pairs remembered before `horizonMs`. */
  forgetBefore(horizonMs: number): void {
    for (const [id, left] of this.byId) {
      if (left.atMs >= horizonMs) break;
      this.byId.delete(id);
      this.pairs -= left.recipients.size;
    }
  }
}
