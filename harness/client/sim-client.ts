/**
 * A simulated garou client: one QUIC connection on a shared endpoint, speaking the whole protocol.
 *
 * - Handshake: Hello (+ Auth pipelined, PROTOCOL.md 6.3/auth-pipelining) -> HelloAck (num_shards, optional
 *   hot_room_config) -> AuthOk.
 * - Server streams (shard and hot-room streams) and the rooms they feed: server-stream-reader.ts.
 * - Commands on one chat-command uni stream, acks on one ACK stream, uploads on one upload stream
 *   (client-streams.ts), typing and presence as datagrams, Ping/Pong and Goodbye on the control stream.
 *
 * Many clients share one endpoint (one UDP socket). Transport callbacks are shared functions that find the
 * client through the connection, and every event goes to one ClientEvents object: no closures per client or
 * per frame.
 */
import {
  FrameDecoder,
  FrameError,
  decodeDatagram,
  encodeDatagram,
  encodeFrame,
  type Frame,
  type HotRoomConfig,
  type U64,
  u64ToNumber,
} from '../../spec/index.js';
import {
  TransportError,
  type ClientOptions,
  type CloseInfo,
  type QuicConnection,
  type QuicEndpoint,
} from '../../transport/index.js';
import { epochNowMs } from '../metrics/clock.js';
import type { ClientEvents } from './client-events.js';
import { classifyClose, type ConnectFailure } from './connect-failure.js';
import type { HoldTimer } from './hold-timer.js';
import { CONTROL_STREAM, ClientStreams } from './client-streams.js';
import { ServerStreamReader, type ServerStreamOwner } from './server-stream-reader.js';
import type { UploadJob } from './upload-job.js';
import { ClientUploads, type UploadOwner } from './client-uploads.js';
import { ReactionRaceFilter } from './reaction-race.js';
import { sharedHotRoomConfig } from './shared-hot-room-config.js';
import { bindConnection, unbindConnection, type ConnectionHandler } from './connection-callbacks.js';

/** What every client of a pool shares. */
export interface ClientContext {
  readonly endpoint: QuicEndpoint;
  readonly events: ClientEvents<SimClient>;
  /** TLS and transport options; the same object for every connection (its TLS context is built once). */
  readonly tls: ClientOptions;
  readonly holdTimer: HoldTimer;
  /** How long hot-stream messages wait for shard stragglers at a switch (ms). Default 250. */
  readonly switchHoldMs?: number;
  /** Send Auth right after Hello instead of waiting for HelloAck. Default true. */
  readonly pipelineAuth?: boolean;
}

/** Lifecycle of a client. */
/** `closing`: disconnect() wrote Goodbye and waits for the server to close (no commands are written). */
export type ClientState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'closing' | 'closed';

const EMPTY_IDS: readonly U64[] = [];
const DEFAULT_SWITCH_HOLD_MS = 250;
/** Every client's Hello is the same frame: encoded once (the transport copies what it is given). */
const HELLO = encodeFrame('Hello', { version: 1, capabilities: ['chat', 'presence'] });

/** Bounds of the wait for the server's close after a Goodbye (SimClient.disconnect). */
const GOODBYE_WAIT_MIN_MS = 20;
const GOODBYE_WAIT_MAX_MS = 500;

/** A simulated client. Create it once; `connect` may be called again after it closed (reconnects). */
export class SimClient implements ConnectionHandler, ServerStreamOwner, UploadOwner {
  private connection: QuicConnection | null = null;
  private _state: ClientState = 'idle';
  private requestedClose = false;
  /** disconnect() was called in state `ready`: the close is then reported as a disconnect, not a failed connect. */
  private closingWasReady = false;
  private control: FrameDecoder | null = null;
  /** The shard and hot-room streams of the connection, and the rooms they feed. */
  private readonly serverStreams: ServerStreamReader<SimClient>;
  /** The control stream and our uni streams, with ordered writes to each. */
  private readonly streams = new ClientStreams();
  /** Created by the first upload (or UploadAck): most clients never upload, and a load run holds 50,000 clients. */
  private uploads: ClientUploads<SimClient> | null = null;
  /** Created by the connection's first reaction, like `uploads`. */
  private reactionRace: ReactionRaceFilter<SimClient> | null = null;

  /** Shard count from HelloAck (0 before). */
  numShards = 0;
  /** hot_room_config from HelloAck, or null when the server does not advertise it. */
  hotRoomConfig: HotRoomConfig | null = null;
  userId: U64 = 0;
  /** When the current connection attempt started, its QUIC handshake completed, and the last bytes arrived. */
  connectStartedAtMs = 0;
  connectedAtMs = 0;
  lastHeardAtMs = 0;
  /** Reason of the server's Goodbye on this connection, if any. */
  goodbyeReason: string | null = null;
  /** Round-trip time of the last answered client Ping (ms), or null. */
  lastPingRttMs: number | null = null;

  /** The JWT this client logs in with (scenario `clients.auth` method token), or null for method username. */
  authToken: string | null = null;

  constructor(
    /** Global client index (stamps, tracking, username). */
    readonly index: number,
    readonly username: string,
    /** Shared endpoint, events and options. */
    readonly context: ClientContext,
  ) {
    this.serverStreams = new ServerStreamReader(
      this,
      context.events,
      context.holdTimer,
      context.switchHoldMs ?? DEFAULT_SWITCH_HOLD_MS,
    );
  }

  /** Current lifecycle state. */
  get state(): ClientState {
    return this._state;
  }

  /** Authenticated and connected. */
  get ready(): boolean {
    return this._state === 'ready';
  }

  /** Whether the client is a member of a room: RoomInit seen, and neither RoomClose nor our LeaveRoom since. */
  isMember(roomId: number): boolean {
    return this.serverStreams.isMember(roomId);
  }

  /** Newest RoomMessage id delivered in a room on this connection and not seen deleted since (0 if none). */
  latestLiveMessageIn(roomId: number): number {
    return this.serverStreams.latestLiveMessageIn(roomId);
  }

  /** RoomMessages delivered in a room on this connection so far (how far its history has moved on). */
  messageCountIn(roomId: number): number {
    return this.serverStreams.messageCountIn(roomId);
  }

  /** Uploads under way on this connection (a deliberate disconnect waits for them, as for acks). */
  get uploadsPending(): number {
    return this.uploads?.pending ?? 0;
  }

  /** Rooms the client is a member of. */
  memberRooms(): number[] {
    return this.serverStreams.memberRooms();
  }

  /** The QUIC connection (for tests and tools), or null. */
  get quic(): QuicConnection | null {
    return this.connection;
  }

  /** Starts a connection attempt to `host` (IP literal) and `port`. Failures are reported as events. */
  connect(host: string, port: number): void {
    if (this._state !== 'idle' && this._state !== 'closed') {
      throw new Error(`client ${this.index} is ${this._state}; cannot connect again`);
    }
    this.resetConnectionState();
    this._state = 'connecting';
    this.connectStartedAtMs = epochNowMs();
    let connection: QuicConnection;
    try {
      connection = this.context.endpoint.connect(host, port, this.context.tls);
    } catch (error) {
      this._state = 'closed';
      const detail = error instanceof TransportError ? error.message : String(error);
      this.context.events.connectFailed(this, { reason: 'local-error', detail }, epochNowMs());
      return;
    }
    this.connection = connection;
    bindConnection(connection, this);
  }

  /**
   * Closes the connection on purpose (12/goodbye): Goodbye is written and the server, which closes on Goodbye,
   * is given a few round trips (GOODBYE_WAIT_MIN_MS to GOODBYE_WAIT_MAX_MS) to do so; then this side sends
   * CONNECTION_CLOSE with application code 0 itself. Closing at once would discard the unsent Goodbye.
   * Either way the server sees a normal close (12/close-codes) and `disconnected` reports a requested close.
   */
  disconnect(reason = 'bye'): void {
    const connection = this.connection;
    if (connection === null || this._state === 'closed' || this._state === 'idle') return;
    if (this._state === 'closing') return; // already waiting for the server's close
    this.requestedClose = true;
    if (this._state === 'ready' || this._state === 'handshaking') {
      const goodbye = encodeFrame('Goodbye', { reason });
      if (connection.write(CONTROL_STREAM, goodbye) === goodbye.length) {
        this.closingWasReady = this._state === 'ready';
        this._state = 'closing';
        const waitMs = Math.min(
          GOODBYE_WAIT_MAX_MS,
          Math.max(GOODBYE_WAIT_MIN_MS, 3 * connection.stats().rttMs),
        );
        setTimeout(() => connection.close(0, reason), waitMs).unref();
        return;
      }
    }
    connection.close(0, reason);
  }

  /**
   * Gives up the connection (e.g. no AuthOk in time): reported as a connect failure with `failure` before
   * AuthOk, as a requested disconnect after.
   */
  abort(failure: ConnectFailure): void {
    const connection = this.connection;
    if (connection === null || this._state === 'closed' || this._state === 'idle') return;
    const atMs = epochNowMs();
    const wasConnecting = this._state !== 'ready' && !(this._state === 'closing' && this.closingWasReady);
    this.requestedClose = true;
    this.connection = null;
    unbindConnection(connection);
    connection.close(0, failure.detail);
    const rooms = this.finishClose(atMs);
    if (wasConnecting) this.context.events.connectFailed(this, failure, atMs);
    else this.context.events.disconnected(this, null, true, rooms, this.lastHeardAtMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Commands (PROTOCOL.md 4.2); each returns false when it could not be written (not ready, no stream).

  /** SendMessage. */
  sendMessage(roomId: U64, content: string, nonce: string, attachments: readonly U64[] = EMPTY_IDS): boolean {
    return this.writeChat(
      encodeFrame('SendMessage', {
        room_id: roomId,
        content,
        nonce,
        reply_to: null,
        attachments: attachments as U64[],
      }),
    );
  }

  /** EditMessage. */
  editMessage(messageId: U64, content: string): boolean {
    return this.writeChat(encodeFrame('EditMessage', { message_id: messageId, content }));
  }

  /** DeleteMessage. */
  deleteMessage(messageId: U64): boolean {
    return this.writeChat(encodeFrame('DeleteMessage', { message_id: messageId }));
  }

  /** AddReaction. */
  addReaction(messageId: U64, emoji: string): boolean {
    if (!this.writeChat(encodeFrame('AddReaction', { message_id: messageId, emoji }))) return false;
    const context = this.context;
    (this.reactionRace ??= new ReactionRaceFilter(this, context.events, context.holdTimer)).reacted(
      u64ToNumber(messageId),
    );
    return true;
  }

  /** RemoveReaction. */
  removeReaction(messageId: U64, emoji: string): boolean {
    return this.writeChat(encodeFrame('RemoveReaction', { message_id: messageId, emoji }));
  }

  /** JoinRoom. */
  joinRoom(roomId: U64): boolean {
    return this.writeChat(encodeFrame('JoinRoom', { room_id: roomId }));
  }

  /** LeaveRoom (the room counts as left for `isMember` from now on). */
  leaveRoom(roomId: U64): boolean {
    if (!this.writeChat(encodeFrame('LeaveRoom', { room_id: roomId }))) return false;
    this.serverStreams.markLeaving(u64ToNumber(roomId));
    return true;
  }

  /** CreateRoom. */
  createRoom(name: string, roomType: 'direct' | 'group' | 'channel', members: readonly U64[]): boolean {
    return this.writeChat(
      encodeFrame('CreateRoom', { name, room_type: roomType, members: members as U64[] }),
    );
  }

  /** MessageDelivered on the ACK stream. */
  sendDelivered(messageId: U64, roomId: U64, atMs: number): boolean {
    return this.writeAck(
      encodeFrame('MessageDelivered', {
        message_id: messageId,
        room_id: roomId,
        delivered_at: Math.floor(atMs),
      }),
    );
  }

  /** MessageRead on the ACK stream. */
  sendRead(messageId: U64, roomId: U64, atMs: number): boolean {
    return this.writeAck(
      encodeFrame('MessageRead', { message_id: messageId, room_id: roomId, read_at: Math.floor(atMs) }),
    );
  }

  /** Typing datagram. */
  sendTyping(roomId: U64): boolean {
    return this.sendDatagramFrame(encodeDatagram('Typing', { room_id: roomId, user_id: null }));
  }

  /** StopTyping datagram. */
  sendStopTyping(roomId: U64): boolean {
    return this.sendDatagramFrame(encodeDatagram('StopTyping', { room_id: roomId, user_id: null }));
  }

  /** PresenceOnline datagram. */
  sendPresenceOnline(status: string | null): boolean {
    return this.sendDatagramFrame(encodeDatagram('PresenceOnline', { user_id: this.userId, status }));
  }

  /** Ping on the control stream; the Pong's round trip lands in `lastPingRttMs`. */
  ping(): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    this.writeControl(encodeFrame('Ping', { timestamp: Math.floor(epochNowMs()) }));
    return true;
  }

  /**
   * Starts an upload: UploadStart now; chunks and UploadComplete once the server's UploadAck names the
   * upload id; `uploadDone`/`uploadFailed` report the outcome.
   */
  startUpload(job: UploadJob): boolean {
    if (!this.openUploadStream()) return false;
    this.uploadsOfConnection().start(job, epochNowMs());
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Transport events (called by the shared callbacks).

  /** @internal */
  handleEstablished(connection: QuicConnection): void {
    this.connectedAtMs = epochNowMs();
    this.lastHeardAtMs = this.connectedAtMs;
    this._state = 'handshaking';
    connection.openBidi();
    this.control = new FrameDecoder();
    this.writeControl(HELLO);
    if (this.context.pipelineAuth !== false) this.sendAuth();
  }

  /** @internal */
  handleData(streamId: number, data: Buffer, fin: boolean): void {
    const now = epochNowMs();
    this.lastHeardAtMs = now;
    if (streamId === CONTROL_STREAM) {
      this.readControl(data, fin, now);
      return;
    }
    this.serverStreams.data(streamId, data, fin, now);
  }

  /** @internal */
  handleDrain(streamId: number): void {
    if (this.connection !== null) this.streams.drain(this.connection, streamId);
  }

  /** @internal The server aborted one of our uni streams: the next command opens a new one. */
  handleStopSending(streamId: number, errorCode: number): void {
    this.streams.stopped(streamId);
    this.context.events.streamStopped(this, streamId, errorCode, epochNowMs());
  }

  /** @internal */
  handleStreamReset(streamId: number): void {
    this.serverStreams.reset(streamId, epochNowMs());
  }

  /** @internal */
  handleDatagram(data: Buffer): void {
    const now = epochNowMs();
    this.lastHeardAtMs = now;
    let frame: Frame;
    try {
      frame = decodeDatagram(data);
    } catch {
      return; // 11/datagram-invalid: unreliable traffic, dropped silently.
    }
    this.context.events.datagram(this, frame, now);
  }

  /** @internal */
  handleClose(connection: QuicConnection, info: CloseInfo): void {
    if (connection !== this.connection) return;
    const atMs = epochNowMs();
    const state = this._state;
    const requested = this.requestedClose;
    this.connection = null;
    const rooms = this.finishClose(atMs);
    if (state === 'ready' || (state === 'closing' && this.closingWasReady)) {
      this.context.events.disconnected(this, info, requested, rooms, this.lastHeardAtMs);
    } else if (!requested) {
      this.context.events.connectFailed(this, classifyClose(info), atMs);
    }
  }

  /** @internal ServerStreamOwner: the connection's round-trip estimate. */
  roundTripMs(): number {
    try {
      return this.connection?.stats().rttMs ?? 0;
    } catch {
      return 0; // no path statistics: keep the configured hold
    }
  }

  /** @internal ServerStreamOwner */
  messageDeleted(messageId: number, atMs: number): void {
    this.reactionRace?.deleted(messageId, atMs);
  }

  /** @internal ServerStreamOwner */
  stopSending(streamId: number, code: number): void {
    this.connection?.stopSending(streamId, code);
  }

  /** @internal UploadOwner */
  writeUploadFrame(bytes: Uint8Array): void {
    if (this.connection !== null) this.streams.upload(this.connection, bytes);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  private readControl(data: Buffer, fin: boolean, now: number): void {
    const decoder = this.control;
    if (decoder === null) return;
    decoder.push(data);
    for (;;) {
      let frame: Frame | undefined;
      try {
        frame = decoder.next();
      } catch (error) {
        if (error instanceof FrameError && error.framingIntact) {
          this.violation('3/invalid-payload', `control stream: ${error.message}`, now);
          continue;
        }
        this.violation('5/control-ranges', `control stream framing lost: ${String(error)}`, now);
        this.connection?.close(1001, 'invalid frame on control stream');
        return;
      }
      if (frame === undefined) break;
      this.handleControlFrame(frame, now);
      if (this.control !== decoder) return; // closed meanwhile
    }
    if (fin && this._state !== 'closed' && this._state !== 'closing')
      this.violation('5/control-stream', 'server finished the control stream', now);
  }

  private handleControlFrame(frame: Frame, now: number): void {
    const events = this.context.events;
    switch (frame.name) {
      case 'HelloAck': {
        const ack = frame.payload;
        this.numShards = ack.num_shards;
        this.hotRoomConfig = sharedHotRoomConfig(ack.hot_room_config);
        if (ack.num_shards < 1) {
          this.violation('9/num-shards', `HelloAck.num_shards is ${ack.num_shards}`, now);
          this.numShards = 1;
        }
        events.helloAck(this, ack, now);
        if (this.context.pipelineAuth === false) this.sendAuth();
        this.serverStreams.classifyPending(now);
        return;
      }
      case 'AuthOk':
        if (this._state === 'closing') return; // too late: Goodbye is written
        this.userId = frame.payload.user_id;
        this._state = 'ready';
        events.authenticated(this, this.connectedAtMs, now);
        return;
      case 'AuthFailed':
        this.abort({
          reason: 'auth-failed',
          detail: `AuthFailed ${frame.payload.code}: ${frame.payload.message}`,
        });
        return;
      case 'Ping':
        this.writeControl(encodeFrame('Pong', { timestamp: frame.payload.timestamp }));
        return;
      case 'Pong':
        this.lastPingRttMs = now - u64ToNumber(frame.payload.timestamp);
        return;
      case 'Throttle':
        events.throttled(this, frame.payload, now);
        return;
      case 'Goodbye':
        this.goodbyeReason = frame.payload.reason;
        return;
      case 'ServerCommand':
      case 'ShardAssignment':
        return; // informative (9/assignment); unknown commands are ignored (4.1/server-command)
      case 'RoomPromoted':
        events.roomPromoted(this, this.serverStreams.promoted(frame.payload.room_id), now);
        return;
      case 'RoomDemoted':
        events.roomDemoted(this, this.serverStreams.demoted(frame.payload.room_id), now);
        return;
      case 'MessageAck':
        events.messageAck(this, frame.payload, now);
        return;
      case 'UploadAck':
        // Without an upload under way, the tracker reports the UploadAck as a violation (13/upload-start).
        this.uploadsOfConnection().ack(u64ToNumber(frame.payload.upload_id), frame.payload.url, now);
        return;
      case 'Error':
        this.uploads?.error(frame.payload.context, frame.payload.message, now);
        if (this.reactionRace?.takeError(frame.payload, now) !== true)
          events.serverError(this, frame.payload, now);
        return;
      default:
        this.violation('5/control-ranges', `${frame.name} on the control stream`, now);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  private sendAuth(): void {
    const auth =
      this.authToken === null
        ? { method: 'username', credentials: this.username }
        : { method: 'token', credentials: this.authToken };
    this.writeControl(encodeFrame('Auth', auth));
  }

  private writeChat(bytes: Uint8Array): boolean {
    return this._state === 'ready' && this.connection !== null && this.streams.chat(this.connection, bytes);
  }

  private writeAck(bytes: Uint8Array): boolean {
    return this._state === 'ready' && this.connection !== null && this.streams.ack(this.connection, bytes);
  }

  private openUploadStream(): boolean {
    return this._state === 'ready' && this.connection !== null && this.streams.openUpload(this.connection);
  }

  private sendDatagramFrame(bytes: Uint8Array): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    return this.connection.sendDatagram(bytes);
  }

  /** Writes on the control stream, in order, queueing what the transport does not take now (sent on drain). */
  private writeControl(bytes: Uint8Array): void {
    if (this.connection !== null) this.streams.control(this.connection, bytes);
  }

  // ---------------------------------------------------------------------------------------------

  /** The uploads of this client, created when first needed. */
  private uploadsOfConnection(): ClientUploads<SimClient> {
    return (this.uploads ??= new ClientUploads(this, this.context.events));
  }

  private violation(rule: string, detail: string, now: number): void {
    this.context.events.protocolViolation(this, rule, detail, now);
  }

  /** Releases the connection's state; returns the rooms it was a member of. */
  private finishClose(atMs: number): number[] {
    const memberOf = this.serverStreams.close();
    const failed = this.uploads?.close() ?? [];
    this.reactionRace?.flush();
    this.reactionRace = null;
    this.control = null;
    this.streams.reset();
    this._state = 'closed';
    for (const job of failed) this.context.events.uploadFailed(this, job, 'connection closed', atMs);
    return memberOf;
  }

  private resetConnectionState(): void {
    this.requestedClose = false;
    this.numShards = 0;
    this.hotRoomConfig = null;
    this.goodbyeReason = null;
    this.lastPingRttMs = null;
    this.connectedAtMs = 0;
  }
}
