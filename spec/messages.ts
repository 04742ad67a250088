/**
 * TypeScript payload types, one interface per frame type (PROTOCOL.md section 4).
 *
 * These mirror spec/payload-schemas.ts exactly (test/spec/messages.test.ts checks each
 * against the type inferred from the schema data). Nullable fields are always present as
 * keys and hold `null` when absent: decoded payloads always have that shape, and encoders
 * write `null` for them.
 */
import type { FrameCodeOf, FrameName } from './frame-table.js';
import type { ROOM_CLOSE_REASONS, ROOM_TYPES } from './payload-schemas.js';
import type { JsonValue } from './schema.js';
import type { U64 } from './u64.js';

export type { U64 } from './u64.js';
export type { JsonValue } from './schema.js';

/** Room type: direct (two members), group, or channel (PROTOCOL.md 7). */
export type RoomType = (typeof ROOM_TYPES)[number];

/** Why a member's room was closed. */
export type RoomCloseReason = (typeof ROOM_CLOSE_REASONS)[number];

/** A user as shown to room members. */
export interface UserInfo {
  user_id: U64;
  username: string;
  avatar_url: string | null;
}

/** One entry of ShardAssignment: a shard id and the rooms routed over it. */
export interface ShardStream {
  shard_id: number;
  room_ids: U64[];
}

/** Hot-room parameters a server may advertise in HelloAck (our extension, PROTOCOL.md 16.1). */
export interface HotRoomConfig {
  promote_rate: number;
  demote_rate: number;
  cool_down_ms: U64;
  rate_window_ms: U64;
  max_hot_rooms: number;
}

// 4.1 control

/** 0x00 Hello: client opens the handshake. */
export interface Hello {
  version: number;
  capabilities: string[];
}

/** 0x01 HelloAck: server accepts the version and announces the shard count. */
export interface HelloAck {
  version: number;
  session_id: string;
  num_shards: number;
  hot_room_config: HotRoomConfig | null;
  /** Member count from which a room is large (our extension, PROTOCOL.md 16.2); null: not advertised. */
  large_room_threshold: number | null;
}

/** 0x02 Auth: client authenticates (`method` "username" or "token"). */
export interface Auth {
  method: string;
  credentials: string;
}

/** 0x03 AuthOk: authentication succeeded. */
export interface AuthOk {
  user_id: U64;
  username: string;
  rooms: U64[];
}

/** 0x04 AuthFailed: authentication failed; the client may retry. */
export interface AuthFailed {
  code: number;
  message: string;
}

/** 0x05 Ping: keep-alive probe. */
export interface Ping {
  timestamp: U64;
}

/** 0x06 Pong: echo of a Ping's timestamp. */
export interface Pong {
  timestamp: U64;
}

/** 0x07 Throttle: the sender must slow down (`room_id` null = global). */
export interface Throttle {
  room_id: U64 | null;
  delay_ms: number;
  reason: string;
}

/** 0x08 Goodbye: orderly close. */
export interface Goodbye {
  reason: string;
}

/** 0x09 ServerCommand: a server-issued command with free-form JSON parameters. */
export interface ServerCommand {
  command: string;
  params: JsonValue;
}

// 4.2 chat commands

/** 0x10 SendMessage: post a message to a room. */
export interface SendMessage {
  room_id: U64;
  content: string;
  nonce: string;
  reply_to: U64 | null;
  attachments: U64[];
}

/** 0x11 EditMessage: replace a message's content. */
export interface EditMessage {
  message_id: U64;
  content: string;
}

/** 0x12 DeleteMessage: delete a message. */
export interface DeleteMessage {
  message_id: U64;
}

/** 0x13 AddReaction: react to a message. */
export interface AddReaction {
  message_id: U64;
  emoji: string;
}

/** 0x14 RemoveReaction: withdraw a reaction. */
export interface RemoveReaction {
  message_id: U64;
  emoji: string;
}

/** 0x15 JoinRoom: join (or create) a room. */
export interface JoinRoom {
  room_id: U64;
}

/** 0x16 LeaveRoom: leave a room. */
export interface LeaveRoom {
  room_id: U64;
}

/** 0x17 CreateRoom: create a room with the given members. */
export interface CreateRoom {
  name: string;
  room_type: RoomType;
  members: U64[];
}

// 4.3 room messages

/** 0x30 RoomMessage: a message posted in a room. */
export interface RoomMessage {
  message_id: U64;
  room_id: U64;
  sender: UserInfo;
  content: string;
  timestamp: U64;
  reply_to: U64 | null;
  attachments: string[];
  nonce: string | null;
}

/** 0x31 RoomMessageEdited: a message's content changed. */
export interface RoomMessageEdited {
  message_id: U64;
  room_id: U64;
  editor_id: U64;
  content: string;
  edited_at: U64;
}

/** 0x32 RoomMessageDeleted: a message was deleted. */
export interface RoomMessageDeleted {
  message_id: U64;
  room_id: U64;
  deleted_by: U64;
  deleted_at: U64;
}

/** 0x33 RoomReactionAdded: a reaction was added. */
export interface RoomReactionAdded {
  message_id: U64;
  room_id: U64;
  user_id: U64;
  emoji: string;
}

/** 0x34 RoomReactionRemoved: a reaction was removed. */
export interface RoomReactionRemoved {
  message_id: U64;
  room_id: U64;
  user_id: U64;
  emoji: string;
}

/** 0x35 RoomUserJoined: a user joined the room. */
export interface RoomUserJoined {
  room_id: U64;
  user: UserInfo;
  joined_at: U64;
}

/** 0x36 RoomUserLeft: a user left the room. */
export interface RoomUserLeft {
  room_id: U64;
  user_id: U64;
  left_at: U64;
}

/** 0x37 RoomInit: room state sent to a member on join (recent messages oldest first). */
export interface RoomInit {
  room_id: U64;
  name: string;
  room_type: RoomType;
  members: UserInfo[];
  recent_messages: RoomMessage[];
  /** The room's member count (our extension, PROTOCOL.md 16.2); `members` is empty for a large room. */
  member_count: number | null;
}

/** 0x38 RoomClose: the room is closed for this member. */
export interface RoomClose {
  room_id: U64;
  reason: RoomCloseReason;
}

// 4.4 shard management

/** 0x50 ShardAssignment: which rooms travel on which shard stream. */
export interface ShardAssignment {
  shard_streams: ShardStream[];
}

/** 0x51 RoomPromoted: the room moved to its own hot stream (also that stream's header frame). */
export interface RoomPromoted {
  room_id: U64;
  from_shard: number;
}

/** 0x52 RoomDemoted: the room moved back to its shard stream. */
export interface RoomDemoted {
  room_id: U64;
  to_shard: number;
}

// 4.5 acks

/** 0x60 MessageDelivered: the client received a message. */
export interface MessageDelivered {
  message_id: U64;
  room_id: U64;
  delivered_at: U64;
}

/** 0x61 MessageRead: the user read a message. */
export interface MessageRead {
  message_id: U64;
  room_id: U64;
  read_at: U64;
}

/** 0x62 MessageAck: the server accepted a SendMessage (matched by nonce). */
export interface MessageAck {
  nonce: string;
  message_id: U64;
  timestamp: U64;
}

// 4.6 uploads

/** 0x70 UploadStart: begin an upload (checksum: SHA-256, lowercase hex). */
export interface UploadStart {
  room_id: U64;
  filename: string;
  mime_type: string;
  size: U64;
  checksum: string;
}

/** 0x71 UploadChunk metadata; exactly `size` raw bytes follow the frame on the stream. */
export interface UploadChunk {
  upload_id: U64;
  offset: U64;
  size: number;
}

/** 0x72 UploadComplete: all chunks sent. */
export interface UploadComplete {
  upload_id: U64;
}

/** 0x73 UploadCancel: abandon an upload. */
export interface UploadCancel {
  upload_id: U64;
  reason: string;
}

/** 0x74 UploadAck: upload accepted (url null) or completed (url set). */
export interface UploadAck {
  upload_id: U64;
  bytes_received: U64;
  url: string | null;
}

// 4.7 datagrams

/** 0x80 Typing: a user is typing (user_id filled in by the server when relayed). */
export interface Typing {
  room_id: U64;
  user_id: U64 | null;
}

/** 0x81 StopTyping: a user stopped typing. */
export interface StopTyping {
  room_id: U64;
  user_id: U64 | null;
}

/** 0x82 PresenceOnline: a user is online. */
export interface PresenceOnline {
  user_id: U64;
  status: string | null;
}

/** 0x83 PresenceOffline: a user went offline. */
export interface PresenceOffline {
  user_id: U64;
  last_seen: U64;
}

/** 0x84 PresenceAway: a user is away. */
export interface PresenceAway {
  user_id: U64;
  away_since: U64;
}

// 4.8 error

/** 0xFF Error payload (named ErrorPayload to avoid shadowing the JS Error class). */
export interface ErrorPayload {
  code: number;
  message: string;
  context: string | null;
}

/** Payload type per frame name. */
export interface FramePayloads {
  Hello: Hello;
  HelloAck: HelloAck;
  Auth: Auth;
  AuthOk: AuthOk;
  AuthFailed: AuthFailed;
  Ping: Ping;
  Pong: Pong;
  Throttle: Throttle;
  Goodbye: Goodbye;
  ServerCommand: ServerCommand;
  SendMessage: SendMessage;
  EditMessage: EditMessage;
  DeleteMessage: DeleteMessage;
  AddReaction: AddReaction;
  RemoveReaction: RemoveReaction;
  JoinRoom: JoinRoom;
  LeaveRoom: LeaveRoom;
  CreateRoom: CreateRoom;
  RoomMessage: RoomMessage;
  RoomMessageEdited: RoomMessageEdited;
  RoomMessageDeleted: RoomMessageDeleted;
  RoomReactionAdded: RoomReactionAdded;
  RoomReactionRemoved: RoomReactionRemoved;
  RoomUserJoined: RoomUserJoined;
  RoomUserLeft: RoomUserLeft;
  RoomInit: RoomInit;
  RoomClose: RoomClose;
  ShardAssignment: ShardAssignment;
  RoomPromoted: RoomPromoted;
  RoomDemoted: RoomDemoted;
  MessageDelivered: MessageDelivered;
  MessageRead: MessageRead;
  MessageAck: MessageAck;
  UploadStart: UploadStart;
  UploadChunk: UploadChunk;
  UploadComplete: UploadComplete;
  UploadCancel: UploadCancel;
  UploadAck: UploadAck;
  Typing: Typing;
  StopTyping: StopTyping;
  PresenceOnline: PresenceOnline;
  PresenceOffline: PresenceOffline;
  PresenceAway: PresenceAway;
  Error: ErrorPayload;
}

/** Payload type of the frame named `N`. */
export type PayloadOf<N extends FrameName> = FramePayloads[N];

/** A decoded frame of type `N`: code, name and typed payload. UploadChunk also carries its bytes. */
export type FrameOf<N extends FrameName> = N extends 'UploadChunk'
  ? {
      readonly code: FrameCodeOf<N>;
      readonly name: N;
      readonly payload: FramePayloads[N];
      readonly data: Uint8Array;
    }
  : { readonly code: FrameCodeOf<N>; readonly name: N; readonly payload: FramePayloads[N] };

/**
 * Any decoded frame, discriminated by `name` (or `code`):
 * `if (frame.name === 'RoomMessage') frame.payload.sender.user_id`.
 */
export type Frame = { [N in FrameName]: FrameOf<N> }[FrameName];
