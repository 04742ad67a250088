/**
 * Payload schema of every frame type, as data (PROTOCOL.md section 4).
 *
 * Field names and types follow the original garou implementation (shared/wire-facts.md).
 * Every field listed is required unless wrapped in `nullable(...)`: then `null` and
 * absent both mean absent and decode to `null`. Fields not listed are ignored by the
 * decoder and dropped from the decoded payload.
 */
import { arrayOf, enumOf, nullable, objectOf } from './schema.js';

/** Room types (`room_type` in CreateRoom and RoomInit). */
export const ROOM_TYPES = ['direct', 'group', 'channel'] as const;

/** Reasons a room is closed for a member (RoomClose.reason). */
export const ROOM_CLOSE_REASONS = ['left', 'kicked', 'deleted'] as const;

/** Room type enumeration. */
export const RoomTypeSchema = enumOf('room_type', ROOM_TYPES);

/** RoomClose reason enumeration. */
export const RoomCloseReasonSchema = enumOf('close_reason', ROOM_CLOSE_REASONS);

/** UserInfo: a user as shown to other room members. */
export const UserInfoSchema = objectOf('UserInfo', {
  user_id: 'u64',
  username: 'string',
  avatar_url: nullable('string'),
});

/** RoomMessage body; also the element type of RoomInit.recent_messages. */
export const RoomMessageSchema = objectOf('RoomMessage', {
  message_id: 'u64',
  room_id: 'u64',
  sender: UserInfoSchema,
  content: 'string',
  timestamp: 'u64',
  reply_to: nullable('u64'),
  attachments: arrayOf('string'),
  nonce: nullable('string'),
});

/** One entry of ShardAssignment.shard_streams. */
export const ShardStreamSchema = objectOf('ShardStream', {
  shard_id: 'u8',
  room_ids: arrayOf('u64'),
});

/** HelloAck.hot_room_config (our extension, PROTOCOL.md 16.1). */
export const HotRoomConfigSchema = objectOf('HotRoomConfig', {
  promote_rate: 'number',
  demote_rate: 'number',
  cool_down_ms: 'u64',
  rate_window_ms: 'u64',
  max_hot_rooms: 'u32',
});

/** Payload schema per frame name: the top-level object of each frame's JSON payload. */
export const PAYLOAD_SCHEMAS = {
  // 4.1 control
  Hello: objectOf('Hello', { version: 'u32', capabilities: arrayOf('string') }),
  HelloAck: objectOf('HelloAck', {
    version: 'u32',
    session_id: 'string',
    num_shards: 'u8',
    hot_room_config: nullable(HotRoomConfigSchema),
    large_room_threshold: nullable('u32'),
  }),
  Auth: objectOf('Auth', { method: 'string', credentials: 'string' }),
  AuthOk: objectOf('AuthOk', { user_id: 'u64', username: 'string', rooms: arrayOf('u64') }),
  AuthFailed: objectOf('AuthFailed', { code: 'u32', message: 'string' }),
  Ping: objectOf('Ping', { timestamp: 'u64' }),
  Pong: objectOf('Pong', { timestamp: 'u64' }),
  Throttle: objectOf('Throttle', { room_id: nullable('u64'), delay_ms: 'u32', reason: 'string' }),
  Goodbye: objectOf('Goodbye', { reason: 'string' }),
  ServerCommand: objectOf('ServerCommand', { command: 'string', params: 'any' }),

  // 4.2 chat commands
  SendMessage: objectOf('SendMessage', {
    room_id: 'u64',
    content: 'string',
    nonce: 'string',
    reply_to: nullable('u64'),
    attachments: arrayOf('u64'),
  }),
  EditMessage: objectOf('EditMessage', { message_id: 'u64', content: 'string' }),
  DeleteMessage: objectOf('DeleteMessage', { message_id: 'u64' }),
  AddReaction: objectOf('AddReaction', { message_id: 'u64', emoji: 'string' }),
  RemoveReaction: objectOf('RemoveReaction', { message_id: 'u64', emoji: 'string' }),
  JoinRoom: objectOf('JoinRoom', { room_id: 'u64' }),
  LeaveRoom: objectOf('LeaveRoom', { room_id: 'u64' }),
  CreateRoom: objectOf('CreateRoom', { name: 'string', room_type: RoomTypeSchema, members: arrayOf('u64') }),

  // 4.3 room messages
  RoomMessage: RoomMessageSchema,
  RoomMessageEdited: objectOf('RoomMessageEdited', {
    message_id: 'u64',
    room_id: 'u64',
    editor_id: 'u64',
    content: 'string',
    edited_at: 'u64',
  }),
  RoomMessageDeleted: objectOf('RoomMessageDeleted', {
    message_id: 'u64',
    room_id: 'u64',
    deleted_by: 'u64',
    deleted_at: 'u64',
  }),
  RoomReactionAdded: objectOf('RoomReactionAdded', {
    message_id: 'u64',
    room_id: 'u64',
    user_id: 'u64',
    emoji: 'string',
  }),
  RoomReactionRemoved: objectOf('RoomReactionRemoved', {
    message_id: 'u64',
    room_id: 'u64',
    user_id: 'u64',
    emoji: 'string',
  }),
  RoomUserJoined: objectOf('RoomUserJoined', { room_id: 'u64', user: UserInfoSchema, joined_at: 'u64' }),
  RoomUserLeft: objectOf('RoomUserLeft', { room_id: 'u64', user_id: 'u64', left_at: 'u64' }),
  RoomInit: objectOf('RoomInit', {
    room_id: 'u64',
    name: 'string',
    room_type: RoomTypeSchema,
    members: arrayOf(UserInfoSchema),
    recent_messages: arrayOf(RoomMessageSchema),
    member_count: nullable('u32'),
  }),
  RoomClose: objectOf('RoomClose', { room_id: 'u64', reason: RoomCloseReasonSchema }),

  // 4.4 shard management
  ShardAssignment: objectOf('ShardAssignment', { shard_streams: arrayOf(ShardStreamSchema) }),
  RoomPromoted: objectOf('RoomPromoted', { room_id: 'u64', from_shard: 'u8' }),
  RoomDemoted: objectOf('RoomDemoted', { room_id: 'u64', to_shard: 'u8' }),

  // 4.5 acks
  MessageDelivered: objectOf('MessageDelivered', { message_id: 'u64', room_id: 'u64', delivered_at: 'u64' }),
  MessageRead: objectOf('MessageRead', { message_id: 'u64', room_id: 'u64', read_at: 'u64' }),
  MessageAck: objectOf('MessageAck', { nonce: 'string', message_id: 'u64', timestamp: 'u64' }),

  // 4.6 uploads
  UploadStart: objectOf('UploadStart', {
    room_id: 'u64',
    filename: 'string',
    mime_type: 'string',
    size: 'u64',
    checksum: 'string',
  }),
  UploadChunk: objectOf('UploadChunk', { upload_id: 'u64', offset: 'u64', size: 'u32' }),
  UploadComplete: objectOf('UploadComplete', { upload_id: 'u64' }),
  UploadCancel: objectOf('UploadCancel', { upload_id: 'u64', reason: 'string' }),
  UploadAck: objectOf('UploadAck', { upload_id: 'u64', bytes_received: 'u64', url: nullable('string') }),

  // 4.7 datagrams
  Typing: objectOf('Typing', { room_id: 'u64', user_id: nullable('u64') }),
  StopTyping: objectOf('StopTyping', { room_id: 'u64', user_id: nullable('u64') }),
  PresenceOnline: objectOf('PresenceOnline', { user_id: 'u64', status: nullable('string') }),
  PresenceOffline: objectOf('PresenceOffline', { user_id: 'u64', last_seen: 'u64' }),
  PresenceAway: objectOf('PresenceAway', { user_id: 'u64', away_since: 'u64' }),

  // 4.8 error
  Error: objectOf('Error', { code: 'u32', message: 'string', context: nullable('string') }),
} as const;

/** Type of the schema table (keyed by frame name). */
export type PayloadSchemas = typeof PAYLOAD_SCHEMAS;
