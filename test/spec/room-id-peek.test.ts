import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../spec/index.js';
import { peekLeadingRoomId } from '../../spec/room-id-peek.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const peek = (text: string): number | undefined => {
  const b = bytes(text);
  return peekLeadingRoomId(b, 0, b.length);
};

describe('peekLeadingRoomId', () => {
  it('reads the room id of RoomInit and RoomUserJoined payloads as our encoder writes them', () => {
    const init = encodeFrame('RoomInit', {
      room_id: 4242,
      name: 'pod',
      room_type: 'group',
      members: [{ user_id: 1, username: 'a', avatar_url: null }],
      recent_messages: [],
      member_count: null,
    });
    expect(peekLeadingRoomId(init, 5, init.length)).toBe(4242);
    const joined = encodeFrame('RoomUserJoined', {
      room_id: 7,
      user: { user_id: 2, username: 'b', avatar_url: null },
      joined_at: 1,
    });
    // A payload inside a larger chunk: only [start, end) counts.
    const chunk = new Uint8Array(joined.length + 3);
    chunk.set(joined, 1);
    expect(peekLeadingRoomId(chunk, 6, joined.length + 1)).toBe(7);
  });

  it('gives up (full decode) on any other layout', () => {
    expect(peek('{"room_id":12,"x":1}')).toBe(12);
    expect(peek('{ "room_id":12,"x":1}')).toBeUndefined();
    expect(peek('{"name":"x","room_id":12}')).toBeUndefined();
    expect(peek('{"room_id":012,"x":1}')).toBeUndefined();
    expect(peek('{"room_id":-1,"x":1}')).toBeUndefined();
    expect(peek('{"room_id":"12","x":1}')).toBeUndefined();
    expect(peek('{"room_id":12}')).toBeUndefined();
    expect(peek('{"room_id":12,"x":1')).toBeUndefined();
    expect(peek('{"room_id":1234567890123456,"x":1}')).toBeUndefined();
    expect(peek('{"room_id":123456789012345,"x":1}')).toBe(123456789012345);
    const b = bytes('{"room_id":12,"x":1}');
    expect(peekLeadingRoomId(b, 0, b.length + 1)).toBeUndefined();
  });
});
