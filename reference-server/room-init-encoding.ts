/**
 * RoomInit as the server sends it (PROTOCOL.md 7/history, 16.2): encoded once per join for all who get it; a large
 * room lists no members, only their count, and a history too large for one frame loses its oldest messages.
 */
import { FrameError, encodeFrame, type RoomMessage, type UserInfo } from '../spec/index.js';
import type { CoreLogger } from './connection-port.js';
import type { LargeRoomPolicy } from './large-rooms.js';
import type { Room } from './rooms.js';

/**
 * RoomInit for a room, encoded once; a large room lists no members, only their count (PROTOCOL.md 16.2). If the
 * full history would break the 16 MiB payload limit, the oldest messages are left out until it fits (7/history).
 */
export function encodeRoomInit(room: Room, largeRooms: LargeRoomPolicy, logger: CoreLogger): Uint8Array {
  const memberCount = room.members.size;
  const members = largeRooms.isLarge(memberCount) ? [] : [...room.members.values()].map((m) => m.user);
  const history = room.history.toArray();
  const encode = (skip: number): Uint8Array | null => {
    try {
      return encodeFrame('RoomInit', {
        room_id: room.id,
        name: room.name,
        room_type: room.type,
        members,
        recent_messages: skip === 0 ? history : history.slice(skip),
        member_count: memberCount,
      });
    } catch (error) {
      if (error instanceof FrameError && error.kind === 'oversize') return null;
      throw error;
    }
  };
  const full = encode(0);
  if (full) return full;
  // Smallest number of oldest messages to drop; dropping all of them always fits (members alone are small).
  let low = 1;
  let high = history.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (encode(mid)) high = mid;
    else low = mid + 1;
  }
  logger.warn({ room_id: String(room.id), dropped: low }, 'RoomInit trimmed to fit 16 MiB');
  return encode(low) ?? encodeFrame('RoomInit', emptyRoomInit(room, members, memberCount));
}

function emptyRoomInit(room: Room, members: UserInfo[], memberCount: number) {
  return {
    room_id: room.id,
    name: room.name,
    room_type: room.type,
    members,
    recent_messages: [] as RoomMessage[],
    member_count: memberCount,
  };
}
