/**
 * Sends whose MessageAck timed out, as a DeliveryTracker needs them to explain their deliveries. Without the ack
 * the message id is unknown, so the deliveries of such a message cannot be matched by id; they are matched by the
 * send's nonce instead, which the server echoes in every RoomMessage (wire-facts: RoomMessage carries `nonce`) and
 * which the harness makes unique per send (send-stamp.ts). A delivery counted unexpected before its send's timeout
 * was known (the timeout is relayed from another worker, or noticed in a later housekeeping round) is kept for a
 * while so that it can be re-attributed.
 */

/** A delivery counted unexpected whose nonce may still turn out to name an ack-timed-out send. */
export interface UnexplainedDelivery {
  recipient: number;
  roomId: number;
  messageId: number;
  atMs: number;
}

/** What is known of a send whose ack timed out. */
export interface AckTimedOutSend {
  /** The send's nonce, as echoed in its RoomMessage. */
  nonce: string;
  roomId: number;
}

/** The ack-timed-out sends of a run (bounded) and the recent unexplained deliveries that carried a nonce. */
export class AckTimedOutSends {
  /** Nonce -> room of the send, oldest first (Map order) so the bound drops the oldest. */
  private readonly rooms = new Map<string, number>();
  private readonly unexplained = new Map<string, UnexplainedDelivery[]>();
  private unexplainedCount = 0;

  /** @param maxRecords bound on each of the two records (beyond it the oldest are forgotten). */
  constructor(private readonly maxRecords: number) {}

  /** Records a send whose ack timed out; returns the deliveries counted unexpected so far that it explains. */
  add(send: AckTimedOutSend): UnexplainedDelivery[] {
    if (this.rooms.size >= this.maxRecords) {
      const oldest = this.rooms.keys().next();
      if (oldest.done !== true) this.rooms.delete(oldest.value);
    }
    this.rooms.set(send.nonce, send.roomId);
    const kept = this.unexplained.get(send.nonce);
    if (kept === undefined) return [];
    this.unexplained.delete(send.nonce);
    this.unexplainedCount -= kept.length;
    return kept.filter((delivery) => delivery.roomId === send.roomId);
  }

  /** Whether a delivery in `roomId` carrying `nonce` is of a send whose ack timed out. */
  explains(nonce: string | null, roomId: number): boolean {
    return nonce !== null && this.rooms.get(nonce) === roomId;
  }

  /** Keeps a delivery just counted unexpected, in case its send's ack timeout becomes known later. */
  keepUnexplained(nonce: string, delivery: UnexplainedDelivery): void {
    if (this.unexplainedCount >= this.maxRecords) return;
    const list = this.unexplained.get(nonce);
    if (list === undefined) this.unexplained.set(nonce, [delivery]);
    else list.push(delivery);
    this.unexplainedCount++;
  }

  /** Forgets unexplained deliveries received before `horizonMs` (any timeout that explains them is known by then). */
  forgetBefore(horizonMs: number): void {
    for (const [nonce, list] of this.unexplained) {
      const kept = list.filter((delivery) => delivery.atMs >= horizonMs);
      this.unexplainedCount -= list.length - kept.length;
      if (kept.length === 0) this.unexplained.delete(nonce);
      else if (kept.length < list.length) this.unexplained.set(nonce, kept);
    }
  }
}
