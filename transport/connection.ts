/**
 * One QUIC connection: its lifecycle (handshake, close reporting), datagrams, stats, and the hooks the endpoint
 * drives it by (packets in, flush out, timers). Streams live in ConnectionStreams, which this class owns and
 * forwards its stream API to.
 */
import type { Connection as NativeConnection, RecvInfo } from '@matrixai/quic/native/index.js';
import type { Deadlined } from './deadline-queue.js';
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
import { notEstablishedError, readCloseInfo, readConnectionStats } from './connection-report.js';
import { ConnectionStreams } from './connection-streams.js';
import type { StreamHost } from './connection-streams.js';
import { STOP_SENDING_CODE_UNKNOWN } from './quiche-errors.js';
import { SendTiming } from './send-timing.js';

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

/** Packets a closing connection may send in all (see QuicConnection.closingBudget). */
const CLOSING_PACKET_BUDGET = 32;
const textEncoder = new TextEncoder();

/**
 * The last negotiated ALPN: the connections of a process negotiate one or two, so they share that string instead
 * of each keeping its own copy (a load worker holds tens of thousands of connections).
 */
let lastAlpn = '';

function alpnString(proto: Uint8Array): string {
  const alpn = Buffer.from(proto).toString('latin1');
  if (alpn !== lastAlpn) lastAlpn = alpn;
  return lastAlpn;
}

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
export class QuicConnection implements Deadlined, StreamHost<QuicConnection> {
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
  /** Stream state and the stream half of the API (see connection-streams.ts). */
  private readonly streams: ConnectionStreams<QuicConnection>;
  private recvInfo: RecvInfo;
  /** The peer's address. */
  readonly remoteAddress: HostPort;
  /** Our socket's address. */
  readonly localAddress: HostPort;
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
  /**
   * Something other than a packet quiche took without error may have closed the connection (quiche's timer, our
   * close, a packet quiche failed on): afterTransmit asks quiche even when the send loop sent packets.
   */
  private closeCheckDue = false;
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
    /**
     * The peer's address (`from`) and our socket's (`to`), as quiche takes them with each datagram. Never mutated
     * (a peer that moves gets a new one), so the endpoint may hand one object to many connections.
     */
    recvInfo: RecvInfo,
    private readonly options: ResolvedTransportOptions,
  ) {
    this.recvInfo = recvInfo;
    this.remoteAddress = recvInfo.from;
    this.localAddress = recvInfo.to;
    this.handshakeDeadline = performance.now() + options.handshakeTimeoutMs;
    this.timing = new SendTiming(options.ackDelayMs, options.stopProbeIntervalMs);
    this.streams = new ConnectionStreams<QuicConnection>(this, owner, native, side, options);
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
    if (this._closeInfo !== null) return Promise.reject(notEstablishedError(this._closeInfo));
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
    return this.streams.openBidi();
  }

  /** Opens a unidirectional (send-only) stream (client 2,6,10..; server 3,7,11..). Throws like `openBidi`. */
  openUni(): number {
    return this.streams.openUni();
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
    return this.streams.write(streamId, data, fin, false);
  }

  /**
   * `write` for bytes the caller never changes afterwards (an encoded frame queued on many streams): they may be
   * queued by reference instead of copied until the next flush hands them to quiche.
   */
  writeShared(streamId: number, data: Uint8Array, fin = false): number {
    return this.streams.write(streamId, data, fin, true);
  }

  /** Bytes `write(streamId, ...)` accepts at least right now (queue room); 0 if not writable. */
  writableBytes(streamId: number): number {
    return this.streams.writableBytes(streamId);
  }

  /** Resets our sending side (RESET_STREAM with `errorCode`); queued bytes are dropped. No-op if already closed. */
  resetStream(streamId: number, errorCode: number): void {
    this.streams.resetStream(streamId, errorCode);
  }

  /** Asks the peer to stop sending (STOP_SENDING with `errorCode`); unread and later data is discarded. */
  stopSending(streamId: number, errorCode: number): void {
    this.streams.stopSending(streamId, errorCode);
  }

  /** @internal Whether STOP_SENDINGs wait for the send loop (the endpoint then sends what is owed first). */
  get hasQueuedStops(): boolean {
    return this.streams.hasQueuedStops;
  }

  /** @internal Hands the queued STOP_SENDINGs to quiche (after a send loop). */
  applyQueuedStops(): void {
    this.streams.applyQueuedStops();
  }

  /** Sets a stream's send priority: urgency 0 (first) .. 7 (last), default 3; incremental = round-robin with equals. */
  setPriority(streamId: number, urgency: number, incremental = true): void {
    this.streams.setPriority(streamId, urgency, incremental);
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
    return this.streams.queuedBytes();
  }

  /** Counters and path estimates. */
  stats(): ConnectionStats {
    return readConnectionStats(this.native);
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
      this.closeCheckDue = true;
    }
    this.received = true;
    this.mayHaveClosed = true;
    this.timing.packetArrived(data.length);
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
      this.closeCheckDue = true;
    } else {
      // Our own deadline (a held acknowledgement or the STOP_SENDING probe): it is no local work, so a probe does
      // not send an acknowledgement that is still allowed to wait for data (see holdUntil).
      this.owner.markDirty(this);
      return;
    }
    this.requestSend();
  }

  /**
   * @internal At a flush: 0 if the send loop must run now, else the time until which it may wait (only an
   * acknowledgement is owed: see SendTiming).
   */
  holdUntil(now: number): number {
    const idle = this._state === 'established' && !this.streams.hasPending;
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
      this._alpn = alpnString(q.applicationProto());
      this.owner.connectionEstablished(this);
      if (this.establishedWaiters !== null) {
        for (const w of this.establishedWaiters) w.resolve();
        this.establishedWaiters = null;
      }
      this.emitEstablished();
    }
    // Nothing readable, as after a bare ACK (one per delivery at a fan-out server): no datagram or stream call.
    if (this._state !== 'established' || !q.isReadable()) return;
    // The known streams first (stream data almost always arrives on one), then only if quiche still says something is
    // readable: datagrams, then new streams (isReadable() counts datagrams too, so the last check means streams).
    if (!this.streams.readKnownStreams()) return;
    if (this.options.datagrams) this.readDatagrams();
    if (this._state === 'established' && q.isReadable()) this.streams.readNewStreams();
  }

  /** @internal Before the send loop: hand queued bytes to quiche (most urgent streams first). */
  beforeTransmit(): void {
    if (this._state === 'established' && this.streams.hasPending) this.streams.pumpPending();
  }

  /**
   * @internal After the send loop, which sent `packets` packets: if packets that were more than ACKs arrived
   * before it, look for streams the peer stopped (at most once per stopProbeIntervalMs; see SendTiming). A stop
   * found asks for the send loop again (its RESET_STREAM leaves at the next one).
   */
  afterSendLoop(packets: number, now: number): void {
    this.timing.sendLoopRan(packets);
    this.probeStops(now);
  }

  /**
   * @internal When the postponed STOP_SENDING probe is due (Infinity: none). Only an established connection probes
   * (probeStops): counting a handshaking or closing one's packets as a due probe armed its timer for a deadline
   * that never got consumed, and the connection woke every millisecond for an empty send loop until its handshake
   * completed (a server waiting a round trip for a client's Finished; ~5 to 55 wake-ups per connect under a connect
   * ramp) or it closed.
   */
  nextProbeAt(): number {
    return this._state === 'established' ? this.timing.nextSweepAt() : Infinity;
  }

  /** @internal Looks for streams the peer stopped, if packets arrived since the last probe and it is due. */
  probeStops(now: number): void {
    const streams = this.streams;
    if (this.timing.sweepNow(now) && streams.hasOpenSendingSides && this._state === 'established')
      streams.sweepForStops();
  }

  /**
   * @internal After the send loop, which sent `packets` packets, and quiche's timeout() (`noTimer`: it answered
   * none): report closure. Returns true once quiche has fully closed.
   *
   * Two native calls per packet received are saved where they cannot find anything. quiche answers timeout() with
   * none once closed, so isClosed() is asked only then. And quiche sends nothing once draining or closed: when
   * packets that quiche took without error (nothing but a peer's CONNECTION_CLOSE or a stateless reset can have
   * closed it then) were followed by a send loop that sent something, the peer has not closed (a harness client's
   * immediate ACK of each delivery: isClosed() and isDraining() per delivery before).
   */
  afterTransmit(packets: number, noTimer: boolean): boolean {
    if (!this.mayHaveClosed) return false;
    this.mayHaveClosed = false;
    const checkDue = this.closeCheckDue;
    this.closeCheckDue = false;
    if (!checkDue && packets > 0 && this._state === 'established') return false;
    const q = this.native;
    const closed = noTimer && q.isClosed();
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

  /** @internal Local work for the send loop: it runs at the next flush, never held back. */
  requestSend(): void {
    this.timing.localWork();
    this.owner.markDirty(this);
  }

  private dropStreams(): void {
    this.timing.clear();
    this.streams.drop();
  }

  private enterClosing(cause: CloseCause | null): void {
    this.closeCause = cause;
    this._state = 'closing';
    this.dropStreams();
    this.mayHaveClosed = true;
    this.closeCheckDue = true;
    this.requestSend();
  }

  private reportClose(): void {
    const info = readCloseInfo(this.native, this.closeCause, this._alpn !== null);
    this._closeInfo = info;
    if (this._state !== 'closed') this._state = 'closing';
    this.dropStreams();
    this.owner.connectionClosed(this);
    if (this.establishedWaiters !== null) {
      const error = notEstablishedError(info);
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

  private emitEstablished(): void {
    if (this.onEstablished === null) return;
    try {
      this.onEstablished();
    } catch (err) {
      this.owner.callbackFailed(err);
    }
  }
}
