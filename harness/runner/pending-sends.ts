/**
 * A load worker's sends waiting for their MessageAck: looked up by nonce when the ack (or a refusal naming
 * the nonce) arrives, and kept in send order so the ones past the grace period can be found without a scan.
 */
import type { ClientSlot } from './client-slot.js';

/** A send waiting for its MessageAck. */
export interface PendingSend {
  slot: ClientSlot;
  nonce: string;
  roomId: number;
  scheduledAtMs: number;
  sentAtMs: number;
}

/** The sends still waiting for their MessageAck, by nonce and in send order. */
export class PendingSends {
  private readonly byNonce = new Map<string, PendingSend>();
  private order: PendingSend[] = [];
  private head = 0;

  /** Starts waiting for the ack of a send; the sending slot counts it in `awaitingAcks`. */
  add(pending: PendingSend): void {
    this.byNonce.set(pending.nonce, pending);
    pending.slot.awaitingAcks++;
    this.order.push(pending);
  }

  /** Stops waiting for the send with this nonce (acked, refused or timed out); undefined if it was not waiting. */
  take(nonce: string): PendingSend | undefined {
    const pending = this.byNonce.get(nonce);
    if (pending === undefined) return undefined;
    this.byNonce.delete(nonce);
    pending.slot.awaitingAcks--;
    return pending;
  }

  /** Stops waiting for every send made before `limitMs` that still waits, and returns them, oldest first. */
  takeSentBefore(limitMs: number): PendingSend[] {
    const expired: PendingSend[] = [];
    const order = this.order;
    while (this.head < order.length && (order[this.head] as PendingSend).sentAtMs < limitMs) {
      const pending = order[this.head++] as PendingSend;
      if (this.take(pending.nonce) !== undefined) expired.push(pending);
    }
    // Acked sends stay in `order` until the head passes them; compact once the dead prefix is large.
    if (this.head > 4096 && this.head * 2 > order.length) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
    return expired;
  }

  /** Every send still waiting, forgotten at once (the run is over; the slots' counts no longer matter). */
  takeAll(): PendingSend[] {
    const all = [...this.byNonce.values()];
    this.byNonce.clear();
    return all;
  }
}
