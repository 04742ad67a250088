/**
 * RoomInit and RoomUserJoined on shard and hot streams, as the harness reads them. A connect brings a client one
 * RoomInit per room and a RoomUserJoined per later member of its pod, and of those the harness needs only the room
 * id (to route the frame and start the membership), so like RoomMessages (server-stream-reader.ts) they come raw
 * from the decoder and only their leading room id is read (spec/room-id-peek.ts). One in FULL_MEMBERSHIP_DECODE_EVERY,
 * and every one whose layout the peek does not know, is decoded and validated in full, so a server whose payloads
 * are broken throughout is still reported as a protocol violation (3/invalid-payload). Trade-off as for RoomMessage:
 * a payload broken past its room id is caught only when sampled; the conformance suite decodes every frame.
 */
import {
  FRAME_CODES,
  decodePayload,
  type Frame,
  type RawFrame,
  type RoomInit,
  type U64,
} from '../../spec/index.js';
import { peekLeadingRoomId } from '../../spec/room-id-peek.js';

/** RoomInit's frame code. */
export const ROOM_INIT = FRAME_CODES.RoomInit;
/** RoomUserJoined's frame code. */
export const ROOM_USER_JOINED = FRAME_CODES.RoomUserJoined;

/** What the harness reads of a RoomInit: its room id; a fully decoded one has the other fields too. */
export type RoomInitHead = Pick<RoomInit, 'room_id'> & Partial<RoomInit>;

/** A RoomInit or RoomUserJoined of which only the room id was read. */
export interface PeekedMembershipFrame {
  readonly code: typeof ROOM_INIT | typeof ROOM_USER_JOINED;
  readonly name: 'RoomInit' | 'RoomUserJoined';
  readonly payload: { readonly room_id: U64 };
}

/** One RoomInit or RoomUserJoined in this many is decoded and validated in full even when the peek reads it. */
export const FULL_MEMBERSHIP_DECODE_EVERY = 8;
/** Frames left until the next full decode (shared by all clients: a sample of the whole stream). */
let untilFullDecode = FULL_MEMBERSHIP_DECODE_EVERY;

/** A raw RoomInit or RoomUserJoined: its room id peeked, or the fully decoded frame. Throws PayloadError. */
export function readMembershipFrame(raw: RawFrame): Frame | PeekedMembershipFrame {
  if (--untilFullDecode === 0) untilFullDecode = FULL_MEMBERSHIP_DECODE_EVERY;
  else {
    const roomId = peekLeadingRoomId(raw.source, raw.start, raw.end);
    if (roomId !== undefined) {
      return { code: raw.code, name: raw.name, payload: { room_id: roomId } } as PeekedMembershipFrame;
    }
  }
  return { code: raw.code, name: raw.name, payload: decodePayload(raw.code, raw.payload) } as Frame;
}
