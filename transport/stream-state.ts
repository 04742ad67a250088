/**
 * Per-stream bookkeeping of a connection: what waits to be handed to quiche, and which directions are open.
 */
import type { SendQueue } from './send-queue.js';

/** Per-stream bookkeeping; kept while either direction of the stream is open on our side. */
export class StreamState {
  /** Bytes accepted by write() but not yet by quiche. Created on first use. */
  queue: SendQueue | null = null;
  /** FIN accepted by write() and waiting behind the queue. */
  finQueued = false;
  /** write() refused bytes: call onDrain when the queue has drained. */
  wantDrain = false;
  /** In the connection's list of streams to pump at the next flush. */
  pending = false;
  /**
   * quiche refused part of the queue at the last pump (no stream or connection capacity). quiche recomputes
   * capacity only when packets arrive (ACK, MAX_DATA, MAX_STREAM_DATA), which flushes the connection and pumps
   * the stream again, so more writes to a blocked stream need no flush of their own.
   */
  blocked = false;
  /** Send urgency 0..7 (RFC 9218); orders pumping when capacity is short. */
  urgency = 3;

  constructor(
    readonly id: number,
    public readOpen: boolean,
    public writeOpen: boolean,
  ) {}
}
