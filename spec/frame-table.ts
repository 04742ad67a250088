/**
 * The frame table as data (PROTOCOL.md sections 3-5): every frame type's code, name,
 * category, direction, the streams it may travel on, and its payload schema.
 *
 * The codec, the reference server's stream rules and the conformance checks all read
 * this table; nothing else lists frame codes.
 */
import { PAYLOAD_SCHEMAS, type PayloadSchemas } from './payload-schemas.js';
import type { ObjectType } from './schema.js';

/** Frame type code per frame name (the header's first byte). */
export const FRAME_CODES = {
  Hello: 0x00,
  HelloAck: 0x01,
  Auth: 0x02,
  AuthOk: 0x03,
  AuthFailed: 0x04,
  Ping: 0x05,
  Pong: 0x06,
  Throttle: 0x07,
  Goodbye: 0x08,
  ServerCommand: 0x09,
  SendMessage: 0x10,
  EditMessage: 0x11,
  DeleteMessage: 0x12,
  AddReaction: 0x13,
  RemoveReaction: 0x14,
  JoinRoom: 0x15,
  LeaveRoom: 0x16,
  CreateRoom: 0x17,
  RoomMessage: 0x30,
  RoomMessageEdited: 0x31,
  RoomMessageDeleted: 0x32,
  RoomReactionAdded: 0x33,
  RoomReactionRemoved: 0x34,
  RoomUserJoined: 0x35,
  RoomUserLeft: 0x36,
  RoomInit: 0x37,
  RoomClose: 0x38,
  ShardAssignment: 0x50,
  RoomPromoted: 0x51,
  RoomDemoted: 0x52,
  MessageDelivered: 0x60,
  MessageRead: 0x61,
  MessageAck: 0x62,
  UploadStart: 0x70,
  UploadChunk: 0x71,
  UploadComplete: 0x72,
  UploadCancel: 0x73,
  UploadAck: 0x74,
  Typing: 0x80,
  StopTyping: 0x81,
  PresenceOnline: 0x82,
  PresenceOffline: 0x83,
  PresenceAway: 0x84,
  Error: 0xff,
} as const;

/** Name of a frame type, e.g. `'RoomMessage'`. */
export type FrameName = keyof typeof FRAME_CODES;

/** Code of a frame type, e.g. `0x30`. */
export type FrameCode = (typeof FRAME_CODES)[FrameName];

/** Code of the frame type named `N`. */
export type FrameCodeOf<N extends FrameName> = (typeof FRAME_CODES)[N];

/** Frame categories, each owning a range of type codes. */
export type FrameCategory =
  'control' | 'chat-command' | 'room-message' | 'shard-management' | 'ack' | 'upload' | 'datagram' | 'error';

/** A category's inclusive code range (PROTOCOL.md 3 and 4). */
export interface CategoryRange {
  readonly category: FrameCategory;
  readonly first: number;
  readonly last: number;
}

/** Category code ranges, in code order. */
export const CATEGORY_RANGES: readonly CategoryRange[] = [
  { category: 'control', first: 0x00, last: 0x0f },
  { category: 'chat-command', first: 0x10, last: 0x2f },
  { category: 'room-message', first: 0x30, last: 0x4f },
  { category: 'shard-management', first: 0x50, last: 0x5f },
  { category: 'ack', first: 0x60, last: 0x6f },
  { category: 'upload', first: 0x70, last: 0x7f },
  { category: 'datagram', first: 0x80, last: 0x8f },
  { category: 'error', first: 0xff, last: 0xff },
];

/** Who sends a frame. */
export type Direction = 'client-to-server' | 'server-to-client';

/** Who may send a frame type: one side or both. */
export type FrameDirection = Direction | 'both';

/**
 * Kinds of streams (PROTOCOL.md 5): the control stream (client's first bidi stream),
 * the client's uni streams classified by their first frame (`chat-commands`, `acks`,
 * `uploads`), the server's uni shard streams, hot-room streams, and datagrams.
 */
export type StreamKind = 'control' | 'chat-commands' | 'acks' | 'uploads' | 'shard' | 'hot-room' | 'datagram';

/** All stream kinds. */
export const STREAM_KINDS: readonly StreamKind[] = [
  'control',
  'chat-commands',
  'acks',
  'uploads',
  'shard',
  'hot-room',
  'datagram',
];

/** One row of the frame table. */
export interface FrameSpec<N extends FrameName = FrameName> {
  readonly code: FrameCodeOf<N>;
  readonly name: N;
  readonly category: FrameCategory;
  readonly direction: FrameDirection;
  /** Streams this frame may travel on (in its direction). */
  readonly streams: readonly StreamKind[];
  /** Payload schema (top-level JSON object). */
  readonly schema: PayloadSchemas[N] & ObjectType;
}

type Placement = { readonly direction: FrameDirection; readonly streams: readonly StreamKind[] };

const S2C_CONTROL: Placement = { direction: 'server-to-client', streams: ['control'] };
const C2S_CONTROL: Placement = { direction: 'client-to-server', streams: ['control'] };
const BOTH_CONTROL: Placement = { direction: 'both', streams: ['control'] };
const CHAT_COMMAND: Placement = { direction: 'client-to-server', streams: ['chat-commands'] };
const ROOM_FRAME: Placement = { direction: 'server-to-client', streams: ['shard', 'hot-room'] };
const CLIENT_ACK: Placement = { direction: 'client-to-server', streams: ['acks'] };
const CLIENT_UPLOAD: Placement = { direction: 'client-to-server', streams: ['uploads'] };
const DATAGRAM: Placement = { direction: 'both', streams: ['datagram'] };

/** Direction and streams per frame (PROTOCOL.md 5; decisions "Streams"). */
const PLACEMENTS: { readonly [N in FrameName]: Placement } = {
  Hello: C2S_CONTROL,
  HelloAck: S2C_CONTROL,
  Auth: C2S_CONTROL,
  AuthOk: S2C_CONTROL,
  AuthFailed: S2C_CONTROL,
  Ping: BOTH_CONTROL,
  Pong: BOTH_CONTROL,
  Throttle: S2C_CONTROL,
  Goodbye: BOTH_CONTROL,
  // Clients send commands such as kick and set_role; the server echoes them (PROTOCOL.md 7).
  ServerCommand: BOTH_CONTROL,
  SendMessage: CHAT_COMMAND,
  EditMessage: CHAT_COMMAND,
  DeleteMessage: CHAT_COMMAND,
  AddReaction: CHAT_COMMAND,
  RemoveReaction: CHAT_COMMAND,
  JoinRoom: CHAT_COMMAND,
  LeaveRoom: CHAT_COMMAND,
  CreateRoom: CHAT_COMMAND,
  RoomMessage: ROOM_FRAME,
  RoomMessageEdited: ROOM_FRAME,
  RoomMessageDeleted: ROOM_FRAME,
  RoomReactionAdded: ROOM_FRAME,
  RoomReactionRemoved: ROOM_FRAME,
  RoomUserJoined: ROOM_FRAME,
  RoomUserLeft: ROOM_FRAME,
  RoomInit: ROOM_FRAME,
  RoomClose: ROOM_FRAME,
  ShardAssignment: S2C_CONTROL,
  // Also the header frame (first frame) of a hot-room stream (our decision, PROTOCOL.md 10).
  RoomPromoted: { direction: 'server-to-client', streams: ['control', 'hot-room'] },
  RoomDemoted: S2C_CONTROL,
  MessageDelivered: CLIENT_ACK,
  MessageRead: CLIENT_ACK,
  MessageAck: S2C_CONTROL,
  UploadStart: CLIENT_UPLOAD,
  UploadChunk: CLIENT_UPLOAD,
  UploadComplete: CLIENT_UPLOAD,
  UploadCancel: CLIENT_UPLOAD,
  // Server answers uploads on the control stream (our decision, PROTOCOL.md 13).
  UploadAck: S2C_CONTROL,
  Typing: DATAGRAM,
  StopTyping: DATAGRAM,
  PresenceOnline: DATAGRAM,
  PresenceOffline: DATAGRAM,
  PresenceAway: DATAGRAM,
  // Error always travels on the control stream (our decision, PROTOCOL.md 14).
  Error: S2C_CONTROL,
};

/** Category of a code by range, or undefined for codes outside every range (0x90-0xFE). */
export function categoryOfCode(code: number): FrameCategory | undefined {
  for (const range of CATEGORY_RANGES) {
    if (code >= range.first && code <= range.last) return range.category;
  }
  return undefined;
}

function buildTable(): readonly FrameSpec[] {
  const rows: FrameSpec[] = [];
  for (const name of Object.keys(FRAME_CODES) as FrameName[]) {
    const code = FRAME_CODES[name];
    const category = categoryOfCode(code);
    if (category === undefined) throw new Error(`frame table: ${name} code ${code} is in no category`);
    const placement = PLACEMENTS[name];
    rows.push({
      code,
      name,
      category,
      direction: placement.direction,
      streams: placement.streams,
      schema: PAYLOAD_SCHEMAS[name],
    } as FrameSpec);
  }
  return rows;
}

/** The frame table, one row per frame type, in code order. */
export const FRAME_TABLE: readonly FrameSpec[] = buildTable();

const BY_CODE: (FrameSpec | undefined)[] = new Array<FrameSpec | undefined>(256).fill(undefined);
const BY_NAME = new Map<string, FrameSpec>();
for (const spec of FRAME_TABLE) {
  BY_CODE[spec.code] = spec;
  BY_NAME.set(spec.name, spec);
}

/** The frame table row for a type byte, or undefined when the code is not a known frame type. */
export function frameSpecByCode(code: number): FrameSpec | undefined {
  return BY_CODE[code];
}

/** The frame table row for a frame name, or undefined for an unknown name. */
export function frameSpecByName(name: string): FrameSpec | undefined {
  return BY_NAME.get(name);
}

/** The frame table row of a known frame name (typed). */
export function frameSpec<N extends FrameName>(name: N): FrameSpec<N> {
  return BY_NAME.get(name) as FrameSpec<N>;
}

/** True when `code` is a known frame type byte. */
export function isKnownFrameCode(code: number): code is FrameCode {
  return BY_CODE[code] !== undefined;
}

/** Client uni stream kinds, by the category of the stream's first frame. */
export type ClientUniStreamKind = 'chat-commands' | 'acks' | 'uploads';

/**
 * Classifies a client-initiated uni stream by its first frame's code (PROTOCOL.md 5):
 * 0x10-0x2F chat commands, 0x60-0x6F acks, 0x70-0x7F uploads; undefined otherwise (a
 * protocol error, INVALID_FRAME 1001). Classification is by range; whether the frame
 * itself may be sent by the client on that stream is `isAllowedOn`'s question.
 */
export function streamKindForFirstFrame(code: number): ClientUniStreamKind | undefined {
  if (code >= 0x10 && code <= 0x2f) return 'chat-commands';
  if (code >= 0x60 && code <= 0x6f) return 'acks';
  if (code >= 0x70 && code <= 0x7f) return 'uploads';
  return undefined;
}

/** Code of the frame that must open every hot-room stream (its header frame). */
export const HOT_ROOM_HEADER_CODE = FRAME_CODES.RoomPromoted;

/**
 * True when a frame of type `code` may travel on a stream of kind `stream` in `direction`
 * (PROTOCOL.md 5). Ordering rules (Hello first on control, RoomPromoted first on a hot-room
 * stream) are stream state, not checked here.
 */
export function isAllowedOn(code: number, stream: StreamKind, direction: Direction): boolean {
  const spec = BY_CODE[code];
  if (spec === undefined) return false;
  if (spec.direction !== 'both' && spec.direction !== direction) return false;
  return spec.streams.includes(stream);
}

/** Codes allowed on a stream kind in a direction, ascending (for prose tables and conformance). */
export function codesAllowedOn(stream: StreamKind, direction: Direction): number[] {
  return FRAME_TABLE.filter((spec) => isAllowedOn(spec.code, stream, direction)).map((spec) => spec.code);
}

/** True when `code` is a datagram frame type (only these may be sent as datagrams). */
export function isDatagramCode(code: number): boolean {
  return BY_CODE[code]?.category === 'datagram';
}

/** Human-readable name of a code for errors and logs: the frame name, or `0xNN` when unknown. */
export function describeCode(code: number): string {
  return BY_CODE[code]?.name ?? `0x${code.toString(16).padStart(2, '0')}`;
}
