/**
 * TEST-ONLY faults of faults.ts that break room isolation and the protocol-level error rule:
 * room frames and datagrams that reach connections outside the room, and Error frames with an undeclared code.
 * Installed by FaultInjector like the others; without these faults nothing here runs.
 */
import { decodeFrames, encodeFrame, type U64 } from '../../../spec/index.js';
import type { ChatService } from '../../../reference-server/chat-service.js';
import type { ConnectionPort } from '../../../reference-server/connection-port.js';
import type { RoomFrameName } from '../../../reference-server/room-broadcaster.js';
import type { Room } from '../../../reference-server/rooms.js';
import type { ConnectionSession } from '../../../reference-server/session.js';
import { originalToRoom } from './fan-out-hook.js';

/** The code `undeclared-error-code` puts in every Error frame: outside the declared 1000-1010. */
export const UNDECLARED_ERROR_CODE = 1099;

/** Every authenticated connection of the server (the fault reaches into the service's session table). */
function authenticatedSessions(service: ChatService): ConnectionSession[] {
  const sessions = (service as unknown as { sessions: Map<number, ConnectionSession> }).sessions;
  return [...sessions.values()].filter((session) => session.state === 'ready');
}

/**
 * `leak-room-frames`: every room frame a room's members get, the RoomClose a leaver gets, and every typing and
 * presence datagram also go to every other authenticated connection, on its stream for the room.
 */
export function leakRoomFrames(service: ChatService): void {
  const fanOut = service.fanOut;
  const leak = (roomId: U64, bytes: Uint8Array, spared: ReadonlySet<number>): void => {
    for (const session of authenticatedSessions(service))
      if (!spared.has(session.id)) session.port.send(session.routes.streamFor(roomId), bytes);
  };
  const toRoom = originalToRoom(service);
  fanOut.toRoom = ((room: Room, name: RoomFrameName, payload: unknown, except?: number): number => {
    const count = toRoom(room, name, payload, except);
    leak(room.id, encodeFrame(name, payload as never), new Set(room.connections));
    return count;
  }) as typeof fanOut.toRoom;
  const toMember = fanOut.toMember.bind(fanOut);
  fanOut.toMember = ((connection, roomId, name, payload) => {
    toMember(connection, roomId, name, payload);
    if (name === 'RoomClose') leak(roomId, encodeFrame(name, payload), new Set([connection.id]));
  }) as typeof fanOut.toMember;
  const datagram = fanOut.datagram.bind(fanOut);
  fanOut.datagram = ((recipients, name, payload) => {
    const listed = new Set(recipients);
    const count = datagram(listed, name, payload);
    for (const session of authenticatedSessions(service))
      if (!listed.has(session.id)) datagram([session.id], name, payload);
    return count;
  }) as typeof fanOut.datagram;
}

/** `undeclared-error-code`: every Error frame the connection sends carries UNDECLARED_ERROR_CODE. */
export function recodeErrors(port: ConnectionPort): void {
  const send = port.send.bind(port);
  port.send = (streamId, bytes) => {
    // One port.send call is one frame; 0xFF is Error.
    const decoded = bytes[0] === 0xff ? decodeFrames(bytes)[0] : undefined;
    if (decoded?.name !== 'Error') return send(streamId, bytes);
    send(streamId, encodeFrame('Error', { ...decoded.payload, code: UNDECLARED_ERROR_CODE }));
  };
}
