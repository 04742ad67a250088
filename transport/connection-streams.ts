/**
 * The streams of one QUIC connection: opening them, the write side (send queues handed to quiche in priority
 * order as flow-control credit allows, drain notices, STOP_SENDING probes and queued stops) and the read side
 * (readable streams, FIN and reset bookkeeping; new peer streams are found by PeerStreamProbe,
 * peer-stream-probe.ts). QuicConnection owns one and forwards its stream API here; this module reaches the
 * connection only through StreamHost, so it does not import connection.ts.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import type { ConnectionSide, ConnectionState } from './connection-types.js';
import { TransportError } from './errors.js';
import type { ResolvedTransportOptions } from './options.js';
import { PeerStreamProbe } from './peer-stream-probe.js';
import type { PeerStreamReader } from './peer-stream-probe.js';
import { STOP_SENDING_CODE_UNKNOWN, errorCodeIn, isCollectedStreamError } from './quiche-errors.js';
import { SendQueue } from './send-queue.js';
import { StreamState } from './stream-state.js';
import { UNIDIRECTIONAL, checkStreamIdArgument, firstBidiId, isOpenedBy } from './stream-ids.js';

/**
 * @internal What the streams need from their connection: its state, the user's stream callbacks (called with
 * `this` = the connection, hence the `Self` parameter) and a way to ask for the send loop.
 */
export interface StreamHost<Self> {
  readonly state: ConnectionState;
  onStream: ((this: Self, streamId: number) => void) | null;
  onData: ((this: Self, streamId: number, data: Buffer, fin: boolean) => void) | null;
  onStreamReset: ((this: Self, streamId: number, errorCode: number) => void) | null;
  onStopSending: ((this: Self, streamId: number, errorCode: number) => void) | null;
  onDrain: ((this: Self, streamId: number) => void) | null;
  /** Local work for the send loop: it runs at the next flush, never held back. */
  requestSend(): void;
}

/** @internal What the streams need from the endpoint (a subset of the connection's owner). */
export interface StreamEndpoint {
  /** Scratch memory for stream reads; overwritten by the next read. */
  readonly readScratch: Buffer;
  /** A user callback threw. */
  callbackFailed(error: unknown): void;
}

const EMPTY = Buffer.alloc(0);
const byUrgency = (a: { urgency: number }, b: { urgency: number }): number => a.urgency - b.urgency;

/** A write at least this large to an idle stream goes straight to quiche (it copies anyway). */
const DIRECT_WRITE_MIN = 16 * 1024;

/** A quiche error on a stream that is neither the peer's STOP_SENDING nor its RESET_STREAM: reported as a failure. */
function streamFailure(where: 'stream send' | 'stream recv', streamId: number, err: unknown): TransportError {
  return new TransportError('STREAM_STATE', where, `quiche failed on stream ${streamId}: ${String(err)}`, {
    cause: err,
  });
}

/** @internal Stream state of one connection; see the module comment. */
export class ConnectionStreams<Host extends StreamHost<Host>> implements PeerStreamReader {
  private readonly streams = new Map<number, StreamState>();
  /** Streams whose sending side is open (the STOP_SENDING sweep is skipped when 0). */
  private writeOpenCount = 0;
  /** Streams with queued bytes or FIN to hand to quiche at the next flush. */
  private pendingStreams: StreamState[] = [];
  private pendingSpare: StreamState[] = [];
  /** The stream data was last read from: readKnownStreams tries it first (null: none yet, or dropped). */
  private lastRead: StreamState | null = null;
  /**
   * STOP_SENDINGs asked for since the last send loop: stream id -> code (see stopSending); null while none was ever
   * asked for, as on almost every connection (an empty Map is ~150 bytes per connection on both sides).
   */
  private stopsQueued: Map<number, number> | null = null;
  private nextBidi: number;
  private nextUni: number;
  private readonly peerStreams: PeerStreamProbe;

  constructor(
    private readonly host: Host,
    private readonly endpoint: StreamEndpoint,
    private readonly native: NativeConnection,
    private readonly side: ConnectionSide,
    private readonly options: ResolvedTransportOptions,
  ) {
    this.nextBidi = firstBidiId(side);
    this.nextUni = this.nextBidi | UNIDIRECTIONAL;
    this.peerStreams = new PeerStreamProbe(side, native, this.streams, this);
  }

  /** Streams wait to be handed to quiche (queued bytes or FIN). */
  get hasPending(): boolean {
    return this.pendingStreams.length > 0;
  }

  /** Some stream's sending side is open (so a STOP_SENDING probe has something to find). */
  get hasOpenSendingSides(): boolean {
    return this.writeOpenCount > 0;
  }

  /** See QuicConnection.openBidi. */
  openBidi(): number {
    const id = this.openStream(this.nextBidi, 'openBidi');
    this.nextBidi += 4;
    this.streams.set(id, new StreamState(id, true, true));
    this.writeOpenCount++;
    return id;
  }

  /** See QuicConnection.openUni. */
  openUni(): number {
    const id = this.openStream(this.nextUni, 'openUni');
    this.nextUni += 4;
    this.streams.set(id, new StreamState(id, false, true));
    this.writeOpenCount++;
    return id;
  }

  /** See QuicConnection.write; `shared`: see QuicConnection.writeShared. */
  write(streamId: number, data: Uint8Array, fin: boolean, shared: boolean): number {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this.host.state !== 'established') {
      checkStreamIdArgument(streamId, 'write', 'send', this.side, this.nextBidi, this.nextUni);
      return 0;
    }
    const length = data.length;
    const queued = st.queue === null ? 0 : st.queue.bytes;
    let accepted = 0;
    if (length >= DIRECT_WRITE_MIN && queued === 0 && !st.finQueued) {
      try {
        accepted = this.native.streamSend(streamId, data, fin) ?? 0;
      } catch (err) {
        this.onWriteError(st, err);
        return 0;
      }
      this.host.requestSend();
      if (accepted === length) {
        if (fin) this.closeWrite(st);
        return length;
      }
    }
    const take = Math.min(length - accepted, Math.max(0, this.options.streamWriteBuffer - queued));
    if (take > 0) {
      const queue = (st.queue ??= new SendQueue());
      if (shared) queue.pushShared(data, accepted, take);
      else queue.push(data, accepted, take);
    }
    accepted += take;
    if (accepted === length) {
      if (fin) st.finQueued = true;
    } else {
      st.wantDrain = true;
    }
    if (take > 0 || st.finQueued) this.schedulePump(st);
    return accepted;
  }

  /** See QuicConnection.writableBytes. */
  writableBytes(streamId: number): number {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this.host.state !== 'established') return 0;
    return Math.max(0, this.options.streamWriteBuffer - (st.queue === null ? 0 : st.queue.bytes));
  }

  /** See QuicConnection.resetStream. */
  resetStream(streamId: number, errorCode: number): void {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this.host.state !== 'established') {
      checkStreamIdArgument(streamId, 'resetStream', 'send', this.side, this.nextBidi, this.nextUni);
      return;
    }
    try {
      this.native.streamShutdown(streamId, quiche.Shutdown.Write, errorCode);
    } catch {
      // Already reset or finished inside quiche: nothing left to abort.
    }
    this.closeWrite(st);
    this.host.requestSend();
  }

  /** See QuicConnection.stopSending. */
  stopSending(streamId: number, errorCode: number): void {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.readOpen || this.host.state !== 'established') {
      checkStreamIdArgument(streamId, 'stopSending', 'receive', this.side, this.nextBidi, this.nextUni);
      return;
    }
    // Handed to quiche after the send loop has sent what the connection owes (the ACK of the stream's bytes), so
    // STOP_SENDING leaves in a packet of its own: a quiche peer that gets the ACK and STOP_SENDING together forgets
    // the stream, and its code, before it can report it.
    (this.stopsQueued ??= new Map()).set(streamId, errorCode);
    this.closeRead(st);
    this.host.requestSend();
  }

  /** Whether STOP_SENDINGs wait for the send loop. */
  get hasQueuedStops(): boolean {
    return this.stopsQueued !== null && this.stopsQueued.size > 0;
  }

  /** Hands the queued STOP_SENDINGs to quiche (after a send loop). */
  applyQueuedStops(): void {
    if (this.stopsQueued === null) return;
    for (const [streamId, code] of this.stopsQueued) {
      try {
        this.native.streamShutdown(streamId, quiche.Shutdown.Read, code);
      } catch {
        // Already finished inside quiche.
      }
    }
    this.stopsQueued.clear();
  }

  /** See QuicConnection.setPriority. */
  setPriority(streamId: number, urgency: number, incremental: boolean): void {
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 7) {
      throw new TransportError('INVALID_ARGUMENT', 'setPriority.urgency', `expected 0..7, got ${urgency}`);
    }
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen) {
      checkStreamIdArgument(streamId, 'setPriority', 'send', this.side, this.nextBidi, this.nextUni);
      return;
    }
    st.urgency = urgency;
    try {
      this.native.streamPriority(streamId, urgency, incremental);
    } catch {
      // The stream finished inside quiche meanwhile; priority no longer matters.
    }
  }

  /** See QuicConnection.queuedBytes. */
  queuedBytes(): number {
    let bytes = 0;
    for (const st of this.pendingStreams) bytes += st.queue === null ? 0 : st.queue.bytes;
    return bytes;
  }

  /** Hands queued bytes to quiche, most urgent streams first; streams quiche could not take wait for the next flush. */
  pumpPending(): void {
    const list = this.pendingStreams;
    this.pendingStreams = this.pendingSpare;
    if (list.length > 1) list.sort(byUrgency);
    for (let i = 0; i < list.length; i++) {
      const st = list[i] as StreamState;
      st.pending = false;
      if (!st.writeOpen || this.host.state !== 'established') continue;
      // Cleared before pumping: bytes written from onDrain inside pump() must flush the connection again.
      st.blocked = false;
      st.blocked = !this.pump(st);
      if (st.blocked && !st.pending) {
        // quiche is out of capacity: retry at the next flush (after ACKs or MAX_DATA).
        st.pending = true;
        this.pendingStreams.push(st);
      }
    }
    list.length = 0;
    this.pendingSpare = list;
  }

  /**
   * quiche reports STOP_SENDING only as an error on the stream's next send call: probe
   * our open sending sides (streams being pumped find out in `pump`). Walking our own map
   * avoids quiche's writable() iterator, a native object per call.
   */
  sweepForStops(): void {
    // forEach with a this-argument: no iterator result per stream (as readKnownStreams).
    this.streams.forEach(this.probeStop, this);
  }

  /** sweepForStops' step for one stream (stops probing once the connection closes). */
  private probeStop(st: StreamState): void {
    if (!st.writeOpen || st.pending || this.host.state !== 'established') return;
    try {
      this.native.streamCapacity(st.id);
    } catch (err) {
      this.onWriteError(st, err);
    }
  }

  /**
   * Reads the known streams that are readable (call it while quiche says something is readable); returns whether
   * quiche still says so afterwards (datagrams or new streams), false once the connection left 'established'.
   *
   * The stream that had data last is read first, without a probe: a receiver's data almost always comes on the
   * stream it came on before (a harness client's deliveries on its room's shard stream, a server's commands on the
   * client's chat stream), and when quiche then says nothing is left the other known streams are not probed at
   * all: one native call per packet where probing each known stream cost one per stream (a harness client has
   * three readable ones). The others are probed with the cheap streamReadable() (quiche's readable() iterator
   * costs ~30 µs per call in this binding). New peer streams are left to readNewStreams.
   */
  readKnownStreams(): boolean {
    const last = this.lastRead;
    if (last !== null && last.readOpen) {
      this.readStream(last.id, last);
      if (this.host.state !== 'established' || !this.native.isReadable()) return false;
    }
    // forEach with a this-argument: a for-of over the Map allocated an iterator result per stream and call.
    this.streams.forEach(this.readIfReadable, this);
    return this.host.state === 'established' && this.native.isReadable();
  }

  /**
   * Reads what the new-stream probe finds; call it while the connection is established and quiche says something
   * other than datagrams and the known streams is readable.
   */
  readNewStreams(): void {
    this.peerStreams.readNew();
  }

  /** @internal PeerStreamReader: reads a stream the probe found; false once the connection left 'established'. */
  readFoundStream(id: number): boolean {
    this.readStream(id, this.streams.get(id));
    return this.host.state === 'established';
  }

  /** readKnownStreams' step for a known stream (a forEach callback: stops reading once the connection closes). */
  private readIfReadable(st: StreamState): void {
    if (st.readOpen && this.host.state === 'established' && this.native.streamReadable(st.id))
      this.readStream(st.id, st);
  }

  /** Forgets every stream (the connection is closing: no stream event follows). */
  drop(): void {
    this.streams.clear();
    this.lastRead = null;
    this.writeOpenCount = 0;
    for (const st of this.pendingStreams) st.pending = false;
    this.pendingStreams.length = 0;
  }

  private openStream(id: number, where: string): number {
    const state = this.host.state;
    if (state !== 'established') {
      throw new TransportError('CONNECTION_STATE', where, `connection is ${state}, not established`);
    }
    try {
      // A zero-length send makes quiche create the stream (and check the peer's limit)
      // without putting anything on the wire.
      this.native.streamSend(id, EMPTY, false);
    } catch (err) {
      const message = (err as Error).message;
      if (message === 'StreamLimit') {
        throw new TransportError('STREAM_LIMIT', where, "the peer's stream limit allows no new stream now", {
          cause: err,
        });
      }
      throw new TransportError('CONNECTION_STATE', where, `quiche refused stream ${id}: ${message}`, {
        cause: err,
      });
    }
    return id;
  }

  private schedulePump(st: StreamState): void {
    if (!st.pending) {
      st.pending = true;
      this.pendingStreams.push(st);
    }
    // A fan-out writes every member's stream once per message: flushing a stream quiche cannot take more of
    // would cost a pump, a send loop and a timer update per write for nothing.
    if (!st.blocked) this.host.requestSend();
  }

  /** Hands a stream's queue (then FIN) to quiche; false if quiche could not take it all. */
  private pump(st: StreamState): boolean {
    const q = this.native;
    const queue = st.queue;
    if (queue !== null) {
      let chunk: Uint8Array | null;
      while ((chunk = queue.peek()) !== null) {
        const withFin = st.finQueued && queue.peekIsLast();
        let sent: number;
        try {
          sent = q.streamSend(st.id, chunk, withFin) ?? 0;
        } catch (err) {
          this.onWriteError(st, err);
          return true;
        }
        queue.consume(sent);
        if (sent < chunk.length) return false;
        if (withFin) {
          this.closeWrite(st);
          return true;
        }
      }
    }
    if (st.finQueued) {
      try {
        q.streamSend(st.id, EMPTY, true);
      } catch (err) {
        this.onWriteError(st, err);
        return true;
      }
      this.closeWrite(st);
      return true;
    }
    if (st.wantDrain) {
      st.wantDrain = false;
      this.emitDrain(st.id);
    }
    return true;
  }

  private emitDrain(streamId: number): void {
    const host = this.host;
    if (host.onDrain === null) return;
    try {
      host.onDrain(streamId);
    } catch (err) {
      this.endpoint.callbackFailed(err);
    }
  }

  private onWriteError(st: StreamState, err: unknown): void {
    let code = errorCodeIn(err, 'StreamStopped');
    // Our sending side is still open here, so only a peer STOP_SENDING can have made quiche collect the stream
    // (quiche has already answered it with RESET_STREAM).
    if (code === null && isCollectedStreamError(err)) code = STOP_SENDING_CODE_UNKNOWN;
    else if (code !== null) {
      try {
        // RFC 9000 §3.5: answer STOP_SENDING with RESET_STREAM.
        this.native.streamShutdown(st.id, quiche.Shutdown.Write, code);
      } catch {
        // quiche already reset it.
      }
    }
    this.closeWrite(st);
    const host = this.host;
    host.requestSend();
    if (code === null) {
      this.endpoint.callbackFailed(streamFailure('stream send', st.id, err));
      return;
    }
    if (host.onStopSending === null) return;
    try {
      host.onStopSending(st.id, code);
    } catch (e) {
      this.endpoint.callbackFailed(e);
    }
  }

  /** Reads stream `id` until quiche has nothing more for it; `st` is its state (undefined: not tracked yet). */
  private readStream(id: number, st: StreamState | undefined): void {
    const host = this.host;
    if (st === undefined) {
      if (isOpenedBy(id, this.side) || this.stopsQueued?.has(id) === true) {
        this.discard(id);
        return;
      }
      st = new StreamState(id, true, (id & UNIDIRECTIONAL) === 0);
      this.streams.set(id, st);
      this.peerStreams.noteTracked(id);
      if (st.writeOpen) this.writeOpenCount++;
      if (host.onStream !== null) {
        try {
          host.onStream(id);
        } catch (err) {
          this.endpoint.callbackFailed(err);
        }
      }
    }
    const q = this.native;
    const scratch = this.endpoint.readScratch;
    while (st.readOpen && host.state === 'established') {
      let result: [number, boolean] | null;
      try {
        result = q.streamRecv(id, scratch);
      } catch (err) {
        this.onReadError(st, err);
        return;
      }
      if (result === null) return;
      const [length, fin] = result;
      if (length === 0 && !fin) return;
      this.lastRead = st;
      let data = EMPTY;
      if (length > 0) {
        data = Buffer.allocUnsafe(length);
        scratch.copy(data, 0, 0, length);
      }
      if (fin) this.closeRead(st);
      if (host.onData !== null) {
        try {
          host.onData(id, data, fin);
        } catch (err) {
          this.endpoint.callbackFailed(err);
        }
      }
      if (length < scratch.length) return;
    }
  }

  /** Reads and drops whatever quiche still holds for a stream we no longer read. */
  private discard(id: number): void {
    const scratch = this.endpoint.readScratch;
    try {
      while (this.native.streamRecv(id, scratch) !== null);
    } catch {
      // Reset or gone: nothing to drop.
    }
  }

  private onReadError(st: StreamState, err: unknown): void {
    this.closeRead(st);
    const code = errorCodeIn(err, 'StreamReset');
    if (code === null) {
      this.endpoint.callbackFailed(streamFailure('stream recv', st.id, err));
      return;
    }
    const host = this.host;
    if (host.onStreamReset === null) return;
    try {
      host.onStreamReset(st.id, code);
    } catch (e) {
      this.endpoint.callbackFailed(e);
    }
  }

  private closeRead(st: StreamState): void {
    if (!st.readOpen) return;
    st.readOpen = false;
    if (!st.writeOpen) this.streams.delete(st.id);
  }

  private closeWrite(st: StreamState): void {
    if (!st.writeOpen) return;
    st.writeOpen = false;
    this.writeOpenCount--;
    st.queue = null;
    st.finQueued = false;
    st.wantDrain = false;
    if (!st.readOpen) this.streams.delete(st.id);
  }
}
