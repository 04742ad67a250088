/**
 * Mapping of server-initiated unidirectional streams (PROTOCOL.md 5, 9): the i-th such stream (QUIC id 4i+3)
 * is shard i when i < num_shards; later ones are hot-room streams, mapped to their room by the RoomPromoted
 * header frame (or, for header-less servers, by the room of their first frame).
 */
import type { U64 } from '../../spec/index.js';

/** Low two bits of a server-initiated unidirectional stream id (RFC 9000 2.1). */
const SERVER_UNI_BITS = 0b11;

/** Index i of a server-initiated unidirectional stream id (4i+3), or -1 when the id is another kind of stream. */
export function serverUniStreamIndex(streamId: number): number {
  return (streamId & SERVER_UNI_BITS) === SERVER_UNI_BITS ? (streamId - 3) / 4 : -1;
}

/** QUIC id of shard i's stream: 4i+3 (PROTOCOL.md 9/stream-ids). */
export function shardStreamId(shard: number): number {
  return 4 * shard + 3;
}

/** What a server-initiated unidirectional stream is for a connection with `numShards` shards. */
export type ServerStreamRole =
  { kind: 'shard'; shard: number } | { kind: 'hot' } | { kind: 'not-server-uni' };

/** Classifies a stream id: shard i (index < numShards), hot-room stream (index >= numShards), or neither. */
export function classifyServerStream(streamId: number, numShards: number): ServerStreamRole {
  const index = serverUniStreamIndex(streamId);
  if (index < 0) return { kind: 'not-server-uni' };
  return index < numShards ? { kind: 'shard', shard: index } : { kind: 'hot' };
}

/** Shard of a room: room_id % num_shards, exact for ids above 2^53 (PROTOCOL.md 9/mapping). */
export function shardOfRoom(roomId: U64, numShards: number): number {
  return typeof roomId === 'number' ? roomId % numShards : Number(roomId % BigInt(numShards));
}
