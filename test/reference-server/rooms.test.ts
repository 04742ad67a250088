import { describe, expect, it } from 'vitest';
import { type CommandResult } from '../../reference-server/protocol-errors.js';
import { GENERAL_ROOM_ID, RoomRegistry, type Actor } from '../../reference-server/rooms.js';
import { ERROR_CODES, type UserInfo } from '../../spec/index.js';

function user(id: number, username = `user${id}`): UserInfo {
  return { user_id: id, username, avatar_url: null };
}
const alice: Actor = { user: user(1, 'alice'), connection: 101 };
const bob: Actor = { user: user(2, 'bob'), connection: 102 };
const carol: Actor = { user: user(3, 'carol'), connection: 103 };

function registry(
  options: Partial<{ historySize: number; maxRoomMembers: number; maxRooms: number }> = {},
): RoomRegistry {
  return new RoomRegistry({ historySize: 50, maxRoomMembers: 100, ...options });
}

function ok<T>(result: CommandResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

function failure<T>(result: CommandResult<T>) {
  if (result.ok) throw new Error('expected a failure');
  return result.failure;
}

const text = (content: string) => ({ content, nonce: null, replyTo: null, attachments: [] });

describe('RoomRegistry: rooms and membership', () => {
  it('starts with room 1 "General", a channel without members', () => {
    const room = registry().get(GENERAL_ROOM_ID);
    expect(room).toMatchObject({ id: 1, name: 'General', type: 'channel', allowList: null });
    expect(room?.members.size).toBe(0);
  });

  it('joining General makes a member; joining again changes nothing', () => {
    const rooms = registry();
    const first = ok(rooms.join(1, alice));
    expect(first).toMatchObject({ created: false, alreadyMember: false });
    expect(first.room.members.get(1)?.role).toBe('member');
    expect(ok(rooms.join(1, alice))).toMatchObject({ alreadyMember: true });
    expect([...first.room.connections]).toEqual([101]);
  });

  it('JoinRoom on an unknown room creates a group "Room <id>" owned by the joiner', () => {
    const rooms = registry();
    const outcome = ok(rooms.join(42, alice));
    expect(outcome.created).toBe(true);
    expect(outcome.room).toMatchObject({ id: 42, name: 'Room 42', type: 'group' });
    expect(outcome.room.members.get(1)?.role).toBe('owner');
    expect(ok(rooms.join(42, bob)).room.members.get(2)?.role).toBe('member');
  });

  it('handles bigint room ids as distinct canonical keys', () => {
    const rooms = registry();
    const big = 2n ** 60n;
    ok(rooms.join(big, alice));
    expect(rooms.get(big)?.name).toBe(`Room ${big}`);
    expect(rooms.roomsOf(101).has(big)).toBe(true);
  });

  it('refuses a join beyond the member limit with ROOM_FULL', () => {
    const rooms = registry({ maxRoomMembers: 2 });
    ok(rooms.join(7, alice));
    ok(rooms.join(7, bob));
    expect(failure(rooms.join(7, carol))).toMatchObject({
      code: ERROR_CODES.ROOM_FULL,
      context: 'JoinRoom.room_id',
    });
    expect(rooms.get(7)?.members.size).toBe(2);
  });

  it('leave removes the member; rooms persist even when empty', () => {
    const rooms = registry();
    ok(rooms.join(8, alice));
    const departure = ok(rooms.leave(8, alice));
    expect(departure.member.user).toBe(alice.user);
    expect(rooms.get(8)?.members.size).toBe(0);
    expect(rooms.get(8)).toBeDefined();
    expect(failure(rooms.leave(8, alice))).toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
      context: 'LeaveRoom.room_id',
    });
    expect(failure(rooms.leave(99, alice)).code).toBe(ERROR_CODES.NOT_FOUND);
  });

  it('disconnect removes the connection from every room it was in', () => {
    const rooms = registry();
    ok(rooms.join(1, alice));
    ok(rooms.join(9, alice));
    ok(rooms.join(9, bob));
    const departures = rooms.disconnect(101);
    expect(departures.map((d) => d.room.id).sort()).toEqual([1, 9]);
    expect(rooms.get(9)?.members.has(1)).toBe(false);
    expect(rooms.get(9)?.members.has(2)).toBe(true);
    expect(rooms.roomsOf(101).size).toBe(0);
    expect(rooms.disconnect(101)).toEqual([]);
  });

  it('a member rejoining from a new connection is rebound to it', () => {
    const rooms = registry();
    ok(rooms.join(9, alice));
    const again = ok(rooms.join(9, { user: alice.user, connection: 201 }));
    expect(again.alreadyMember).toBe(true);
    expect([...again.room.connections]).toEqual([201]);
    expect(rooms.roomsOf(101).has(9)).toBe(false);
  });
});

describe('RoomRegistry: CreateRoom', () => {
  it('creator is owner, connected listed users are members, others are not', () => {
    const rooms = registry();
    const room = ok(rooms.createRoom(alice, 'team', 'group', [2, 1, 2, 77], [bob]));
    expect(room).toMatchObject({ id: 2, name: 'team', type: 'group', allowList: null });
    expect(room.members.get(1)?.role).toBe('owner');
    expect(room.members.get(2)?.role).toBe('member');
    expect(room.members.has(77)).toBe(false);
    expect([...room.connections].sort()).toEqual([101, 102]);
  });

  it('ignores connected users that were not listed', () => {
    const rooms = registry();
    const room = ok(rooms.createRoom(alice, 'x', 'group', [], [bob]));
    expect([...room.members.keys()]).toEqual([1]);
  });

  it('skips ids already taken by JoinRoom-created rooms', () => {
    const rooms = registry();
    ok(rooms.join(2, carol));
    ok(rooms.join(3, carol));
    expect(ok(rooms.createRoom(alice, 'x', 'group', [], [])).id).toBe(4);
    expect(ok(rooms.createRoom(alice, 'y', 'group', [], [])).id).toBe(5);
  });

  it('a direct room needs exactly one other user, connected or not', () => {
    const rooms = registry();
    for (const listed of [[], [1], [2, 3]]) {
      expect(failure(rooms.createRoom(alice, 'dm', 'direct', listed, []))).toMatchObject({
        code: ERROR_CODES.INVALID_MESSAGE,
        context: 'CreateRoom.members',
      });
    }
    const offline = ok(rooms.createRoom(alice, 'dm', 'direct', [3], []));
    expect([...offline.members.keys()]).toEqual([1]);
    expect([...(offline.allowList ?? [])].sort()).toEqual([1, 3]);
  });

  it('only the allow-list may join a direct room, also after reconnecting', () => {
    const rooms = registry();
    const room = ok(rooms.createRoom(alice, 'dm', 'direct', [2], [bob]));
    expect(failure(rooms.join(room.id, carol))).toMatchObject({ code: ERROR_CODES.PERMISSION_DENIED });
    rooms.disconnect(102);
    expect(room.members.has(2)).toBe(false);
    expect(ok(rooms.join(room.id, { user: bob.user, connection: 302 })).alreadyMember).toBe(false);
  });

  it('refuses creating a room beyond max_rooms (General included) with ROOM_FULL; existing rooms keep working', () => {
    const rooms = registry({ maxRooms: 3 });
    ok(rooms.join(10, alice));
    const created = ok(rooms.createRoom(alice, 'team', 'group', [], []));
    expect(rooms.size).toBe(3);
    expect(failure(rooms.join(11, bob))).toEqual({
      code: ERROR_CODES.ROOM_FULL,
      message: 'room limit reached (max_rooms 3)',
      context: 'JoinRoom.room_id',
    });
    expect(failure(rooms.createRoom(bob, 'other', 'group', [], []))).toMatchObject({
      code: ERROR_CODES.ROOM_FULL,
      context: 'CreateRoom',
    });
    expect(rooms.size).toBe(3);
    expect(rooms.get(11)).toBeUndefined();
    expect(rooms.roomsOf(102).size).toBe(0);
    // Joining and posting in rooms that already exist is unaffected by the limit.
    expect(ok(rooms.join(10, bob))).toMatchObject({ created: false, alreadyMember: false });
    expect(ok(rooms.join(created.id, bob)).created).toBe(false);
    expect(ok(rooms.join(GENERAL_ROOM_ID, bob)).created).toBe(false);
    expect(ok(rooms.postMessage(10, bob, text('still here'), 1000)).message.content).toBe('still here');
  });

  it('refuses more initial members than the limit', () => {
    const rooms = registry({ maxRoomMembers: 2 });
    expect(failure(rooms.createRoom(alice, 'x', 'group', [2, 3], [bob, carol]))).toMatchObject({
      code: ERROR_CODES.ROOM_FULL,
      context: 'CreateRoom.members',
    });
  });
});

describe('RoomRegistry: messages', () => {
  it('assigns increasing ids from one server-wide counter starting at 1', () => {
    const rooms = registry();
    ok(rooms.join(1, alice));
    ok(rooms.join(5, alice));
    const ids = [1, 5, 1, 5].map(
      (room) => ok(rooms.postMessage(room, alice, text('hi'), 1000)).message.message_id,
    );
    expect(ids).toEqual([1, 2, 3, 4]);
  });

  it('stores the RoomMessage as sent', () => {
    const rooms = registry();
    ok(rooms.join(5, alice));
    const fields = { content: 'x', nonce: 'n1', replyTo: 7, attachments: ['garou://uploads/1/a'] };
    const { message } = ok(rooms.postMessage(5, alice, fields, 1234));
    expect(message).toEqual({
      message_id: 1,
      room_id: 5,
      sender: alice.user,
      content: 'x',
      timestamp: 1234,
      reply_to: 7,
      attachments: ['garou://uploads/1/a'],
      nonce: 'n1',
    });
    expect(rooms.get(5)?.history.toArray()).toEqual([message]);
  });

  it('checks room, then membership and permission, then the caller validation; refusals use no id', () => {
    const rooms = registry();
    const invalid = () => ({
      code: ERROR_CODES.INVALID_MESSAGE,
      message: 'bad',
      context: 'SendMessage.content',
    });
    expect(failure(rooms.postMessage(77, alice, text('x'), 0, invalid))).toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
      context: 'SendMessage.room_id',
    });
    ok(rooms.join(5, bob));
    expect(failure(rooms.postMessage(5, alice, text('x'), 0, invalid)).code).toBe(
      ERROR_CODES.PERMISSION_DENIED,
    );
    expect(failure(rooms.postMessage(5, bob, text('x'), 0, invalid)).code).toBe(ERROR_CODES.INVALID_MESSAGE);
    ok(rooms.join(1, alice));
    ok(rooms.postMessage(1, alice, text('members post in General'), 0));
    rooms.assignRole(1, 1, 'guest');
    expect(failure(rooms.postMessage(1, alice, text('x'), 0)).code).toBe(ERROR_CODES.PERMISSION_DENIED);
    expect(ok(rooms.postMessage(5, bob, text('y'), 0)).message.message_id).toBe(2);
  });

  it('history keeps the newest N; older messages can no longer be edited (NOT_FOUND)', () => {
    const rooms = registry({ historySize: 3 });
    ok(rooms.join(5, alice));
    for (let i = 1; i <= 5; i++) ok(rooms.postMessage(5, alice, text(`m${i}`), i));
    const contents = rooms
      .get(5)
      ?.history.toArray()
      .map((m) => m.content);
    expect(contents).toEqual(['m3', 'm4', 'm5']);
    expect(failure(rooms.editMessage(2, alice, 'late'))).toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
      context: 'EditMessage.message_id',
    });
    expect(rooms.findMessage(2)).toBeUndefined();
    expect(ok(rooms.editMessage(3, alice, 'edited')).message.content).toBe('edited');
    expect(rooms.get(5)?.history.toArray()[0]?.content).toBe('edited');
  });

  it('edit is author-only, checked before the content validation', () => {
    const rooms = registry();
    ok(rooms.join(5, alice));
    ok(rooms.join(5, bob));
    rooms.assignRole(5, 2, 'admin');
    const id = ok(rooms.postMessage(5, alice, text('mine'), 0)).message.message_id;
    const invalid = () => ({
      code: ERROR_CODES.INVALID_MESSAGE,
      message: 'bad',
      context: 'EditMessage.content',
    });
    expect(failure(rooms.editMessage(id, bob, 'theirs', invalid)).code).toBe(ERROR_CODES.PERMISSION_DENIED);
    expect(failure(rooms.editMessage(id, alice, 'x', invalid)).code).toBe(ERROR_CODES.INVALID_MESSAGE);
    expect(rooms.findMessage(id)?.message.content).toBe('mine');
  });

  it('delete: author or moderator+, removes from history and index', () => {
    const rooms = registry();
    ok(rooms.join(5, alice)); // owner
    ok(rooms.join(5, bob));
    ok(rooms.join(5, carol));
    const m1 = ok(rooms.postMessage(5, bob, text('1'), 0)).message.message_id;
    const m2 = ok(rooms.postMessage(5, bob, text('2'), 0)).message.message_id;
    expect(failure(rooms.deleteMessage(m1, carol)).code).toBe(ERROR_CODES.PERMISSION_DENIED);
    ok(rooms.deleteMessage(m1, bob));
    rooms.assignRole(5, 3, 'moderator');
    ok(rooms.deleteMessage(m2, carol));
    expect(rooms.get(5)?.history.size).toBe(0);
    expect(failure(rooms.deleteMessage(m1, bob)).code).toBe(ERROR_CODES.NOT_FOUND);
    expect(failure(rooms.addReaction(m2, bob, '👍')).code).toBe(ERROR_CODES.NOT_FOUND);
  });

  it('nobody deletes another user’s message in a direct room', () => {
    const rooms = registry();
    const room = ok(rooms.createRoom(alice, 'dm', 'direct', [2], [bob]));
    const id = ok(rooms.postMessage(room.id, bob, text('x'), 0)).message.message_id;
    expect(failure(rooms.deleteMessage(id, alice)).code).toBe(ERROR_CODES.PERMISSION_DENIED); // alice is owner
  });

  it('reactions: adding twice changes nothing; removing an absent pair is NOT_FOUND', () => {
    const rooms = registry();
    ok(rooms.join(5, alice));
    ok(rooms.join(5, bob));
    const id = ok(rooms.postMessage(5, alice, text('x'), 0)).message.message_id;
    expect(ok(rooms.addReaction(id, bob, '👍')).changed).toBe(true);
    expect(ok(rooms.addReaction(id, bob, '👍')).changed).toBe(false);
    expect(ok(rooms.addReaction(id, alice, '👍')).changed).toBe(true);
    expect([...(rooms.reactionsOf(id)?.get('👍') ?? [])].sort()).toEqual([1, 2]);
    ok(rooms.removeReaction(id, bob, '👍'));
    expect(failure(rooms.removeReaction(id, bob, '👍'))).toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
      context: 'RemoveReaction.emoji',
    });
    ok(rooms.removeReaction(id, alice, '👍'));
    expect(rooms.reactionsOf(id)?.size).toBe(0);
    expect(failure(rooms.addReaction(id, carol, '👍'))).toMatchObject({
      code: ERROR_CODES.PERMISSION_DENIED,
      context: 'AddReaction.message_id',
    });
  });
});

describe('RoomRegistry: kick and set_role', () => {
  it('moderator+ kicks a lower role', () => {
    const rooms = registry();
    ok(rooms.join(5, alice)); // owner
    ok(rooms.join(5, bob));
    const departure = ok(rooms.kick(5, alice, 2));
    expect(departure.member.connection).toBe(102);
    expect(rooms.get(5)?.members.has(2)).toBe(false);
    expect(rooms.roomsOf(102).has(5)).toBe(false);
  });

  it('checks room (1005), then the actor’s right (1004), then the target (1005), then ranks (1004)', () => {
    const rooms = registry();
    ok(rooms.join(5, alice));
    ok(rooms.join(5, bob));
    ok(rooms.join(5, carol));
    const codes = () => [
      failure(rooms.kick(99, bob, 3)).code,
      failure(rooms.kick(5, bob, 3)).code, // member: no kick right
      failure(rooms.kick(5, { user: user(9), connection: 109 }, 3)).code, // not a member
    ];
    expect(codes()).toEqual([
      ERROR_CODES.NOT_FOUND,
      ERROR_CODES.PERMISSION_DENIED,
      ERROR_CODES.PERMISSION_DENIED,
    ]);
    rooms.assignRole(5, 2, 'moderator');
    rooms.assignRole(5, 3, 'moderator');
    expect(failure(rooms.kick(5, bob, 99))).toMatchObject({
      code: ERROR_CODES.NOT_FOUND,
      context: 'ServerCommand.params',
    });
    expect(failure(rooms.kick(5, bob, 3)).code).toBe(ERROR_CODES.PERMISSION_DENIED); // equal rank
    expect(failure(rooms.kick(5, bob, 1)).code).toBe(ERROR_CODES.PERMISSION_DENIED); // owner
  });

  it('set_role: admin+ over strictly lower roles, to strictly lower roles, never owner', () => {
    const rooms = registry();
    ok(rooms.join(5, alice)); // owner
    ok(rooms.join(5, bob));
    ok(rooms.join(5, carol));
    expect(ok(rooms.setRole(5, alice, 2, 'admin')).role).toBe('admin');
    expect(failure(rooms.setRole(5, bob, 3, 'admin')).code).toBe(ERROR_CODES.PERMISSION_DENIED); // not lower
    expect(ok(rooms.setRole(5, bob, 3, 'moderator')).role).toBe('moderator');
    expect(failure(rooms.setRole(5, carol, 2, 'member')).code).toBe(ERROR_CODES.PERMISSION_DENIED); // mod < admin
    expect(failure(rooms.setRole(5, alice, 2, 'owner')).code).toBe(ERROR_CODES.PERMISSION_DENIED);
    expect(failure(rooms.setRole(5, alice, 42, 'member')).code).toBe(ERROR_CODES.NOT_FOUND);
  });
});
