/**
 * The server's room fan-out as faults wrap it: `RoomBroadcaster.toRoom` is generic over the frame name, and a
 * fault that replaces it handles every frame alike, so it sees the payload as `unknown`.
 */
import type { ChatService } from '../../../reference-server/chat-service.js';
import type { RoomFrameName } from '../../../reference-server/room-broadcaster.js';
import type { Room } from '../../../reference-server/rooms.js';

/** `toRoom` with its payload type erased: sends to the room's connections (but `except`), returns how many. */
export type ToRoom = (room: Room, name: RoomFrameName, payload: unknown, except?: number) => number;

/** The service's own `toRoom`, bound, for a fault that replaces it and still sends through it. */
export function originalToRoom(service: ChatService): ToRoom {
  const fanOut = service.fanOut;
  return fanOut.toRoom.bind(fanOut) as ToRoom;
}
