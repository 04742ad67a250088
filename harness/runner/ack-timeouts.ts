/**
 * A load worker's sends whose MessageAck did not come in time: each is an error (`ack_timeout`, with an example and
 * a note), and the delivery tracker of every worker learns its nonce so that the message's deliveries count as
 * deliveries of an ack-timed-out message rather than as unexpected ones (see metrics/ack-timed-out-sends.ts).
 */
import type { AckTimedOutSend } from '../metrics/ack-timed-out-sends.js';
import type { PendingRecorder } from './pending-recorder.js';
import type { PendingSend, PendingSends } from './pending-sends.js';

/** What AckTimeouts works with. */
export interface AckTimeoutContext {
  rec: PendingRecorder;
  pendingSends: PendingSends;
  graceMs: number;
  /** Origin of the "+N ms" offsets in notes. */
  connectStartMs: number;
  /** Relays timeouts to the other workers (multi-worker runs), or null. */
  relay: ((send: AckTimedOutSend) => void) | null;
  note: (text: string) => void;
}

/** Times out the sends whose ack is overdue. */
export class AckTimeouts {
  constructor(private readonly context: AckTimeoutContext) {}

  /** Sends without an ack after the grace period failed; their acks would come too late to judge delivery. */
  expire(nowMs: number): void {
    const { pendingSends, graceMs } = this.context;
    for (const pending of pendingSends.takeSentBefore(nowMs - graceMs)) {
      this.timedOut(pending, nowMs, `no MessageAck within ${graceMs} ms`);
    }
  }

  /** The run is over: every send still unacknowledged had its full grace period, so it failed. */
  expireAll(nowMs: number): void {
    for (const pending of this.context.pendingSends.takeAll()) {
      this.timedOut(pending, nowMs, 'no MessageAck by the end of the run');
    }
  }

  private timedOut(pending: PendingSend, nowMs: number, what: string): void {
    const { rec, connectStartMs } = this.context;
    const client = pending.slot.client;
    rec.recordError('ack_timeout', nowMs);
    rec.attached?.examples.record('ack_timeout', {
      roomId: pending.roomId,
      sender: client.index,
      recipient: client.index,
      sentAt: pending.sentAtMs,
      detail: `${what} (connection ${client.state})`,
    });
    this.context.note(
      `${client.username}: ${what} for the message sent at +${Math.round(pending.sentAtMs - connectStartMs)} ms (connection ${client.state})`,
    );
    const send: AckTimedOutSend = { nonce: pending.nonce, roomId: pending.roomId };
    rec.attached?.recordAckTimedOut(send);
    this.context.relay?.(send);
  }
}
