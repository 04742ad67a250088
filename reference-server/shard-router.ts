/**
 * Which server stream carries a room's frames to a connection (PROTOCOL.md 9 and 10).
 *
 * Room r travels on shard r % num_shards, whose stream is the i-th server-initiated unidirectional QUIC stream
 * (id 4i + 3), unless the room is hot for that connection: then on the hot stream opened at promotion.
 */
import type { U64 } from '../spec/index.js';

/** QUIC id of the i-th server-initiated unidirectional stream (RFC 9000 2.1: low bits 0b11). */
export function serverUniStreamId(index: number): number {
  return 4 * index + 3;
}

/** Maps rooms to shards; stateless apart from the shard count. */
export class ShardRouter {
  constructor(readonly numShards: number) {
    if (!Number.isInteger(numShards) || numShards < 1 || numShards > 255)
      throw new RangeError(`numShards must be an integer 1-255, got ${numShards}`);
  }

  /** Shard of a room: room_id % num_shards, exact for ids above 2^53. */
  shardOf(roomId: U64): number {
    return typeof roomId === 'number' ? roomId % this.numShards : Number(roomId % BigInt(this.numShards));
  }

  /** ShardAssignment.shard_streams for a connection in `rooms`: every shard, with the rooms it carries (6.4). */
  assignment(rooms: readonly U64[]): { shard_id: number; room_ids: U64[] }[] {
    const shardStreams = [];
    for (let shard = 0; shard < this.numShards; shard++)
      shardStreams.push({ shard_id: shard, room_ids: rooms.filter((r) => this.shardOf(r) === shard) });
    return shardStreams;
  }

  /** QUIC stream id of a shard's stream. */
  shardStreamId(shard: number): number {
    return serverUniStreamId(shard);
  }

  /** A fresh per-connection route table for this shard layout. */
  newConnectionRoutes(): ConnectionRoutes {
    return new ConnectionRoutes(this);
  }
}

/**
 * One connection's view of the routes: which rooms are hot for it and on which stream. Hot streams get the next
 * server uni stream ids after the shard streams, in order, as QUIC requires streams of a type to be used in order.
 */
export class ConnectionRoutes {
  private readonly hotStreams = new Map<U64, number>();
  private nextUniIndex: number;

  constructor(private readonly router: ShardRouter) {
    this.nextUniIndex = router.numShards;
  }

  /** Stream that carries the room's frames now: its hot stream if any, else its shard stream. */
  streamFor(roomId: U64): number {
    return this.hotStreams.get(roomId) ?? this.router.shardStreamId(this.router.shardOf(roomId));
  }

  /** The room's hot stream for this connection, if it is hot here. */
  hotStreamOf(roomId: U64): number | undefined {
    return this.hotStreams.get(roomId);
  }

  /** Rooms hot on this connection. */
  hotRooms(): IterableIterator<U64> {
    return this.hotStreams.keys();
  }

  /** Allocates the next server uni stream id as the room's hot stream; throws if the room already has one. */
  openHotStream(roomId: U64): number {
    if (this.hotStreams.has(roomId)) throw new Error(`room ${roomId} already has a hot stream`);
    const streamId = serverUniStreamId(this.nextUniIndex++);
    this.hotStreams.set(roomId, streamId);
    return streamId;
  }

  /** Forgets the room's hot stream (demotion or leave); returns its id, or undefined when it had none. */
  closeHotStream(roomId: U64): number | undefined {
    const streamId = this.hotStreams.get(roomId);
    this.hotStreams.delete(roomId);
    return streamId;
  }
}
