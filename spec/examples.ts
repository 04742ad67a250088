/**
 * One valid example payload per frame type (PROTOCOL.md 4 shows them; tests and tools
 * reuse them). Every schema field is present, nested arrays are non-empty, and u64 values
 * include ones above 2^53 (bigint) as they occur in practice.
 */
import type { FramePayloads, RoomMessage, UserInfo } from './messages.js';

/** FNV-1a 64-bit of "alice": a user id above 2^53, as username auth produces. */
const ALICE_ID = 0x508b2abb65a03907n;

const alice: UserInfo = { user_id: ALICE_ID, username: 'alice', avatar_url: null };
const bob: UserInfo = { user_id: 42, username: 'bob', avatar_url: 'https://example.org/bob.png' };

const roomMessage: RoomMessage = {
  message_id: 17,
  room_id: 1,
  sender: alice,
  content: 'hello, world 👋',
  timestamp: 1_732_640_000_000,
  reply_to: 16,
  attachments: ['garou://uploads/3/cat.png'],
  nonce: 'n-0001',
};

/** Example payload per frame name. */
export const EXAMPLE_PAYLOADS: FramePayloads = {
  Hello: { version: 1, capabilities: ['chat', 'presence'] },
  HelloAck: {
    version: 1,
    session_id: '1b4e28ba-2fa1-4d2e-883f-0016d3cca427',
    num_shards: 8,
    hot_room_config: {
      promote_rate: 100,
      demote_rate: 20,
      cool_down_ms: 60_000,
      rate_window_ms: 10_000,
      max_hot_rooms: 10,
    },
    large_room_threshold: 50,
  },
  Auth: { method: 'username', credentials: 'alice' },
  AuthOk: { user_id: ALICE_ID, username: 'alice', rooms: [1] },
  AuthFailed: { code: 1003, message: 'username must be 1 to 50 characters' },
  Ping: { timestamp: 1_732_640_000_000 },
  Pong: { timestamp: 1_732_640_000_000 },
  Throttle: { room_id: 1, delay_ms: 500, reason: 'rate limit' },
  Goodbye: { reason: 'client exit' },
  ServerCommand: { command: 'kick', params: { room_id: 7, user_id: ALICE_ID } },
  SendMessage: { room_id: 1, content: 'hello, world 👋', nonce: 'n-0001', reply_to: 16, attachments: [3] },
  EditMessage: { message_id: 17, content: 'hello again' },
  DeleteMessage: { message_id: 17 },
  AddReaction: { message_id: 17, emoji: '👍' },
  RemoveReaction: { message_id: 17, emoji: '👍' },
  JoinRoom: { room_id: 7 },
  LeaveRoom: { room_id: 7 },
  CreateRoom: { name: 'alice & bob', room_type: 'direct', members: [42] },
  RoomMessage: roomMessage,
  RoomMessageEdited: {
    message_id: 17,
    room_id: 1,
    editor_id: ALICE_ID,
    content: 'hello again',
    edited_at: 1_732_640_001_000,
  },
  RoomMessageDeleted: { message_id: 17, room_id: 1, deleted_by: ALICE_ID, deleted_at: 1_732_640_002_000 },
  RoomReactionAdded: { message_id: 17, room_id: 1, user_id: 42, emoji: '👍' },
  RoomReactionRemoved: { message_id: 17, room_id: 1, user_id: 42, emoji: '👍' },
  RoomUserJoined: { room_id: 1, user: bob, joined_at: 1_732_640_000_000 },
  RoomUserLeft: { room_id: 1, user_id: 42, left_at: 1_732_640_003_000 },
  RoomInit: {
    room_id: 1,
    name: 'General',
    room_type: 'channel',
    members: [alice, bob],
    recent_messages: [roomMessage],
    member_count: 2,
  },
  RoomClose: { room_id: 7, reason: 'left' },
  ShardAssignment: {
    shard_streams: [
      { shard_id: 0, room_ids: [8] },
      { shard_id: 1, room_ids: [1, 9] },
    ],
  },
  RoomPromoted: { room_id: 1, from_shard: 1 },
  RoomDemoted: { room_id: 1, to_shard: 1 },
  MessageDelivered: { message_id: 17, room_id: 1, delivered_at: 1_732_640_000_050 },
  MessageRead: { message_id: 17, room_id: 1, read_at: 1_732_640_000_900 },
  MessageAck: { nonce: 'n-0001', message_id: 17, timestamp: 1_732_640_000_000 },
  UploadStart: {
    room_id: 1,
    filename: 'cat.png',
    mime_type: 'image/png',
    size: 3,
    checksum: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81',
  },
  UploadChunk: { upload_id: 3, offset: 0, size: 3 },
  UploadComplete: { upload_id: 3 },
  UploadCancel: { upload_id: 3, reason: 'user cancelled' },
  UploadAck: { upload_id: 3, bytes_received: 3, url: 'garou://uploads/3/cat.png' },
  Typing: { room_id: 1, user_id: ALICE_ID },
  StopTyping: { room_id: 1, user_id: ALICE_ID },
  PresenceOnline: { user_id: ALICE_ID, status: 'online' },
  PresenceOffline: { user_id: ALICE_ID, last_seen: 1_732_640_000_000 },
  PresenceAway: { user_id: ALICE_ID, away_since: 1_732_640_000_000 },
  Error: { code: 1007, message: 'invalid message', context: 'SendMessage.room_id' },
};
