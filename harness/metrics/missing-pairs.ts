/**
 * Expected (message, recipient) pairs that missed their grace period and were counted lost. They are remembered,
 * up to a bound, so that a delivery arriving later is recognised as late (and the loss withdrawn) and so that a
 * membership excused afterwards can make them optional again. Beyond the bound a late arrival cannot be matched
 * and is counted unexpected instead.
 */

/** What is known about an acked message (for anomaly examples). */
export interface MessageFacts {
  sentAtMs: number;
  ackedAtMs: number;
  sender: number;
}

/** Expected pairs of one message that missed their grace. */
export interface MissingRecord extends MessageFacts {
  roomId: number;
  recipients: Set<number>;
}

/** The missing pairs of a DeliveryTracker, by message id, with a count per recipient. */
export class MissingPairs {
  private readonly byMessage = new Map<number, MissingRecord>();
  /** Pairs recorded per recipient (lets `releasable` skip the scan for most closes). */
  private readonly perRecipient = new Map<number, number>();
  private size = 0;

  constructor(private readonly maxPairs: number) {}

  /** Whether a pair of message `id` is recorded. */
  has(id: number): boolean {
    return this.byMessage.has(id);
  }

  /** The record of message `id`, if any of its pairs is missing. */
  get(id: number): MissingRecord | undefined {
    return this.byMessage.get(id);
  }

  /**
   * Records `recipients` of a message as missing, as far as the bound allows; returns how many were recorded.
   */
  add(id: number, roomId: number, facts: MessageFacts, recipients: readonly number[]): number {
    let recorded = 0;
    for (const recipient of recipients) {
      if (this.size >= this.maxPairs) break;
      let record = this.byMessage.get(id);
      if (!record) {
        record = {
          roomId,
          sentAtMs: facts.sentAtMs,
          ackedAtMs: facts.ackedAtMs,
          sender: facts.sender,
          recipients: new Set(),
        };
        this.byMessage.set(id, record);
      }
      record.recipients.add(recipient);
      this.count(recipient, 1);
      recorded++;
    }
    return recorded;
  }

  /** Removes the pair (id, recipient) if it is recorded in `roomId`; returns its record, or null. */
  take(id: number, roomId: number, recipient: number): MissingRecord | null {
    const record = this.byMessage.get(id);
    if (record === undefined || record.roomId !== roomId || !record.recipients.delete(recipient)) return null;
    if (record.recipients.size === 0) this.byMessage.delete(id);
    this.count(recipient, -1);
    return record;
  }

  /**
   * Removes and returns the ids of the recipient's pairs in `roomId` that `excused` accepts (a membership end
   * excused them after they were counted lost).
   */
  release(
    recipient: number,
    roomId: number,
    excused: (message: { messageId: number; sentAtMs: number; ackedAtMs: number }) => boolean,
  ): number[] {
    if (!this.perRecipient.has(recipient)) return [];
    const released: number[] = [];
    for (const [id, record] of this.byMessage) {
      if (record.roomId !== roomId || !record.recipients.has(recipient)) continue;
      if (!excused({ messageId: id, sentAtMs: record.sentAtMs, ackedAtMs: record.ackedAtMs })) continue;
      record.recipients.delete(recipient);
      if (record.recipients.size === 0) this.byMessage.delete(id);
      this.count(recipient, -1);
      released.push(id);
    }
    return released;
  }

  /** Every record, by message id. */
  entries(): IterableIterator<[number, MissingRecord]> {
    return this.byMessage.entries();
  }

  private count(recipient: number, delta: 1 | -1): void {
    this.size += delta;
    const count = (this.perRecipient.get(recipient) ?? 0) + delta;
    if (count > 0) this.perRecipient.set(recipient, count);
    else this.perRecipient.delete(recipient);
  }
}
