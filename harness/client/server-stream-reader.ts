/**
 * The server-initiated streams of one client connection and the rooms they feed (PROTOCOL.md 9/stream-ids):
 * uni stream index i < num_shards is shard i; later ones are hot-room streams, mapped by their RoomPromoted
 * header (or, header-less, by their first room frame: 5/interop-hot-header). Per-room RoomMessage order is
 * merged across stream switches (room-switch-order.ts). Each stream has one spec FrameDecoder.
 *
 * RoomMessages on shard and hot streams (the per-delivery hot path) are not decoded: the decoder hands their
 * payload bytes over raw and peekRoomMessage reads message_id, room_id and nonce, all the harness needs. Only
 * when the peek gives up, and for one RoomMessage in FULL_DECODE_EVERY, is the payload decoded and validated in
 * full. Trade-off: most RoomMessages' other fields (sender, content, timestamp, ...) and, on the peek's fast
 * path, the JSON syntax between the ids and the nonce are not checked here; the sample still reports a server
 * whose payloads are broken throughout as a protocol violation, and the conformance suite decodes and
 * validates every frame it receives. RoomInit and RoomUserJoined are read the same way (membership-frames.ts).
 */
import {
  FRAME_CODES,
  FrameDecoder,
  FrameError,
  RawFrame,
  decodePayload,
  type Frame,
  type PeekedRoomMessage,
  type U64,
  peekRoomMessage,
  u64ToNumber,
} from '../../spec/index.js';
import type { ClientEvents } from './client-events.js';
import type { HoldOwner, HoldTimer } from './hold-timer.js';
import {
  ROOM_INIT,
  ROOM_USER_JOINED,
  readMembershipFrame,
  type PeekedMembershipFrame,
  type RoomInitHead,
} from './membership-frames.js';
import { RoomSwitchOrder, type OrderedDeliverySink } from './room-switch-order.js';
import { serverUniStreamIndex, shardOfRoom } from './server-streams.js';

// Room frames run from RoomMessage to RoomClose in the frame table.
const FIRST_ROOM_FRAME = FRAME_CODES.RoomMessage;
const LAST_ROOM_FRAME = FRAME_CODES.RoomClose;
const ROOM_MESSAGE = FRAME_CODES.RoomMessage;
const ROOM_CLOSE = FRAME_CODES.RoomClose;
const ROOM_PROMOTED = FRAME_CODES.RoomPromoted;
const ROOM_MESSAGE_DELETED = FRAME_CODES.RoomMessageDeleted;

/** A RoomMessage read with peekRoomMessage (or fully decoded): only its ids and nonce. */
interface PeekedMessageFrame {
  readonly code: typeof ROOM_MESSAGE;
  readonly name: 'RoomMessage';
  readonly payload: PeekedRoomMessage;
}

/** A frame read from a shard or hot-room stream. */
type InboundFrame = Frame | PeekedMessageFrame | PeekedMembershipFrame;

function isRoomFrame(
  frame: InboundFrame,
): frame is Extract<Frame, { payload: { room_id: U64 } }> | PeekedMessageFrame | PeekedMembershipFrame {
  return frame.code >= FIRST_ROOM_FRAME && frame.code <= LAST_ROOM_FRAME;
}

/** Server-stream RoomMessages, RoomInits and RoomUserJoineds come raw from the decoder (see the module comment). */
const RAW_ON_SERVER_STREAMS = { rawCodes: [ROOM_MESSAGE, ROOM_INIT, ROOM_USER_JOINED] };

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

/** What the reader needs of its client (a SimClient): the shard count and the path. */
export interface ServerStreamOwner {
  /** Shard count from HelloAck (0 before). */
  readonly numShards: number;
  /** The connection's round-trip estimate (ms), 0 when unknown. */
  roundTripMs(): number;
  /** Asks the server to stop a stream whose framing is lost (STOP_SENDING). */
  stopSending(streamId: number, code: number): void;
  /** A RoomMessageDeleted arrived (a reaction to that message may have raced the delete: reaction-race.ts). */
  messageDeleted(messageId: number, atMs: number): void;
}

/**
 * Newest message ids a room view keeps as reaction targets. A deleted one is dropped, so a reaction never names a
 * message the client already saw deleted (the server answers NOT_FOUND, and a load run counted it as an error).
 */
const LIVE_MESSAGES_KEPT = 8;

/** One room as the client sees it: membership, its newest undeleted messages, and the switch merge state. */
class RoomView<Client> implements OrderedDeliverySink {
  member = false;
  /** LeaveRoom sent, RoomClose not yet received. */
  leaving = false;
  /** The newest delivered message ids not seen deleted, ascending (at most LIVE_MESSAGES_KEPT). */
  readonly liveIds: number[] = [];
  /** RoomMessages delivered in this room on this connection. */
  messageCount = 0;
  /**
   * The merge state across hot-room stream switches, from the room's first switch on (ServerStreamReader.orderOf);
   * null while the room never had a hot stream, as almost every room: its messages are delivered as they come.
   * Lazy because a load run holds a view per room per client (~130 bytes each).
   */
  order: RoomSwitchOrder | null = null;

  constructor(
    readonly id: number,
    readonly rawId: U64,
    private readonly client: Client,
    private readonly events: ClientEvents<Client>,
  ) {}

  deliverOrdered(message: PeekedRoomMessage, receivedAtMs: number): void {
    const id = u64ToNumber(message.message_id);
    const live = this.liveIds;
    if (live.length === 0 || id > (live[live.length - 1] as number)) {
      live.push(id);
      if (live.length > LIVE_MESSAGES_KEPT) live.shift();
    }
    this.messageCount++;
    this.events.roomMessage(this.client, message, receivedAtMs);
  }
}

/** A server-initiated unidirectional stream being read. */
class InboundStream<Client> {
  readonly decoder = new FrameDecoder(RAW_ON_SERVER_STREAMS);
  constructor(
    /** Its index among the server's uni streams (serverUniStreamIndex). */
    readonly index: number,
  ) {}
  /** The room of a hot-room stream, once known. */
  room: RoomView<Client> | null = null;
  /** FIN seen before the stream could be classified (num_shards unknown). */
  finPending = false;
  /** Framing lost: the rest of the stream is ignored. */
  dead = false;
}

/**
 * Reads the shard and hot-room streams of one connection and keeps the client's view of its rooms; what it
 * reads goes to the client's events.
 */
export class ServerStreamReader<Client extends ServerStreamOwner> implements HoldOwner {
  /**
   * The open server streams, by ascending index: a client reads a few (its rooms' shards), whose indexes go up to
   * num_shards, and an array indexed by stream index kept ~170 bytes of holes per client.
   */
  private streams: InboundStream<Client>[] = [];
  private readonly rooms = new Map<number, RoomView<Client>>();
  /** Rooms whose hot messages wait for shard-stream progress (usually empty). */
  private awaitingShardProgress: RoomView<Client>[] | null = null;
  private holding = false;

  constructor(
    private readonly owner: Client,
    private readonly events: ClientEvents<Client>,
    private readonly holdTimer: HoldTimer,
    /** The configured switch hold (ms); a slow path lengthens it (switchHoldMs). */
    private readonly baseHoldMs: number,
  ) {}

  /** Whether the client is a member of a room: RoomInit seen, and neither RoomClose nor our LeaveRoom since. */
  isMember(roomId: number): boolean {
    const room = this.rooms.get(roomId);
    return room !== undefined && room.member && !room.leaving;
  }

  /** Newest RoomMessage id delivered in a room on this connection and not seen deleted since (0 if none). */
  latestLiveMessageIn(roomId: number): number {
    const live = this.rooms.get(roomId)?.liveIds;
    return live?.[live.length - 1] ?? 0;
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

  /** Our LeaveRoom is written: the room counts as left for `isMember` from now on. */
  markLeaving(roomId: number): void {
    const room = this.rooms.get(roomId);
    if (room !== undefined) room.leaving = true;
  }

  /** RoomPromoted on the control stream; returns the room id. */
  promoted(rawRoomId: U64): number {
    const room = this.room(rawRoomId);
    this.switchingOrderOf(room).promoted();
    return room.id;
  }

  /** RoomDemoted on the control stream; returns the room id. */
  demoted(rawRoomId: U64): number {
    const room = this.room(rawRoomId);
    room.order?.demotedSignal();
    return room.id;
  }

  /** Bytes on a server-initiated uni stream. */
  data(streamId: number, data: Buffer, fin: boolean, now: number): void {
    const index = serverUniStreamIndex(streamId);
    if (index < 0) return;
    let stream = this.streamAt(index);
    if (stream === undefined) {
      stream = new InboundStream<Client>(index);
      this.addStream(stream);
    }
    if (stream.dead) return;
    stream.decoder.push(data);
    if (this.owner.numShards === 0) {
      // Stream data overtook HelloAck: classify once num_shards is known.
      if (fin) stream.finPending = true;
      return;
    }
    this.readStream(stream, streamId, index, fin, now);
  }

  /** The server reset one of its streams (a protocol violation: 5/shard-streams). */
  reset(streamId: number, now: number): void {
    const index = serverUniStreamIndex(streamId);
    const stream = index < 0 ? undefined : this.streamAt(index);
    if (stream?.room) this.finishHotStream(stream.room, streamId);
    if (stream !== undefined) this.removeStream(stream);
    this.violation('5/shard-streams', `server reset stream ${streamId}`, now);
  }

  /** HelloAck arrived: reads the streams whose data came before it. */
  classifyPending(now: number): void {
    // A copy: a stream that finishes leaves the list.
    for (const stream of [...this.streams]) {
      if (stream.dead) continue;
      this.readStream(stream, 4 * stream.index + 3, stream.index, stream.finPending, now);
    }
  }

  /** @internal HoldOwner: releases switch holds that are due; returns the next deadline. */
  releaseHolds(nowMs: number): number {
    let next = Infinity;
    for (const room of this.rooms.values()) {
      const order = room.order;
      if (order === null) continue;
      order.expire(nowMs, room);
      const deadline = order.deadlineMs;
      if (deadline < next) next = deadline;
    }
    this.refreshShardWaiters();
    if (next === Infinity) this.holding = false;
    return next;
  }

  /** The connection closed: forgets streams and rooms; returns the rooms the client was a member of. */
  close(): number[] {
    // Rooms being left count too: their membership ends only now.
    const memberOf: number[] = [];
    for (const room of this.rooms.values()) if (room.member) memberOf.push(room.id);
    for (const room of this.rooms.values()) room.order?.reset(room);
    this.rooms.clear();
    this.awaitingShardProgress = null;
    if (this.holding) {
      this.holding = false;
      this.holdTimer.unwatch(this);
    }
    this.streams = [];
    return memberOf;
  }

  private readStream(
    stream: InboundStream<Client>,
    streamId: number,
    index: number,
    fin: boolean,
    now: number,
  ): void {
    const isShard = index < this.owner.numShards;
    for (;;) {
      let frame: InboundFrame | undefined;
      try {
        const next = stream.decoder.nextOrRaw();
        if (next instanceof RawFrame && next.code !== ROOM_MESSAGE) frame = readMembershipFrame(next);
        else if (next instanceof RawFrame) {
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
        this.owner.stopSending(streamId, 1001);
        break;
      }
      if (frame === undefined) break;
      if (isShard) this.shardFrame(index, frame, now);
      else this.hotFrame(stream, streamId, frame, now);
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
    else if (stream.room !== null) this.finishHotStream(stream.room, streamId);
    this.removeStream(stream);
  }

  private streamAt(index: number): InboundStream<Client> | undefined {
    for (const stream of this.streams) if (stream.index === index) return stream;
    return undefined;
  }

  /** Inserts in index order; the new array is exactly as long as needed (a push would reserve 17 slots). */
  private addStream(stream: InboundStream<Client>): void {
    const streams = this.streams;
    let at = streams.length;
    while (at > 0 && (streams[at - 1] as InboundStream<Client>).index > stream.index) at--;
    // slice and concat allocate exactly what they hold.
    this.streams = streams.slice(0, at).concat([stream], streams.slice(at));
  }

  private removeStream(stream: InboundStream<Client>): void {
    const at = this.streams.indexOf(stream);
    if (at >= 0) this.streams = this.streams.slice(0, at).concat(this.streams.slice(at + 1));
  }

  private shardFrame(shard: number, frame: InboundFrame, now: number): void {
    if (!isRoomFrame(frame)) {
      this.violation('5/shard-streams', `${frame.name} on shard stream ${shard}`, now);
      return;
    }
    if (frame.code === ROOM_MESSAGE) {
      this.shardRoomMessage(shard, frame.payload as PeekedRoomMessage, now);
      return;
    }
    const rawRoomId = frame.payload.room_id;
    if (shardOfRoom(rawRoomId, this.owner.numShards) !== shard) {
      this.violation('4.3/room-frame-routing', `${frame.name} for room ${rawRoomId} on shard ${shard}`, now);
    }
    this.roomFrame(this.room(rawRoomId), frame, now);
  }

  /** A RoomMessage on shard stream `shard`: routing checked, then merged into its room's order. */
  private shardRoomMessage(shard: number, message: PeekedRoomMessage, now: number): void {
    const rawRoomId = message.room_id;
    if (shardOfRoom(rawRoomId, this.owner.numShards) !== shard) {
      this.violation('4.3/room-frame-routing', `RoomMessage for room ${rawRoomId} on shard ${shard}`, now);
    }
    const room = this.room(rawRoomId);
    const id = u64ToNumber(message.message_id);
    const order = room.order;
    // A room that never switched has nothing to merge: delivered as it comes.
    if (order === null) room.deliverOrdered(message, now);
    else order.shardMessage(message, id, now, room);
    if (this.awaitingShardProgress !== null) this.shardProgress(shard, id);
    if (order !== null) this.afterOrderChange(room, order);
  }

  private hotFrame(stream: InboundStream<Client>, streamId: number, frame: InboundFrame, now: number): void {
    let room = stream.room;
    if (room === null) {
      if (frame.code === ROOM_PROMOTED) {
        room = this.room((frame as Extract<Frame, { name: 'RoomPromoted' }>).payload.room_id);
        stream.room = room;
        const order = this.switchingOrderOf(room);
        order.hotStreamOpened(streamId);
        this.afterOrderChange(room, order);
        return;
      }
      if (!isRoomFrame(frame)) {
        this.violation('5/hot-room-streams', `hot stream ${streamId} starts with ${frame.name}`, now);
        return;
      }
      // 5/interop-hot-header: a header-less hot stream is mapped by its first room frame.
      room = this.room(frame.payload.room_id);
      stream.room = room;
      const order = this.switchingOrderOf(room);
      order.hotStreamOpened(streamId);
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
      this.roomFrame(this.room(frame.payload.room_id), frame, now);
      return;
    }
    if (frame.code === ROOM_MESSAGE) {
      const message = frame.payload as PeekedRoomMessage;
      const order = this.orderOf(room);
      order.hotMessage(message, u64ToNumber(message.message_id), now, room);
      this.afterOrderChange(room, order);
      return;
    }
    this.roomFrame(room, frame, now);
  }

  private roomFrame(room: RoomView<Client>, frame: InboundFrame, now: number): void {
    if (frame.code === ROOM_INIT) {
      room.member = true;
      room.leaving = false;
      this.events.roomInit(this.owner, frame.payload as RoomInitHead, now);
    } else if (frame.code === ROOM_CLOSE) {
      room.order?.reset(room);
      room.member = false;
      room.leaving = false;
      this.events.roomClosed(this.owner, (frame as Extract<Frame, { name: 'RoomClose' }>).payload, now);
    } else if (frame.code === ROOM_MESSAGE_DELETED) {
      const id = u64ToNumber((frame as Extract<Frame, { name: 'RoomMessageDeleted' }>).payload.message_id);
      const at = room.liveIds.indexOf(id);
      if (at >= 0) room.liveIds.splice(at, 1);
      this.owner.messageDeleted(id, now);
    }
    // Edits, reactions, joins and leaves of others need no client state.
  }

  private finishHotStream(room: RoomView<Client>, streamId: number): void {
    const order = room.order;
    if (order === null) return;
    order.hotFinished(streamId, room);
    this.afterOrderChange(room, order);
  }

  /** The room's switch merge state, created at its first switch. */
  private orderOf(room: RoomView<Client>): RoomSwitchOrder {
    return (room.order ??= new RoomSwitchOrder(this.baseHoldMs));
  }

  /** The room's merge state as a switch to a hot stream begins: a room not hot yet takes the current switch hold. */
  private switchingOrderOf(room: RoomView<Client>): RoomSwitchOrder {
    const order = this.orderOf(room);
    if (!order.isHot) order.setHoldMs(this.switchHoldMs());
    return order;
  }

  /**
   * Hold time for a stream switch: the configured one, longer on a slow path. A shard straggler is late by
   * about one loss-recovery delay, a few round trips; a loaded machine stretches the round trip.
   */
  private switchHoldMs(): number {
    return Math.max(this.baseHoldMs, 4 * this.owner.roundTripMs() + 50);
  }

  private shardProgress(shard: number, id: number): void {
    const waiting = this.awaitingShardProgress;
    if (waiting === null) return;
    for (const room of waiting) {
      if (shardOfRoom(room.rawId, this.owner.numShards) === shard) room.order?.shardProgress(id, room);
    }
    this.refreshShardWaiters();
  }

  /** Keeps the hold timer and the shard-progress list in step with a room's merge state. */
  private afterOrderChange(room: RoomView<Client>, order: RoomSwitchOrder): void {
    if (order.awaitsShardProgress) {
      const waiting = (this.awaitingShardProgress ??= []);
      if (!waiting.includes(room)) waiting.push(room);
    }
    if (order.deadlineMs !== Infinity && !this.holding) {
      this.holding = true;
      this.holdTimer.watch(this);
    }
  }

  private refreshShardWaiters(): void {
    const waiting = this.awaitingShardProgress;
    if (waiting === null) return;
    const still = waiting.filter((room) => room.order?.awaitsShardProgress === true);
    this.awaitingShardProgress = still.length > 0 ? still : null;
  }

  private room(rawId: U64): RoomView<Client> {
    const id = u64ToNumber(rawId);
    let room = this.rooms.get(id);
    if (room === undefined) {
      room = new RoomView(id, rawId, this.owner, this.events);
      this.rooms.set(id, room);
    }
    return room;
  }

  private violation(rule: string, detail: string, now: number): void {
    this.events.protocolViolation(this.owner, rule, detail, now);
  }
}
