/**
 * A simulated garou client: one QUIC connection on a shared endpoint, speaking the whole protocol.
 *
 * - Handshake: Hello (+ Auth pipelined, PROTOCOL.md 6.3/auth-pipelining) -> HelloAck (num_shards, optional
 *   hot_room_config) -> AuthOk.
 * - Server streams by QUIC id (9/stream-ids): index i < num_shards is shard i; later ones are hot-room streams,
 *   mapped by their RoomPromoted header (or, header-less, by their first room frame: 5/interop-hot-header).
 * - Per-room RoomMessage order is merged across stream switches (room-switch-order.ts).
 * - Commands on one chat-command uni stream, acks on one ACK stream, uploads on one upload stream, typing and
 *   presence as datagrams, Ping/Pong and Goodbye on the control stream.
 *
 * Many clients share one endpoint (one UDP socket). Transport callbacks are shared functions that find the
 * client through the connection, and every event goes to one ClientEvents object: no closures per client or
 * per frame. Each stream has one spec FrameDecoder.
 *
 * RoomMessages on shard and hot streams (the per-delivery hot path) are not decoded: the decoder hands their
 * payload bytes over raw and peekRoomMessage reads message_id, room_id and nonce, all the harness needs. Only
 * when the peek gives up, and for one RoomMessage in FULL_DECODE_EVERY, is the payload decoded and validated in
 * full. Trade-off: most RoomMessages' other fields (sender, content, timestamp, ...) and, on the peek's fast
 * path, the JSON syntax between the ids and the nonce are not checked here; the sample still reports a server
 * whose payloads are broken throughout as a protocol violation, and the conformance suite decodes and
 * validates every frame it receives.
 */
import {
  FrameDecoder,
  FrameError,
  RawFrame,
  decodeDatagram,
  decodePayload,
  encodeDatagram,
  encodeFrame,
  type Frame,
  type HotRoomConfig,
  type PeekedRoomMessage,
  type U64,
  peekRoomMessage,
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
import type { HoldOwner, HoldTimer } from './hold-timer.js';
import { RoomSwitchOrder, type OrderedDeliverySink } from './room-switch-order.js';
import { serverUniStreamIndex, shardOfRoom } from './server-streams.js';
import { uploadBodyFrames, type UploadJob } from './upload-job.js';

/** What every client of a pool shares. */
export interface ClientContext {
  readonly endpoint: QuicEndpoint;
  readonly events: ClientEvents;
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

const CONTROL_STREAM = 0;
const NO_STREAM = -1;
const EMPTY_IDS: readonly U64[] = [];
const DEFAULT_SWITCH_HOLD_MS = 250;

const FIRST_ROOM_FRAME = 0x30;
const LAST_ROOM_FRAME = 0x38;
const ROOM_MESSAGE = 0x30;
const ROOM_INIT = 0x37;
const ROOM_CLOSE = 0x38;
const ROOM_PROMOTED = 0x51;

/** A RoomMessage read with peekRoomMessage (or fully decoded): only its ids and nonce. */
interface PeekedMessageFrame {
  readonly code: typeof ROOM_MESSAGE;
  readonly name: 'RoomMessage';
  readonly payload: PeekedRoomMessage;
}

/** A frame read from a shard or hot-room stream. */
type InboundFrame = Frame | PeekedMessageFrame;

function isRoomFrame(
  frame: InboundFrame,
): frame is Extract<Frame, { payload: { room_id: U64 } }> | PeekedMessageFrame {
  return frame.code >= FIRST_ROOM_FRAME && frame.code <= LAST_ROOM_FRAME;
}

/** Server-stream RoomMessages come raw from the decoder (see the module comment). */
const RAW_ON_SERVER_STREAMS = { rawCodes: [ROOM_MESSAGE] };

/** Bounds of the wait for the server's close after a Goodbye (SimClient.disconnect). */
const GOODBYE_WAIT_MIN_MS = 20;
const GOODBYE_WAIT_MAX_MS = 500;

/** One RoomMessage in this many is decoded and validated in full even when the peek reads it (module comment). */
export const FULL_DECODE_EVERY = 64;
/** RoomMessages left until the next full decode (shared by all clients: a sample of the whole stream). */
let untilFullDecode = FULL_DECODE_EVERY;

/** The ids and nonce of a raw RoomMessage: peeked, or from the full decode. Throws PayloadError. */
function readRoomMessage(raw: RawFrame): PeekedRoomMessage {
  let payload: PeekedRoomMessage | undefined;
  if (--untilFullDecode === 0) untilFullDecode = FULL_DECODE_EVERY;
  else payload = peekRoomMessage(raw.source, raw.start, raw.end);
  return payload ?? decodePayload(ROOM_MESSAGE, raw.payload);
}

/** One room as the client sees it: membership, last message id, and the switch merge state. */
class RoomView implements OrderedDeliverySink {
  member = false;
  /** LeaveRoom sent, RoomClose not yet received. */
  leaving = false;
  lastMessageId = 0;
  /** RoomMessages delivered in this room on this connection. */
  messageCount = 0;
  readonly order: RoomSwitchOrder;

  constructor(
    readonly id: number,
    readonly rawId: U64,
    private readonly client: SimClient,
    holdMs: number,
  ) {
    this.order = new RoomSwitchOrder(holdMs);
  }

  deliverOrdered(message: PeekedRoomMessage, receivedAtMs: number): void {
    const id = u64ToNumber(message.message_id);
    if (id > this.lastMessageId) this.lastMessageId = id;
    this.messageCount++;
    this.client.context.events.roomMessage(this.client, message, receivedAtMs);
  }
}

/** A server-initiated unidirectional stream being read. */
class InboundStream {
  readonly decoder = new FrameDecoder(RAW_ON_SERVER_STREAMS);
  /** The room of a hot-room stream, once known. */
  room: RoomView | null = null;
  /** FIN seen before the stream could be classified (num_shards unknown). */
  finPending = false;
  /** Framing lost: the rest of the stream is ignored. */
  dead = false;
}

const clients = new WeakMap<QuicConnection, SimClient>();

function clientOf(connection: QuicConnection): SimClient | undefined {
  return clients.get(connection);
}

// Shared transport callbacks (`this` is the connection).
function onEstablished(this: QuicConnection): void {
  clientOf(this)?.handleEstablished(this);
}
function onData(this: QuicConnection, streamId: number, data: Buffer, fin: boolean): void {
  clientOf(this)?.handleData(streamId, data, fin);
}
function onDrain(this: QuicConnection, streamId: number): void {
  clientOf(this)?.handleDrain(streamId);
}
function onStopSending(this: QuicConnection, streamId: number, errorCode: number): void {
  clientOf(this)?.handleStopSending(streamId, errorCode);
}
function onStreamReset(this: QuicConnection, streamId: number): void {
  clientOf(this)?.handleStreamReset(streamId);
}
function onDatagram(this: QuicConnection, data: Buffer): void {
  clientOf(this)?.handleDatagram(data);
}
function onClose(this: QuicConnection, info: CloseInfo): void {
  const client = clientOf(this);
  clients.delete(this);
  client?.handleClose(this, info);
}

/** A simulated client. Create it once; `connect` may be called again after it closed (reconnects). */
export class SimClient implements HoldOwner {
  private connection: QuicConnection | null = null;
  private _state: ClientState = 'idle';
  private requestedClose = false;
  /** disconnect() was called in state `ready`: the close is then reported as a disconnect, not a failed connect. */
  private closingWasReady = false;
  private control: FrameDecoder | null = null;
  private serverStreams: (InboundStream | undefined)[] = [];
  private readonly rooms = new Map<number, RoomView>();
  /** Rooms whose hot messages wait for shard-stream progress (usually empty). */
  private awaitingShardProgress: RoomView[] | null = null;
  private chatStream = NO_STREAM;
  private ackStream = NO_STREAM;
  private uploadStream = NO_STREAM;
  private pendingWrites: Map<number, Uint8Array[]> | null = null;
  private uploadStarts: UploadJob[] = [];
  private readonly uploads = new Map<number, UploadJob>();
  private holding = false;

  /** Shard count from HelloAck (0 before). */
  numShards = 0;
  /** hot_room_config from HelloAck, or null when the server does not advertise it. */
  hotRoomConfig: HotRoomConfig | null = null;
  sessionId = '';
  userId: U64 = 0;
  /** When the current connection attempt started, its QUIC handshake completed, and the last bytes arrived. */
  connectStartedAtMs = 0;
  connectedAtMs = 0;
  lastHeardAtMs = 0;
  /** Reason of the server's Goodbye on this connection, if any. */
  goodbyeReason: string | null = null;
  /** Round-trip time of the last answered client Ping (ms), or null. */
  lastPingRttMs: number | null = null;

  constructor(
    /** Global client index (stamps, tracking, username). */
    readonly index: number,
    readonly username: string,
    /** Shared endpoint, events and options. */
    readonly context: ClientContext,
  ) {}

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
    const room = this.rooms.get(roomId);
    return room !== undefined && room.member && !room.leaving;
  }

  /** Highest RoomMessage id delivered in a room on this connection (0 if none). */
  lastMessageIdIn(roomId: number): number {
    return this.rooms.get(roomId)?.lastMessageId ?? 0;
  }

  /** RoomMessages delivered in a room on this connection so far (how far its history has moved on). */
  messageCountIn(roomId: number): number {
    return this.rooms.get(roomId)?.messageCount ?? 0;
  }

  /** Rooms the client is a member of. */
  memberRooms(): number[] {
    const ids: number[] = [];
    for (const room of this.rooms.values()) if (room.member && !room.leaving) ids.push(room.id);
    return ids;
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
    clients.set(connection, this);
    connection.onEstablished = onEstablished;
    connection.onData = onData;
    connection.onDrain = onDrain;
    connection.onStopSending = onStopSending;
    connection.onStreamReset = onStreamReset;
    connection.onDatagram = onDatagram;
    connection.onClose = onClose;
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
    clients.delete(connection);
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
    return this.writeChat(encodeFrame('AddReaction', { message_id: messageId, emoji }));
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
    const room = this.rooms.get(u64ToNumber(roomId));
    if (room !== undefined) room.leaving = true;
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
    this.write(CONTROL_STREAM, encodeFrame('Ping', { timestamp: Math.floor(epochNowMs()) }));
    return true;
  }

  /**
   * Starts an upload: UploadStart now; chunks and UploadComplete once the server's UploadAck names the
   * upload id; `uploadDone`/`uploadFailed` report the outcome.
   */
  startUpload(job: UploadJob): boolean {
    if (!this.openUploadStream()) return false;
    job.startedAtMs = epochNowMs();
    this.uploadStarts.push(job);
    this.write(
      this.uploadStream,
      encodeFrame('UploadStart', {
        room_id: job.roomId,
        filename: job.filename,
        mime_type: job.mimeType,
        size: job.data.length,
        checksum: job.checksum,
      }),
    );
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
    this.write(CONTROL_STREAM, encodeFrame('Hello', { version: 1, capabilities: ['chat', 'presence'] }));
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
    const index = serverUniStreamIndex(streamId);
    if (index < 0) return;
    let stream = this.serverStreams[index];
    if (stream === undefined) {
      stream = new InboundStream();
      this.serverStreams[index] = stream;
    }
    if (stream.dead) return;
    stream.decoder.push(data);
    if (this.numShards === 0) {
      // Stream data overtook HelloAck: classify once num_shards is known.
      if (fin) stream.finPending = true;
      return;
    }
    this.readServerStream(stream, streamId, index, fin, now);
  }

  /** @internal */
  handleDrain(streamId: number): void {
    const queue = this.pendingWrites?.get(streamId);
    const connection = this.connection;
    if (queue === undefined || connection === null) return;
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      const written = connection.write(streamId, head);
      if (written < head.length) {
        if (written > 0) queue[0] = head.subarray(written);
        return;
      }
      queue.shift();
    }
    this.pendingWrites?.delete(streamId);
  }

  /** @internal The server aborted one of our uni streams: the next command opens a new one. */
  handleStopSending(streamId: number, errorCode: number): void {
    this.pendingWrites?.delete(streamId);
    if (streamId === this.chatStream) this.chatStream = NO_STREAM;
    if (streamId === this.ackStream) this.ackStream = NO_STREAM;
    if (streamId === this.uploadStream) this.uploadStream = NO_STREAM;
    this.context.events.streamStopped(this, streamId, errorCode, epochNowMs());
  }

  /** @internal */
  handleStreamReset(streamId: number): void {
    const index = serverUniStreamIndex(streamId);
    const stream = index < 0 ? undefined : this.serverStreams[index];
    const now = epochNowMs();
    if (stream?.room) this.finishHotStream(stream.room, streamId, now);
    if (index >= 0) this.serverStreams[index] = undefined;
    this.context.events.protocolViolation(this, '5/shard-streams', `server reset stream ${streamId}`, now);
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

  /** @internal HoldOwner: releases switch holds that are due; returns the next deadline. */
  releaseHolds(nowMs: number): number {
    let next = Infinity;
    for (const room of this.rooms.values()) {
      room.order.expire(nowMs, room);
      const deadline = room.order.deadlineMs;
      if (deadline < next) next = deadline;
    }
    this.refreshShardWaiters();
    if (next === Infinity) this.holding = false;
    return next;
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
        this.sessionId = ack.session_id;
        this.hotRoomConfig = ack.hot_room_config;
        if (ack.num_shards < 1) {
          this.violation('9/num-shards', `HelloAck.num_shards is ${ack.num_shards}`, now);
          this.numShards = 1;
        }
        events.helloAck(this, ack, now);
        if (this.context.pipelineAuth === false) this.sendAuth();
        this.classifyPendingStreams(now);
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
        this.write(CONTROL_STREAM, encodeFrame('Pong', { timestamp: frame.payload.timestamp }));
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
      case 'RoomPromoted': {
        const room = this.room(frame.payload.room_id);
        if (!room.order.isHot) room.order.setHoldMs(this.switchHoldMs());
        room.order.promoted();
        events.roomPromoted(this, room.id, now);
        return;
      }
      case 'RoomDemoted': {
        const room = this.room(frame.payload.room_id);
        room.order.demotedSignal();
        events.roomDemoted(this, room.id, now);
        return;
      }
      case 'MessageAck':
        events.messageAck(this, frame.payload, now);
        return;
      case 'UploadAck':
        this.handleUploadAck(u64ToNumber(frame.payload.upload_id), frame.payload.url, now);
        return;
      case 'Error':
        this.handleUploadError(frame.payload.context, frame.payload.message, now);
        events.serverError(this, frame.payload, now);
        return;
      default:
        this.violation('5/control-ranges', `${frame.name} on the control stream`, now);
    }
  }

  private classifyPendingStreams(now: number): void {
    this.serverStreams.forEach((stream, index) => {
      if (stream === undefined || stream.dead) return;
      this.readServerStream(stream, 4 * index + 3, index, stream.finPending, now);
    });
  }

  private readServerStream(
    stream: InboundStream,
    streamId: number,
    index: number,
    fin: boolean,
    now: number,
  ): void {
    const isShard = index < this.numShards;
    for (;;) {
      let frame: InboundFrame | undefined;
      try {
        const next = stream.decoder.nextOrRaw();
        if (next instanceof RawFrame) {
          const message = readRoomMessage(next);
          if (isShard) {
            // The per-delivery hot path: no frame object around the message.
            this.shardRoomMessage(index, message, now);
            continue;
          }
          frame = { code: ROOM_MESSAGE, name: 'RoomMessage', payload: message };
        } else frame = next;
      } catch (error) {
        if (error instanceof FrameError && error.framingIntact) {
          this.violation('3/invalid-payload', `stream ${streamId}: ${error.message}`, now);
          continue;
        }
        this.violation('5/server-stream-violation', `stream ${streamId}: ${String(error)}`, now);
        stream.dead = true;
        this.connection?.stopSending(streamId, 1001);
        break;
      }
      if (frame === undefined) break;
      if (isShard) this.handleShardFrame(index, frame, now);
      else this.handleHotFrame(stream, streamId, frame, now);
    }
    if (!fin) return;
    if (!stream.dead) {
      try {
        stream.decoder.end();
      } catch (error) {
        this.violation('3/truncated', `stream ${streamId}: ${String(error)}`, now);
      }
    }
    if (isShard) this.violation('5/shard-streams', `server finished shard stream ${streamId}`, now);
    else if (stream.room !== null) this.finishHotStream(stream.room, streamId, now);
    this.serverStreams[index] = undefined;
  }

  private handleShardFrame(shard: number, frame: InboundFrame, now: number): void {
    if (!isRoomFrame(frame)) {
      this.violation('5/shard-streams', `${frame.name} on shard stream ${shard}`, now);
      return;
    }
    if (frame.code === ROOM_MESSAGE) {
      this.shardRoomMessage(shard, frame.payload as PeekedRoomMessage, now);
      return;
    }
    const rawRoomId = frame.payload.room_id;
    if (shardOfRoom(rawRoomId, this.numShards) !== shard) {
      this.violation('4.3/room-frame-routing', `${frame.name} for room ${rawRoomId} on shard ${shard}`, now);
    }
    this.handleRoomFrame(this.room(rawRoomId), frame, now);
  }

  /** A RoomMessage on shard stream `shard`: routing checked, then merged into its room's order. */
  private shardRoomMessage(shard: number, message: PeekedRoomMessage, now: number): void {
    const rawRoomId = message.room_id;
    if (shardOfRoom(rawRoomId, this.numShards) !== shard) {
      this.violation('4.3/room-frame-routing', `RoomMessage for room ${rawRoomId} on shard ${shard}`, now);
    }
    const room = this.room(rawRoomId);
    const id = u64ToNumber(message.message_id);
    room.order.shardMessage(message, id, now, room);
    if (this.awaitingShardProgress !== null) this.shardProgress(shard, id);
    this.afterOrderChange(room);
  }

  private handleHotFrame(stream: InboundStream, streamId: number, frame: InboundFrame, now: number): void {
    let room = stream.room;
    if (room === null) {
      if (frame.code === ROOM_PROMOTED) {
        room = this.room((frame as Extract<Frame, { name: 'RoomPromoted' }>).payload.room_id);
        stream.room = room;
        if (!room.order.isHot) room.order.setHoldMs(this.switchHoldMs());
        room.order.hotStreamOpened(streamId);
        this.afterOrderChange(room);
        return;
      }
      if (!isRoomFrame(frame)) {
        this.violation('5/hot-room-streams', `hot stream ${streamId} starts with ${frame.name}`, now);
        return;
      }
      // 5/interop-hot-header: a header-less hot stream is mapped by its first room frame.
      room = this.room(frame.payload.room_id);
      stream.room = room;
      if (!room.order.isHot) room.order.setHoldMs(this.switchHoldMs());
      room.order.hotStreamOpened(streamId);
    }
    if (!isRoomFrame(frame)) {
      this.violation('5/hot-room-streams', `${frame.name} on hot stream ${streamId}`, now);
      return;
    }
    if (u64ToNumber(frame.payload.room_id) !== room.id) {
      this.violation(
        '5/hot-room-streams',
        `${frame.name} for room ${frame.payload.room_id} on the hot stream of room ${room.id}`,
        now,
      );
      this.handleRoomFrame(this.room(frame.payload.room_id), frame, now);
      return;
    }
    if (frame.code === ROOM_MESSAGE) {
      const message = frame.payload as PeekedRoomMessage;
      room.order.hotMessage(message, u64ToNumber(message.message_id), now, room);
      this.afterOrderChange(room);
      return;
    }
    this.handleRoomFrame(room, frame, now);
  }

  private handleRoomFrame(room: RoomView, frame: InboundFrame, now: number): void {
    if (frame.code === ROOM_INIT) {
      room.member = true;
      room.leaving = false;
      this.context.events.roomInit(this, (frame as Extract<Frame, { name: 'RoomInit' }>).payload, now);
    } else if (frame.code === ROOM_CLOSE) {
      room.order.reset(room);
      room.member = false;
      room.leaving = false;
      this.context.events.roomClosed(this, (frame as Extract<Frame, { name: 'RoomClose' }>).payload, now);
    }
    // Edits, deletes, reactions, joins and leaves of others need no client state.
  }

  private finishHotStream(room: RoomView, streamId: number, now: number): void {
    room.order.hotFinished(streamId, room);
    this.afterOrderChange(room);
    void now;
  }

  /**
   * Hold time for a stream switch: the configured one, longer on a slow path. A shard straggler is late by
   * about one loss-recovery delay, a few round trips; a loaded machine stretches the round trip.
   */
  private switchHoldMs(): number {
    const base = this.context.switchHoldMs ?? DEFAULT_SWITCH_HOLD_MS;
    let rttMs = 0;
    try {
      rttMs = this.connection?.stats().rttMs ?? 0;
    } catch {
      // no path statistics: keep the configured hold
    }
    return Math.max(base, 4 * rttMs + 50);
  }

  private shardProgress(shard: number, id: number): void {
    const waiting = this.awaitingShardProgress;
    if (waiting === null) return;
    for (const room of waiting) {
      if (shardOfRoom(room.rawId, this.numShards) === shard) room.order.shardProgress(id, room);
    }
    this.refreshShardWaiters();
  }

  /** Keeps the hold timer and the shard-progress list in step with a room's merge state. */
  private afterOrderChange(room: RoomView): void {
    const order = room.order;
    if (order.awaitsShardProgress) {
      const waiting = (this.awaitingShardProgress ??= []);
      if (!waiting.includes(room)) waiting.push(room);
    }
    if (order.deadlineMs !== Infinity && !this.holding) {
      this.holding = true;
      this.context.holdTimer.watch(this);
    }
  }

  private refreshShardWaiters(): void {
    const waiting = this.awaitingShardProgress;
    if (waiting === null) return;
    const still = waiting.filter((room) => room.order.awaitsShardProgress);
    this.awaitingShardProgress = still.length > 0 ? still : null;
  }

  private room(rawId: U64): RoomView {
    const id = u64ToNumber(rawId);
    let room = this.rooms.get(id);
    if (room === undefined) {
      room = new RoomView(id, rawId, this, this.context.switchHoldMs ?? DEFAULT_SWITCH_HOLD_MS);
      this.rooms.set(id, room);
    }
    return room;
  }

  // ---------------------------------------------------------------------------------------------
  // Uploads

  private handleUploadAck(uploadId: number, url: string | null, now: number): void {
    if (url === null) {
      // First UploadAck: answers the oldest UploadStart (13/upload-start: in order of the starts).
      const job = this.uploadStarts.shift();
      if (job === undefined) {
        this.violation('13/upload-start', `UploadAck for upload ${uploadId} without an UploadStart`, now);
        return;
      }
      job.uploadId = uploadId;
      this.uploads.set(uploadId, job);
      for (const bytes of uploadBodyFrames(job)) this.write(this.uploadStream, bytes);
      return;
    }
    const job = this.uploads.get(uploadId);
    if (job === undefined) return;
    this.uploads.delete(uploadId);
    this.context.events.uploadDone(this, job, uploadId, url, now);
  }

  private handleUploadError(context: string | null, message: string, now: number): void {
    if (context === null) return;
    if (context.startsWith('upload ')) {
      const id = Number(context.slice('upload '.length).split(/[^0-9]/)[0]);
      const job = this.uploads.get(id);
      if (job === undefined) return;
      this.uploads.delete(id);
      this.context.events.uploadFailed(this, job, `${context}: ${message}`, now);
    } else if (context.startsWith('UploadStart')) {
      const job = this.uploadStarts.shift();
      if (job !== undefined) this.context.events.uploadFailed(this, job, `${context}: ${message}`, now);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  private sendAuth(): void {
    this.write(CONTROL_STREAM, encodeFrame('Auth', { method: 'username', credentials: this.username }));
  }

  private writeChat(bytes: Uint8Array): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    if (this.chatStream === NO_STREAM) {
      const id = this.openUni();
      if (id === NO_STREAM) return false;
      this.chatStream = id;
    }
    this.write(this.chatStream, bytes);
    return true;
  }

  private writeAck(bytes: Uint8Array): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    if (this.ackStream === NO_STREAM) {
      const id = this.openUni();
      if (id === NO_STREAM) return false;
      this.ackStream = id;
    }
    this.write(this.ackStream, bytes);
    return true;
  }

  private openUploadStream(): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    if (this.uploadStream === NO_STREAM) {
      const id = this.openUni();
      if (id === NO_STREAM) return false;
      this.uploadStream = id;
    }
    return true;
  }

  private openUni(): number {
    try {
      return (this.connection as QuicConnection).openUni();
    } catch {
      return NO_STREAM; // stream limit reached for now
    }
  }

  private sendDatagramFrame(bytes: Uint8Array): boolean {
    if (this._state !== 'ready' || this.connection === null) return false;
    return this.connection.sendDatagram(bytes);
  }

  /** Writes bytes in order, queueing what the transport does not take now (sent on drain). */
  private write(streamId: number, bytes: Uint8Array): void {
    const connection = this.connection;
    if (connection === null) return;
    const queue = this.pendingWrites?.get(streamId);
    if (queue !== undefined) {
      queue.push(bytes);
      return;
    }
    const written = connection.write(streamId, bytes);
    if (written < bytes.length) {
      (this.pendingWrites ??= new Map()).set(streamId, [bytes.subarray(written)]);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private violation(rule: string, detail: string, now: number): void {
    this.context.events.protocolViolation(this, rule, detail, now);
  }

  /** Releases the connection's state; returns the rooms it was a member of. */
  private finishClose(atMs: number): number[] {
    // Rooms being left count too: their membership ends only now.
    const memberOf: number[] = [];
    for (const room of this.rooms.values()) if (room.member) memberOf.push(room.id);
    for (const room of this.rooms.values()) room.order.reset(room);
    this.rooms.clear();
    this.awaitingShardProgress = null;
    if (this.holding) {
      this.holding = false;
      this.context.holdTimer.unwatch(this);
    }
    const failed = [...this.uploadStarts, ...this.uploads.values()];
    this.uploadStarts = [];
    this.uploads.clear();
    this.control = null;
    this.serverStreams = [];
    this.pendingWrites = null;
    this._state = 'closed';
    for (const job of failed) this.context.events.uploadFailed(this, job, 'connection closed', atMs);
    return memberOf;
  }

  private resetConnectionState(): void {
    this.requestedClose = false;
    this.numShards = 0;
    this.hotRoomConfig = null;
    this.sessionId = '';
    this.chatStream = NO_STREAM;
    this.ackStream = NO_STREAM;
    this.uploadStream = NO_STREAM;
    this.goodbyeReason = null;
    this.lastPingRttMs = null;
    this.connectedAtMs = 0;
  }
}
