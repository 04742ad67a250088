/**
 * One QUIC connection: streams, datagrams, close, stats, and the callbacks that report
 * them. The endpoint drives it (packets in, flush out, timers); this module owns what
 * happens between quiche and the user.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type { Connection as NativeConnection, RecvInfo } from '@matrixai/quic/native/index.js';
import type { Deadlined } from './deadline-queue.js';
import { TransportError } from './errors.js';
import type { ResolvedTransportOptions } from './options.js';
import type { HostPort } from './packet-io.js';
import type {
  CloseCause,
  CloseInfo,
  ConnectionError,
  ConnectionSide,
  ConnectionState,
  ConnectionStats,
} from './connection-types.js';
import {
  STOP_SENDING_CODE_UNKNOWN,
  decodeError,
  errorCodeIn,
  isCollectedStreamError,
} from './quiche-errors.js';
import { SendQueue } from './send-queue.js';
import { SendTiming } from './send-timing.js';
import { StreamState } from './stream-state.js';

export type { CloseCause, CloseInfo, ConnectionError, ConnectionSide, ConnectionState, ConnectionStats };
export { STOP_SENDING_CODE_UNKNOWN };

/** @internal What a connection needs from its endpoint. */
export interface ConnectionOwner {
  /** Queues the connection for the next flush (send loop + timer update). */
  markDirty(conn: QuicConnection): void;
  /** Scratch memory for stream and datagram reads; overwritten by the next read. */
  readonly readScratch: Buffer;
  /** The handshake completed (server connections are announced here). */
  connectionEstablished(conn: QuicConnection): void;
  /** The connection reported its closure (`onClose`); it may still be draining. */
  connectionClosed(conn: QuicConnection): void;
  /** A user callback threw. */
  callbackFailed(error: unknown): void;
}

const EMPTY = Buffer.alloc(0);
/** Reused by every connection: stream reads never nest. */
const readableIds: number[] = [];
const ascending = (a: number, b: number): number => a - b;
const byUrgency = (a: { urgency: number }, b: { urgency: number }): number => a.urgency - b.urgency;
/** Packets a closing connection may send in all (see QuicConnection.closingBudget). */
const CLOSING_PACKET_BUDGET = 32;
const textEncoder = new TextEncoder();

/** Stream id type bits (RFC 9000 §2.1). */
const SERVER_INITIATED = 0x1;
const UNIDIRECTIONAL = 0x2;

/** A write at least this large to an idle stream goes straight to quiche (it copies anyway). */
const DIRECT_WRITE_MIN = 16 * 1024;

/**
 * A QUIC connection created by `QuicEndpoint.connect` (client) or announced by
 * `QuicEndpoint.onConnection` (server, once established).
 *
 * Events are plain callback fields, invoked as methods of the connection (`this` is the
 * connection), synchronously from the endpoint's packet loop. Set them right after
 * `connect()` returns or inside `onConnection`: no event is dispatched before that.
 *
 * Stream ids follow RFC 9000: bit 0 = initiator (0 client, 1 server), bit 1 = direction
 * (0 bidirectional, 1 unidirectional). Client bidi 0,4,8..; server bidi 1,5,9..; client
 * uni 2,6,10..; server uni 3,7,11.. A stream becomes visible to the peer only when its
 * first bytes (or FIN) are written.
 */
export class QuicConnection implements Deadlined {
  /** The handshake completed; `alpn` is set. */
  onEstablished: ((this: QuicConnection) => void) | null = null;
  /** The peer opened a stream (first time we see it); `onData` for it follows. */
  onStream: ((this: QuicConnection, streamId: number) => void) | null = null;
  /**
   * Bytes arrived on a stream, in order, each byte exactly once. `data` is a fresh Buffer
   * the callee owns. `fin` = the peer finished the stream (`data` may then be empty); no
   * more data follows.
   */
  onData: ((this: QuicConnection, streamId: number, data: Buffer, fin: boolean) => void) | null = null;
  /** The peer reset its sending side of the stream (RESET_STREAM) with `errorCode`; no more data follows. */
  onStreamReset: ((this: QuicConnection, streamId: number, errorCode: number) => void) | null = null;
  /**
   * The peer asked us to stop sending (STOP_SENDING) with `errorCode`. Our sending side is
   * now reset with the same code, queued bytes are dropped, and `write()` returns 0.
   * `errorCode` is `STOP_SENDING_CODE_UNKNOWN` (-1) when quiche had already discarded the
   * stream (all its data acknowledged) and the code was lost with it.
   */
  onStopSending: ((this: QuicConnection, streamId: number, errorCode: number) => void) | null = null;
  /** A stream whose `write()` refused bytes has drained its queue: write again. */
  onDrain: ((this: QuicConnection, streamId: number) => void) | null = null;
  /** A datagram arrived (intact: QUIC datagrams are never split or merged). */
  onDatagram: ((this: QuicConnection, data: Buffer) => void) | null = null;
  /** The connection ended (once, always last). */
  onClose: ((this: QuicConnection, info: CloseInfo) => void) | null = null;

  private _state: ConnectionState = 'handshaking';
  private _alpn: string | null = null;
  private _closeInfo: CloseInfo | null = null;
  private closeCause: CloseCause | null = null;
  private readonly streams = new Map<number, StreamState>();
  /** Streams whose sending side is open (the STOP_SENDING sweep is skipped when 0). */
  private writeOpenCount = 0;
  /** Streams with queued bytes or FIN to hand to quiche at the next flush. */
  private pendingStreams: StreamState[] = [];
  private pendingSpare: StreamState[] = [];
  /** STOP_SENDINGs asked for since the last send loop: stream id -> code (see stopSending). */
  private readonly stopsQueued = new Map<number, number>();
  private nextBidi: number;
  private nextUni: number;
  /** Next peer-initiated stream ids we expect to see (probed cheaply for new streams). */
  private nextPeerBidi: number;
  private nextPeerUni: number;
  private recvInfo: RecvInfo;
  private establishedWaiters: { resolve: () => void; reject: (e: Error) => void }[] | null = null;
  private closedWaiters: ((info: CloseInfo) => void)[] | null = null;

  /** @internal Deadline queue slot. */
  deadline = 0;
  /** @internal Deadline queue slot. */
  heapIndex = -1;
  /** @internal Queued for the current flush. */
  dirty = false;
  /** @internal Packets arrived since the last flush. */
  received = false;
  /** @internal When the send loop and the STOP_SENDING probe run (acknowledgement hold-back, probe throttle). */
  readonly timing: SendTiming;
  /** @internal When quiche's own timer is due (performance.now ms; Infinity: none). */
  quicheDeadline = Infinity;
  /** @internal Packets arrived, a timer fired or close() was called: check for closure at the next flush. */
  mayHaveClosed = false;
  /** Packets sent while closing (see closingBudget). */
  private closingPacketsSent = 0;
  /** @internal Absolute time (performance.now ms) by which the handshake must complete. */
  readonly handshakeDeadline: number;
  /** @internal Alias under which the endpoint also routes this connection (client's original dcid). */
  aliasKey: string | null = null;

  /** @internal Created by QuicEndpoint only. */
  constructor(
    private readonly owner: ConnectionOwner,
    /** @internal The quiche connection. */
    readonly native: NativeConnection,
    /** Which end of the handshake this is. */
    readonly side: ConnectionSide,
    /** @internal Map key of our source connection id. */
    readonly cidKey: string,
    /** The peer's address. */
    readonly remoteAddress: HostPort,
    /** Our socket's address. */
    readonly localAddress: HostPort,
    private readonly options: ResolvedTransportOptions,
  ) {
    this.nextBidi = side === 'client' ? 0 : SERVER_INITIATED;
    this.nextUni = this.nextBidi | UNIDIRECTIONAL;
    this.nextPeerBidi = this.nextBidi ^ SERVER_INITIATED;
    this.nextPeerUni = this.nextPeerBidi | UNIDIRECTIONAL;
    this.recvInfo = { from: remoteAddress, to: localAddress };
    this.handshakeDeadline = performance.now() + options.handshakeTimeoutMs;
    this.timing = new SendTiming(options.ackDelayMs, options.stopProbeIntervalMs);
  }

  /** Hex of our source connection id: stable, unique per endpoint; handy in logs. */
  get id(): string {
    return Buffer.from(this.cidKey, 'latin1').toString('hex');
  }

  /** Current lifecycle state. */
  get state(): ConnectionState {
    return this._state;
  }

  /** The negotiated ALPN protocol, once established. */
  get alpn(): string | null {
    return this._alpn;
  }

  /** How the connection ended, once `onClose` has fired. */
  get closeInfo(): CloseInfo | null {
    return this._closeInfo;
  }

  /** Resolves when established; rejects with a CONNECTION_STATE TransportError if it closes first. */
  whenEstablished(): Promise<void> {
    if (this._alpn !== null) return Promise.resolve();
    if (this._closeInfo !== null) return Promise.reject(this.notEstablishedError(this._closeInfo));
    return new Promise((resolve, reject) => {
      (this.establishedWaiters ??= []).push({ resolve, reject });
    });
  }

  /** Resolves with the close information once `onClose` has fired. */
  whenClosed(): Promise<CloseInfo> {
    if (this._closeInfo !== null) return Promise.resolve(this._closeInfo);
    return new Promise((resolve) => {
      (this.closedWaiters ??= []).push(resolve);
    });
  }

  /**
   * Opens a bidirectional stream and returns its id (client 0,4,8..; server 1,5,9..).
   * Throws STREAM_LIMIT when the peer's MAX_STREAMS allows no more now, CONNECTION_STATE
   * when not established.
   */
  openBidi(): number {
    const id = this.openStream(this.nextBidi, 'openBidi');
    this.nextBidi += 4;
    this.streams.set(id, new StreamState(id, true, true));
    this.writeOpenCount++;
    return id;
  }

  /** Opens a unidirectional (send-only) stream (client 2,6,10..; server 3,7,11..). Throws like `openBidi`. */
  openUni(): number {
    const id = this.openStream(this.nextUni, 'openUni');
    this.nextUni += 4;
    this.streams.set(id, new StreamState(id, false, true));
    this.writeOpenCount++;
    return id;
  }

  /** How many more streams of each kind the peer currently allows us to open. */
  streamsLeft(): { bidi: number; uni: number } {
    if (this._state !== 'established') return { bidi: 0, uni: 0 };
    return { bidi: this.native.peerStreamsLeftBidi(), uni: this.native.peerStreamsLeftUni() };
  }

  /**
   * Writes `data` to a stream, then FIN if `fin`. Returns how many bytes were accepted;
   * `data` may be reused as soon as this returns. Accepted bytes are copied into the
   * stream's queue (at most `streamWriteBuffer` bytes; small writes coalesce) and handed
   * to quiche at the next flush, in priority order; large writes to an idle stream go to
   * quiche directly.
   *
   * - All accepted (returns `data.length`): FIN, if asked, is accepted too.
   * - Fewer accepted: the rest is NOT taken and FIN is ignored; `onDrain(streamId)` fires
   *   once the queue has drained into quiche. Write the remainder (and FIN) then.
   * - Returns 0 without effect when our sending side is no longer open (finished, reset,
   *   stopped by the peer) or the connection is not established.
   *
   * Throws STREAM_STATE for ids this side can never write: the peer's unidirectional
   * streams, or local ids not yet opened with `openBidi`/`openUni`.
   */
  write(streamId: number, data: Uint8Array, fin = false): number {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this._state !== 'established') {
      this.checkWritableId(streamId, 'write');
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
      this.requestSend();
      if (accepted === length) {
        if (fin) this.closeWrite(st);
        return length;
      }
    }
    const take = Math.min(length - accepted, Math.max(0, this.options.streamWriteBuffer - queued));
    if (take > 0) (st.queue ??= new SendQueue()).push(data, accepted, take);
    accepted += take;
    if (accepted === length) {
      if (fin) st.finQueued = true;
    } else {
      st.wantDrain = true;
    }
    if (take > 0 || st.finQueued) this.schedulePump(st);
    return accepted;
  }

  /** Bytes `write(streamId, ...)` accepts at least right now (queue room); 0 if not writable. */
  writableBytes(streamId: number): number {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this._state !== 'established') return 0;
    return Math.max(0, this.options.streamWriteBuffer - (st.queue === null ? 0 : st.queue.bytes));
  }

  /** Resets our sending side (RESET_STREAM with `errorCode`); queued bytes are dropped. No-op if already closed. */
  resetStream(streamId: number, errorCode: number): void {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen || this._state !== 'established') {
      this.checkWritableId(streamId, 'resetStream');
      return;
    }
    try {
      this.native.streamShutdown(streamId, quiche.Shutdown.Write, errorCode);
    } catch {
      // Already reset or finished inside quiche: nothing left to abort.
    }
    this.closeWrite(st);
    this.requestSend();
  }

  /** Asks the peer to stop sending (STOP_SENDING with `errorCode`); unread and later data is discarded. */
  stopSending(streamId: number, errorCode: number): void {
    const st = this.streams.get(streamId);
    if (st === undefined || !st.readOpen || this._state !== 'established') {
      this.checkReadableId(streamId, 'stopSending');
      return;
    }
    // Handed to quiche after the send loop has sent what the connection owes (the ACK of the stream's bytes), so
    // STOP_SENDING leaves in a packet of its own: a quiche peer that gets the ACK and STOP_SENDING together forgets
    // the stream, and its code, before it can report it.
    this.stopsQueued.set(streamId, errorCode);
    this.closeRead(st);
    this.requestSend();
  }

  /** @internal Whether STOP_SENDINGs wait for the send loop (the endpoint then sends what is owed first). */
  get hasQueuedStops(): boolean {
    return this.stopsQueued.size > 0;
  }

  /** @internal Hands the queued STOP_SENDINGs to quiche (after a send loop). */
  applyQueuedStops(): void {
    for (const [streamId, code] of this.stopsQueued) {
      try {
        this.native.streamShutdown(streamId, quiche.Shutdown.Read, code);
      } catch {
        // Already finished inside quiche.
      }
    }
    this.stopsQueued.clear();
  }

  /** Sets a stream's send priority: urgency 0 (first) .. 7 (last), default 3; incremental = round-robin with equals. */
  setPriority(streamId: number, urgency: number, incremental = true): void {
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 7) {
      throw new TransportError('INVALID_ARGUMENT', 'setPriority.urgency', `expected 0..7, got ${urgency}`);
    }
    const st = this.streams.get(streamId);
    if (st === undefined || !st.writeOpen) {
      this.checkWritableId(streamId, 'setPriority');
      return;
    }
    st.urgency = urgency;
    try {
      this.native.streamPriority(streamId, urgency, incremental);
    } catch {
      // The stream finished inside quiche meanwhile; priority no longer matters.
    }
  }

  /**
   * Queues a datagram. Returns false (and drops it) when datagrams are disabled on either
   * side, it exceeds `maxDatagramSize()`, the send queue is full, or not established.
   */
  sendDatagram(data: Uint8Array): boolean {
    if (this._state !== 'established' || !this.options.datagrams) return false;
    const q = this.native;
    if (q.isDgramSendQueueFull()) return false;
    try {
      q.dgramSend(data);
    } catch {
      return false;
    }
    this.requestSend();
    return true;
  }

  /** Largest datagram payload sendable now, or null if the peer does not accept datagrams. */
  maxDatagramSize(): number | null {
    if (this._state !== 'established' || !this.options.datagrams) return null;
    return this.native.dgramMaxWritableLen();
  }

  /** Makes the peer acknowledge something soon (a PING): keeps an idle connection alive and refreshes RTT. */
  ping(): void {
    if (this._state !== 'established') return;
    this.native.sendAckEliciting();
    this.requestSend();
  }

  /**
   * Closes the connection with an application error code (0 = no error) and reason.
   * Streams stop at once; `onClose` fires after CONNECTION_CLOSE is sent. Idempotent.
   */
  close(errorCode = 0, reason = ''): void {
    if (this._state === 'closing' || this._state === 'closed') return;
    let done: unknown = null;
    try {
      done = this.native.close(true, errorCode, textEncoder.encode(reason));
    } catch {
      // Treated as already closed below.
    }
    // quiche answers Done (null) when it is already closing, e.g. the peer's close arrived
    // in this very tick: then the cause is read from quiche, not 'local'.
    this.enterClosing(done === null ? null : 'local');
  }

  /**
   * Bytes written by the application and not yet taken by quiche (the send backlog): queued on streams waiting
   * for the next flush or for flow-control credit.
   */
  queuedBytes(): number {
    let bytes = 0;
    for (const st of this.pendingStreams) bytes += st.queue === null ? 0 : st.queue.bytes;
    return bytes;
  }

  /** Counters and path estimates. */
  stats(): ConnectionStats {
    const s = this.native.stats();
    const path = this.native.pathStats()[0];
    return {
      rttMs: path?.rtt ?? 0,
      cwnd: path?.cwnd ?? 0,
      deliveryRate: path?.deliveryRate ?? 0,
      sentPackets: s.sent,
      recvPackets: s.recv,
      lostPackets: s.lost,
      retransmittedPackets: s.retrans,
      sentBytes: s.sentBytes,
      recvBytes: s.recvBytes,
      lostBytes: s.lostBytes,
    };
  }

  /** A short summary; keeps test failure diffs and logs from walking native state. */
  toJSON(): { id: string; side: ConnectionSide; state: ConnectionState; remoteAddress: HostPort } {
    return { id: this.id, side: this.side, state: this._state, remoteAddress: this.remoteAddress };
  }

  /** @internal Feeds one datagram to quiche. */
  receive(data: Buffer, host: string, port: number): void {
    let info = this.recvInfo;
    if (info.from.port !== port || info.from.host !== host) {
      info = this.recvInfo = { from: { host, port }, to: this.localAddress };
    }
    try {
      this.native.recv(data, info);
    } catch {
      // Fatal errors close the quiche connection (seen at the next flush); others drop the packet.
    }
    this.received = true;
    this.mayHaveClosed = true;
    this.timing.packetArrived();
    this.owner.markDirty(this);
  }

  /**
   * @internal A deadline passed: quiche's timer, the handshake deadline, or one of our own (a held-back
   * acknowledgement, a postponed STOP_SENDING probe), which only need the send loop to run.
   */
  expire(now: number): void {
    if (this._state === 'handshaking' && now >= this.handshakeDeadline) {
      try {
        this.native.close(false, 0, textEncoder.encode('handshake timeout'));
      } catch {
        // Already closed.
      }
      this.enterClosing('handshake-timeout');
    } else if (now >= this.quicheDeadline) {
      this.native.onTimeout();
      this.mayHaveClosed = true;
    }
    this.requestSend();
  }

  /**
   * @internal At a flush: 0 if the send loop must run now, else the time until which it may wait (only an
   * acknowledgement is owed: see SendTiming).
   */
  holdUntil(now: number): number {
    const idle = this._state === 'established' && this.pendingStreams.length === 0;
    const until = this.timing.holdUntil(now, idle);
    // A CONNECTION_CLOSE from the peer must be reported now, not after the hold.
    return until > 0 && this.native.isDraining() ? 0 : until;
  }

  /**
   * @internal While closing: how many more packets the send loop may send (0: none). quiche answers every send
   * call of a connection closed before its handshake was confirmed with another CONNECTION_CLOSE, and its loss
   * timer keeps running while closing: a loop that sent until quiche had nothing left, on every timer, sent
   * thousands of packets a second from one closed connection. So a closing connection gets a budget: enough for
   * its close flights, answers to the peer's packets (RFC 9000 §10.2.1) and repeats on quiche's timer (a lost or
   * unreadable CONNECTION_CLOSE to an idle peer is repeated, not left to its idle timeout), and no more.
   */
  closingBudget(): number {
    return CLOSING_PACKET_BUDGET - this.closingPacketsSent;
  }

  /** @internal Counts packets sent while closing against the budget. */
  spendClosingBudget(packets: number): void {
    this.closingPacketsSent += packets;
  }

  /** @internal After packets arrived: establishment, readable streams, datagrams, stop-sending, drains. */
  processIncoming(): void {
    this.received = false;
    const q = this.native;
    if (this._state === 'handshaking') {
      // A server refusing us completes its flight and closes in the same breath: that is
      // not an establishment.
      if (!q.isEstablished() || q.isDraining()) return;
      this._state = 'established';
      this.timing.localWork();
      this._alpn = Buffer.from(q.applicationProto()).toString('latin1');
      this.owner.connectionEstablished(this);
      if (this.establishedWaiters !== null) {
        for (const w of this.establishedWaiters) w.resolve();
        this.establishedWaiters = null;
      }
      this.emitEstablished();
    }
    if (this._state !== 'established') return;
    // Datagrams first: isReadable() counts them too, and below it must mean streams only.
    if (this.options.datagrams) this.readDatagrams();
    if (this._state === 'established' && q.isReadable()) this.readStreams();
  }

  /**
   * @internal Before the send loop: hand queued bytes to quiche (most urgent streams first), and after packets
   * arrived look for streams the peer stopped (at most once per stopProbeIntervalMs).
   */
  beforeTransmit(now: number): void {
    if (this._state !== 'established') return;
    if (this.pendingStreams.length > 0) this.pumpPending();
    if (this.timing.sweepNow(now) && this.writeOpenCount > 0 && this._state === 'established')
      this.sweepForStops();
  }

  /** @internal After the send loop: report closure. Returns true once quiche has fully closed. */
  afterTransmit(): boolean {
    if (!this.mayHaveClosed) return false;
    this.mayHaveClosed = false;
    const q = this.native;
    const closed = q.isClosed();
    if (this._closeInfo === null && (this.closeCause !== null || closed || q.isDraining()))
      this.reportClose();
    if (closed) this._state = 'closed';
    return closed;
  }

  /** @internal The endpoint gave up waiting (endpoint closed): report closure now if not yet. */
  abandon(): void {
    if (this._closeInfo === null) {
      this.closeCause ??= 'endpoint-closed';
      this.reportClose();
    }
    this._state = 'closed';
  }

  private openStream(id: number, where: string): number {
    if (this._state !== 'established') {
      throw new TransportError('CONNECTION_STATE', where, `connection is ${this._state}, not established`);
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

  private isLocal(streamId: number): boolean {
    return (streamId & SERVER_INITIATED) === (this.side === 'server' ? SERVER_INITIATED : 0);
  }

  private checkStreamId(streamId: number, where: string): void {
    if (!Number.isSafeInteger(streamId) || streamId < 0) {
      throw new TransportError(
        'INVALID_ARGUMENT',
        `${where}.streamId`,
        `expected a non-negative integer, got ${streamId}`,
      );
    }
    if (this.isLocal(streamId)) {
      const next = streamId & UNIDIRECTIONAL ? this.nextUni : this.nextBidi;
      if (streamId >= next) {
        throw new TransportError('STREAM_STATE', `${where}.streamId`, `stream ${streamId} was never opened`);
      }
    }
  }

  private checkWritableId(streamId: number, where: string): void {
    this.checkStreamId(streamId, where);
    if (!this.isLocal(streamId) && streamId & UNIDIRECTIONAL) {
      throw new TransportError(
        'STREAM_STATE',
        `${where}.streamId`,
        `stream ${streamId} is the peer's unidirectional stream`,
      );
    }
  }

  private checkReadableId(streamId: number, where: string): void {
    this.checkStreamId(streamId, where);
    if (this.isLocal(streamId) && streamId & UNIDIRECTIONAL) {
      throw new TransportError(
        'STREAM_STATE',
        `${where}.streamId`,
        `stream ${streamId} is our unidirectional stream`,
      );
    }
  }

  private schedulePump(st: StreamState): void {
    if (!st.pending) {
      st.pending = true;
      this.pendingStreams.push(st);
    }
    // A fan-out writes every member's stream once per message: flushing a stream quiche cannot take more of
    // would cost a pump, a send loop and a timer update per write for nothing.
    if (!st.blocked) this.requestSend();
  }

  private pumpPending(): void {
    const list = this.pendingStreams;
    this.pendingStreams = this.pendingSpare;
    if (list.length > 1) list.sort(byUrgency);
    for (let i = 0; i < list.length; i++) {
      const st = list[i] as StreamState;
      st.pending = false;
      if (!st.writeOpen || this._state !== 'established') continue;
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

  /** Hands a stream's queue (then FIN) to quiche; false if quiche could not take it all. */
  private pump(st: StreamState): boolean {
    const q = this.native;
    const queue = st.queue;
    if (queue !== null) {
      let chunk: Buffer | null;
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

  /**
   * quiche reports STOP_SENDING only as an error on the stream's next send call: probe
   * our open sending sides (streams being pumped find out in `pump`). Walking our own map
   * avoids quiche's writable() iterator, a native object per call.
   */
  private sweepForStops(): void {
    const q = this.native;
    for (const st of this.streams.values()) {
      if (!st.writeOpen || st.pending) continue;
      try {
        q.streamCapacity(st.id);
      } catch (err) {
        this.onWriteError(st, err);
        if (this._state !== 'established') return;
      }
    }
  }

  private emitDrain(streamId: number): void {
    if (this.onDrain === null) return;
    try {
      this.onDrain(streamId);
    } catch (err) {
      this.owner.callbackFailed(err);
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
    this.requestSend();
    if (code === null) {
      this.owner.callbackFailed(
        new TransportError(
          'STREAM_STATE',
          'stream send',
          `quiche failed on stream ${st.id}: ${String(err)}`,
          {
            cause: err,
          },
        ),
      );
      return;
    }
    if (this.onStopSending === null) return;
    try {
      this.onStopSending(st.id, code);
    } catch (e) {
      this.owner.callbackFailed(e);
    }
  }

  /**
   * Reads every readable stream. quiche's readable() iterator costs ~9 µs per call in this
   * binding, so known streams and the next expected peer streams are probed with the cheap
   * streamReadable(); the iterator is the fallback for anything else (out-of-order new
   * streams, resets), in stream id order.
   */
  private readStreams(): void {
    const q = this.native;
    for (const st of this.streams.values()) {
      if (st.readOpen && q.streamReadable(st.id)) {
        this.readStream(st.id);
        if (this._state !== 'established') return;
      }
    }
    while (q.streamReadable(this.nextPeerBidi)) {
      this.readStream(this.nextPeerBidi);
      if (this._state !== 'established') return;
    }
    while (q.streamReadable(this.nextPeerUni)) {
      this.readStream(this.nextPeerUni);
      if (this._state !== 'established') return;
    }
    if (!q.isReadable()) return;
    const ids = readableIds;
    for (const id of q.readable()) ids.push(id);
    if (ids.length > 1) ids.sort(ascending);
    for (let i = 0; i < ids.length && this._state === 'established'; i++) this.readStream(ids[i] as number);
    ids.length = 0;
  }

  private readStream(id: number): void {
    let st = this.streams.get(id);
    if (st === undefined) {
      if (this.isLocal(id) || this.stopsQueued.has(id)) {
        this.discard(id);
        return;
      }
      st = new StreamState(id, true, (id & UNIDIRECTIONAL) === 0);
      this.streams.set(id, st);
      if (id & UNIDIRECTIONAL) {
        if (id >= this.nextPeerUni) this.nextPeerUni = id + 4;
      } else if (id >= this.nextPeerBidi) {
        this.nextPeerBidi = id + 4;
      }
      if (st.writeOpen) this.writeOpenCount++;
      if (this.onStream !== null) {
        try {
          this.onStream(id);
        } catch (err) {
          this.owner.callbackFailed(err);
        }
      }
    }
    const q = this.native;
    const scratch = this.owner.readScratch;
    while (st.readOpen && this._state === 'established') {
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
      let data = EMPTY;
      if (length > 0) {
        data = Buffer.allocUnsafe(length);
        scratch.copy(data, 0, 0, length);
      }
      if (fin) this.closeRead(st);
      if (this.onData !== null) {
        try {
          this.onData(id, data, fin);
        } catch (err) {
          this.owner.callbackFailed(err);
        }
      }
      if (length < scratch.length) return;
    }
  }

  /** Reads and drops whatever quiche still holds for a stream we no longer read. */
  private discard(id: number): void {
    const scratch = this.owner.readScratch;
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
      this.owner.callbackFailed(
        new TransportError(
          'STREAM_STATE',
          'stream recv',
          `quiche failed on stream ${st.id}: ${String(err)}`,
          {
            cause: err,
          },
        ),
      );
      return;
    }
    if (this.onStreamReset === null) return;
    try {
      this.onStreamReset(st.id, code);
    } catch (e) {
      this.owner.callbackFailed(e);
    }
  }

  private readDatagrams(): void {
    const q = this.native;
    const scratch = this.owner.readScratch;
    while (this._state === 'established') {
      let length: number | null;
      try {
        length = q.dgramRecv(scratch);
      } catch {
        return;
      }
      if (length === null) return;
      const data = Buffer.allocUnsafe(length);
      scratch.copy(data, 0, 0, length);
      if (this.onDatagram !== null) {
        try {
          this.onDatagram(data);
        } catch (err) {
          this.owner.callbackFailed(err);
        }
      }
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

  /** Local work for the send loop: it runs at the next flush, never held back. */
  private requestSend(): void {
    this.timing.localWork();
    this.owner.markDirty(this);
  }

  private dropStreams(): void {
    this.timing.clear();
    this.streams.clear();
    this.writeOpenCount = 0;
    for (const st of this.pendingStreams) st.pending = false;
    this.pendingStreams.length = 0;
  }

  private enterClosing(cause: CloseCause | null): void {
    this.closeCause = cause;
    this._state = 'closing';
    this.dropStreams();
    this.mayHaveClosed = true;
    this.requestSend();
  }

  private reportClose(): void {
    const q = this.native;
    const wasEstablished = this._alpn !== null;
    const peerError = decodeError(q.peerError());
    const localError = decodeError(q.localError());
    let cause = this.closeCause;
    if (cause === null) {
      if (peerError !== null) cause = 'peer';
      else if (q.isTimedOut()) cause = 'idle-timeout';
      else cause = 'transport-error';
    }
    const info: CloseInfo = { cause, wasEstablished, localError, peerError };
    this._closeInfo = info;
    if (this._state !== 'closed') this._state = 'closing';
    this.dropStreams();
    this.owner.connectionClosed(this);
    if (this.establishedWaiters !== null) {
      const error = this.notEstablishedError(info);
      for (const w of this.establishedWaiters) w.reject(error);
      this.establishedWaiters = null;
    }
    if (this.onClose !== null) {
      try {
        this.onClose(info);
      } catch (err) {
        this.owner.callbackFailed(err);
      }
    }
    if (this.closedWaiters !== null) {
      for (const w of this.closedWaiters) w(info);
      this.closedWaiters = null;
    }
  }

  private notEstablishedError(info: CloseInfo): TransportError {
    const detail = info.peerError ?? info.localError;
    const suffix =
      detail === null
        ? ''
        : ` (${detail.isApp ? 'app' : 'transport'} error ${detail.code} "${detail.reason}")`;
    return new TransportError(
      'CONNECTION_STATE',
      'whenEstablished',
      `closed before establishment: ${info.cause}${suffix}`,
    );
  }

  private emitEstablished(): void {
    if (this.onEstablished === null) return;
    try {
      this.onEstablished();
    } catch (err) {
      this.owner.callbackFailed(err);
    }
  }
}
