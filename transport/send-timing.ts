/**
 * When a connection's send loop must run, and when its STOP_SENDING probe must run: the per-connection timing
 * policy that keeps the cost per delivery down under chat traffic (many connections, a few small packets each).
 *
 * - Acknowledgement hold-back: quiche acks every packet as soon as its send loop runs, so a server fanning out
 *   single messages would send each member a RoomMessage packet AND a bare ACK for the member's reply. When
 *   packets arrived but nothing else asks for a send (no write, datagram, close, timer), the send waits up to
 *   the ack delay: the ACK then rides with the next data, or leaves alone when the delay ends. A second packet
 *   ends the wait at once (RFC 9000 §13.2.2: ack at least every second ack-eliciting packet), so bulk transfers
 *   keep their ACK clock. Arrivals no bigger than a bare ACK end the wait at once too: such a packet almost
 *   always owes nothing (an ACK is not acknowledged), so the send loop finds nothing to send and ends at once,
 *   where a hold cost a timer, a wake-up and the same send loop later (a client's connect: ~6 bare ACKs, each
 *   answered by a held wait on the server). A small ack-eliciting packet (PING) is then acknowledged at once,
 *   which RFC 9000 §13.2.1 allows.
 * - STOP_SENDING probe: quiche reports a peer's STOP_SENDING only as an error of the stream's next send call, so
 *   idle sending streams are probed one native call each. The probe runs when packets arrived since the last
 *   one (nothing else can stop a stream) and at most once per stopProbeIntervalMs (default 100); a stream that is written to
 *   learns of the stop at once from its own send call. Arrivals count only once the send loop after them sent
 *   something: STOP_SENDING is ack-eliciting and quiche acknowledges at its next send loop, so a send loop that
 *   sent nothing proves that what arrived before it was no more than ACKs (a fan-out server gets one bare ACK per
 *   delivery; probing after each cost it two native calls per delivery, ~4% of its CPU at 20k clients).
 */
import { CID_LENGTH } from './packet-header.js';

/** Packets that end an acknowledgement hold-back at once. */
const ACK_EVERY_PACKETS = 2;
/**
 * The largest datagram taken for a bare ACK: a 1-RTT header with our connection id, a 4-byte packet number, an
 * ACK frame of one range with 4-byte fields, and the AEAD tag (quiche's are 43-44 bytes on loopback). Any
 * garou stream or datagram frame makes a packet bigger (5-byte frame header plus its payload and the STREAM
 * frame's own header); a small packet taken for a bare ACK only loses its ACK's hold-back, nothing else.
 */
export const BARE_ACK_MAX_BYTES = 1 + CID_LENGTH + 4 + (1 + 4 + 4 + 1 + 4) + 16;

/** Default least time between two STOP_SENDING probes of one connection, ms (options.stopProbeIntervalMs). */
export const SWEEP_INTERVAL_MS = 100;

/** One connection's send and probe timing. */
export class SendTiming {
  /** Something other than arriving packets needs the send loop (write, datagram, close, timer, handshake). */
  private sendDue = true;
  /** Packets received since the send loop last ran. */
  private packets = 0;
  /** Of those, the ones bigger than a bare ACK (they may owe an acknowledgement that data could carry). */
  private biggerThanAck = 0;
  /** When a held-back acknowledgement must leave (performance.now ms); Infinity when none is held. */
  private ackDueAt = Infinity;
  /** Packets arrived since the send loop last ran (whether they were more than ACKs is known after it). */
  private arrivedSinceSend = false;
  /** Packets that were more than ACKs arrived since the last STOP_SENDING probe. */
  private sweepDue = false;
  private lastSweepAt = -Infinity;

  constructor(
    private readonly ackDelayMs: number,
    /** Least time between two STOP_SENDING probes, ms. */
    private readonly sweepIntervalMs: number,
  ) {}

  /** Local work for the send loop: it must run at the next flush. */
  localWork(): void {
    this.sendDue = true;
  }

  /** A packet of `bytes` arrived (the send loop may owe it an acknowledgement; a peer may have stopped a stream). */
  packetArrived(bytes: number): void {
    this.packets++;
    if (bytes > BARE_ACK_MAX_BYTES) this.biggerThanAck++;
    this.arrivedSinceSend = true;
  }

  /**
   * At a flush: 0 if the send loop must run now, else the time until which it may wait (Infinity: nothing is
   * owed). `idle` = the connection has nothing of its own queued (established, no pending stream bytes, not
   * closing).
   */
  holdUntil(now: number, idle: boolean): number {
    if (this.sendDue || !idle) return 0;
    // Woken for the STOP_SENDING probe alone: nothing is owed, so the send loop need not run at all (also with an
    // ack delay of 0: it ran a send loop that found nothing, ~2 per connect of a harness client).
    if (this.packets === 0) return Infinity;
    if (this.ackDelayMs === 0 || this.packets >= ACK_EVERY_PACKETS || this.biggerThanAck === 0) return 0;
    if (this.ackDueAt === Infinity) this.ackDueAt = now + this.ackDelayMs;
    return now >= this.ackDueAt ? 0 : this.ackDueAt;
  }

  /** The send loop ran: everything owed has left. */
  transmitted(): void {
    this.sendDue = false;
    this.packets = 0;
    this.biggerThanAck = 0;
    this.ackDueAt = Infinity;
  }

  /**
   * The send loop sent `packets` packets. Arrivals before it may have stopped a stream only if it sent something:
   * a STOP_SENDING is ack-eliciting, so quiche owes an acknowledgement for it and sends one in that loop.
   */
  sendLoopRan(packets: number): void {
    if (this.arrivedSinceSend && packets > 0) this.sweepDue = true;
    this.arrivedSinceSend = false;
  }

  /** Whether to probe for STOP_SENDING now (and if so, counts it as done). */
  sweepNow(now: number): boolean {
    if (!this.sweepDue || now - this.lastSweepAt < this.sweepIntervalMs) return false;
    this.sweepDue = false;
    this.lastSweepAt = now;
    return true;
  }

  /** When a postponed probe is due (Infinity when none is); the connection's timer must wake it by then. */
  nextSweepAt(): number {
    return this.sweepDue ? this.lastSweepAt + this.sweepIntervalMs : Infinity;
  }

  /** Nothing left to probe or hold (the connection is closing). */
  clear(): void {
    this.arrivedSinceSend = false;
    this.sweepDue = false;
    this.ackDueAt = Infinity;
  }
}
