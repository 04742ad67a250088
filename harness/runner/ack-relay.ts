/**
 * A load worker's share of the acks every worker must know (multi-worker runs): a worker only sees the
 * MessageAcks of its own senders, but judges the deliveries of every sender to its recipients, so each worker
 * relays the acks it saw, and the ack timeouts it declared, to the coordinator, which passes them on. They are
 * batched for ACK_RELAY_MS rather than sent one message each.
 */
import type { AckTimedOutSend } from '../metrics/ack-timed-out-sends.js';
import type { AckedMessage } from '../metrics/delivery-tracker.js';
import type { CoordinatorPort } from './worker-link.js';

/** How long acks are batched before they are relayed. */
export const ACK_RELAY_MS = 20;

/** Batches a worker's acks and ack timeouts and relays them to the coordinator. */
export class AckRelay {
  private acks: AckedMessage[] = [];
  private ackTimeouts: AckTimedOutSend[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly port: CoordinatorPort) {}

  /** Relays every ACK_RELAY_MS from now on, until `stop`. */
  start(): void {
    if (this.timer === null) this.timer = setInterval(this.flush, ACK_RELAY_MS);
  }

  /** Stops the periodic relay (what is batched stays until `flush`). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** A MessageAck this worker saw. */
  acked(message: AckedMessage): void {
    this.acks.push(message);
  }

  /** A send whose MessageAck did not come in time. */
  ackTimedOut(send: AckTimedOutSend): void {
    this.ackTimeouts.push(send);
  }

  /** Sends what is batched (nothing if nothing is). */
  readonly flush = (): void => {
    if (this.acks.length === 0 && this.ackTimeouts.length === 0) return;
    const acks = this.acks;
    const ackTimeouts = this.ackTimeouts;
    this.acks = [];
    this.ackTimeouts = [];
    this.port.send(ackTimeouts.length === 0 ? { type: 'acks', acks } : { type: 'acks', acks, ackTimeouts });
  };
}
