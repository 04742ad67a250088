/**
 * The client streams one session keeps state for: each open stream's decoder and kind (the client's first
 * bidirectional stream is the control stream, PROTOCOL.md 5), the ids of streams we aborted until the client ends
 * them (PROTOCOL.md 17/aborted-streams: only ids, no decoder), and the partial-frame bytes their decoders buffer,
 * counted against the connection's cap and the server-wide budget (PROTOCOL.md 17/partial-frame-budget). The
 * session (session.ts) decides what a stream may carry and what a refusal costs; this module only keeps the books.
 */
import { ERROR_CODES, FrameDecoder, type ErrorCode } from '../spec/index.js';
import type { PartialFrameBudget } from './memory-budget.js';
import type { CommandFailure } from './protocol-errors.js';
import { isClientBidi, isClientUni, streamContext, type StreamState } from './stream-placement.js';

/** One session's client streams; see the module comment. */
export class SessionStreams {
  private readonly open = new Map<number, StreamState>();
  /** Ids of streams aborted by us whose client side has not ended yet: later bytes on them are ignored. */
  private readonly aborted = new Set<number>();
  /** Partial-frame bytes buffered over all streams of this connection. */
  private partialBytes = 0;
  private control = -1;

  /** `serverBudget`: the server-wide partial-frame budget every session reserves from. */
  constructor(private readonly serverBudget: PartialFrameBudget) {}

  /** Streams kept (open ones and aborted ones not yet ended by the client). */
  get trackedCount(): number {
    return this.open.size + this.aborted.size;
  }

  /** Partial-frame bytes this connection has buffered. */
  get bufferedPartialBytes(): number {
    return this.partialBytes;
  }

  /** QUIC id of the control stream (-1 until the client opened it). */
  get controlStreamId(): number {
    return this.control;
  }

  /** An open stream's state. */
  get(streamId: number): StreamState | undefined {
    return this.open.get(streamId);
  }

  /**
   * State for a client stream seen for the first time: 'control' for the client's first bidirectional stream, not
   * classified yet (null) for any other; undefined for a server-initiated id, which never carries client data.
   */
  add(streamId: number): StreamState | undefined {
    let kind: StreamState['kind'];
    if (isClientBidi(streamId)) {
      // The client's first bidirectional stream is the control stream; the protocol has no other bidi stream.
      kind = this.control < 0 ? 'control' : null;
    } else if (isClientUni(streamId)) {
      kind = null;
    } else {
      return undefined;
    }
    const stream: StreamState = {
      id: streamId,
      kind,
      decoder: new FrameDecoder(),
      dropped: false,
      accounted: 0,
    };
    this.open.set(streamId, stream);
    if (kind === 'control') this.control = streamId;
    return stream;
  }

  /** Whether the stream was aborted by us and the client has not ended it yet. */
  isAborted(streamId: number): boolean {
    return this.aborted.has(streamId);
  }

  /** The client ended the stream (FIN or reset): an aborted stream's id is forgotten. */
  clientEnded(streamId: number): void {
    this.aborted.delete(streamId);
  }

  /** We aborted the stream: its state and budget go, its id stays until the client ends it. */
  abort(stream: StreamState): void {
    stream.dropped = true;
    this.forget(stream);
    this.aborted.add(stream.id);
  }

  /** Drops a stream's state and budget. */
  forget(stream: StreamState): void {
    this.release(stream, stream.accounted);
    this.open.delete(stream.id);
  }

  /** The connection is over: every stream's state and budget goes. */
  releaseAll(): void {
    for (const stream of this.open.values()) this.release(stream, stream.accounted);
    this.open.clear();
    this.aborted.clear();
  }

  /**
   * Accounts what the stream's decoder still holds of unfinished frames, within `connectionLimit` for this
   * connection and the server-wide budget. Returns the RATE_LIMITED failure when growth would pass a cap (nothing
   * is accounted then), null otherwise.
   */
  account(stream: StreamState, connectionLimit: number): (CommandFailure & { code: ErrorCode }) | null {
    const buffered = stream.decoder.bufferedBytes;
    const growth = buffered - stream.accounted;
    if (growth <= 0) {
      this.release(stream, -growth);
      return null;
    }
    const overConnection = this.partialBytes + growth > connectionLimit;
    if (overConnection || !this.serverBudget.tryReserve(growth)) {
      const scope = overConnection
        ? `this connection's limit of ${connectionLimit}`
        : 'the server-wide limit';
      return {
        code: ERROR_CODES.RATE_LIMITED,
        message: `partial-frame budget exceeded: ${this.partialBytes + growth} bytes of unfinished frames buffered, over ${scope}`,
        context: streamContext(stream.id),
      };
    }
    stream.accounted = buffered;
    this.partialBytes += growth;
    return null;
  }

  /** Gives back `bytes` of the stream's accounted partial-frame bytes. */
  private release(stream: StreamState, bytes: number): void {
    if (bytes === 0) return;
    stream.accounted -= bytes;
    this.partialBytes -= bytes;
    this.serverBudget.release(bytes);
  }
}
