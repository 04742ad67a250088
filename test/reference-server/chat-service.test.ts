import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { userIdForUsername } from '../../reference-server/user-identity.js';
import { encodeFrame, type Frame } from '../../spec/index.js';
import { CONTROL, TestClient, removeTestDirs, testService } from './recording-connection.js';

afterAll(removeTestDirs);

const GENERAL_SHARD_STREAM = 7; // room 1 -> shard 1 -> 4*1+3
/** Room 10 with 8 shards: shard 2, stream 11. */
const ROOM = 10;
const ROOM_STREAM = 11;
/** First hot stream of a connection: server uni stream index 8 (after 8 shard streams). */
const FIRST_HOT_STREAM = 35;

const names = (frames: Frame[]) => frames.map((f) => f.name);
const messageIds = (frames: Frame[]) =>
  frames.flatMap((f) => (f.name === 'RoomMessage' ? [f.payload.message_id as number] : []));

function send(client: TestClient, room: number, content: string, nonce = content) {
  client.command('SendMessage', { room_id: room, content, nonce, reply_to: null, attachments: [] });
}

describe('messages and fan-out', () => {
  it('SendMessage: MessageAck to the sender, RoomMessage to every member including the sender', () => {
    const { service, clock } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    send(alice, 1, 'hello', 'n-1');
    expect(alice.controlOf('MessageAck').map((f) => f.payload)).toEqual([
      { nonce: 'n-1', message_id: 1, timestamp: clock.time },
    ]);
    for (const client of [alice, bob]) {
      const message = client.framesOn(GENERAL_SHARD_STREAM).find((f) => f.name === 'RoomMessage');
      expect(message?.payload).toEqual({
        message_id: 1,
        room_id: 1,
        sender: { user_id: userIdForUsername('alice'), username: 'alice', avatar_url: null },
        content: 'hello',
        timestamp: clock.time,
        reply_to: null,
        attachments: [],
        nonce: 'n-1',
      });
    }
  });

  it('encodes a room frame once: every member gets the very same bytes object', () => {
    const { service } = testService();
    const clients = ['a', 'b', 'c', 'd'].map((n) => new TestClient(service).login(n));
    for (const c of clients) c.port.clear();
    send(clients[0]!, 1, 'shared');
    const sent = clients.map((c) => {
      const action = c.port.actions.find((a) => a.type === 'send' && a.streamId === GENERAL_SHARD_STREAM);
      return action?.type === 'send' ? action.bytes : undefined;
    });
    expect(sent.every((b) => b !== undefined)).toBe(true);
    for (const bytes of sent) expect(bytes).toBe(sent[0]);
  });

  it('message ids come from one increasing server-wide counter', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    alice.command('JoinRoom', { room_id: ROOM });
    send(alice, 1, 'a');
    send(alice, ROOM, 'b');
    send(alice, 1, 'c');
    expect(alice.controlOf('MessageAck').map((f) => f.payload.message_id)).toEqual([1, 2, 3]);
    expect(messageIds(alice.framesOn(GENERAL_SHARD_STREAM))).toEqual([1, 3]);
    expect(messageIds(alice.framesOn(ROOM_STREAM))).toEqual([2]);
  });

  it('validates in order: room (1005), membership (1004), content, nonce, attachments (1007), with the nonce', () => {
    const { service } = testService({ max_content_bytes: 10 });
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    bob.command('JoinRoom', { room_id: ROOM });
    send(alice, 999, 'x'.repeat(11), 'a');
    send(alice, ROOM, 'x'.repeat(11), 'b');
    send(alice, 1, 'é'.repeat(6), 'c'); // 12 UTF-8 bytes > 10
    send(alice, 1, 'ok', 'n'.repeat(129));
    alice.command('SendMessage', { room_id: 1, content: 'ok', nonce: 'e', reply_to: null, attachments: [5] });
    expect(alice.errors().map((e) => [e.code, e.context])).toEqual([
      [1005, 'SendMessage.room_id nonce=a'],
      [1004, 'SendMessage.room_id nonce=b'],
      [1007, 'SendMessage.content nonce=c'],
      [1007, `SendMessage.nonce nonce=${'n'.repeat(129)}`],
      [1007, 'SendMessage.attachments nonce=e'],
    ]);
    expect(alice.controlOf('MessageAck')).toEqual([]);
    // Refused messages consumed no id.
    send(alice, 1, 'é'.repeat(5), 'f');
    expect(alice.controlOf('MessageAck').map((f) => f.payload.message_id)).toEqual([1]);
  });

  it('edit, delete and reactions fan out; edits of others are refused', () => {
    const { service, clock } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    send(alice, 1, 'original');
    bob.command('EditMessage', { message_id: 1, content: 'hijack' });
    expect(bob.errors()).toEqual([
      { code: 1004, message: 'only the author may edit a message', context: 'EditMessage.message_id' },
    ]);
    alice.command('EditMessage', { message_id: 1, content: 'edited' });
    bob.command('AddReaction', { message_id: 1, emoji: '🎉' });
    bob.command('AddReaction', { message_id: 1, emoji: '🎉' }); // repeat: nothing new to announce
    bob.command('AddReaction', { message_id: 1, emoji: 'x'.repeat(65) });
    bob.command('RemoveReaction', { message_id: 1, emoji: '🎉' });
    bob.command('RemoveReaction', { message_id: 1, emoji: '🎉' });
    expect(bob.errors().slice(1)).toEqual([
      { code: 1007, message: expect.any(String), context: 'AddReaction.emoji' },
      { code: 1005, message: expect.any(String), context: 'RemoveReaction.emoji' },
    ]);
    alice.command('DeleteMessage', { message_id: 1 });
    alice.command('DeleteMessage', { message_id: 1 });
    expect(alice.errors()).toEqual([
      { code: 1005, message: expect.stringMatching(/unknown/), context: 'DeleteMessage.message_id' },
    ]);
    const bobFrames = bob.framesOn(GENERAL_SHARD_STREAM).filter((f) => f.name !== 'RoomUserJoined');
    expect(names(bobFrames)).toEqual([
      'RoomInit',
      'RoomMessage',
      'RoomMessageEdited',
      'RoomReactionAdded',
      'RoomReactionRemoved',
      'RoomMessageDeleted',
    ]);
    expect(bobFrames[2]?.payload).toEqual({
      message_id: 1,
      room_id: 1,
      editor_id: userIdForUsername('alice'),
      content: 'edited',
      edited_at: clock.time,
    });
    expect(bobFrames[5]?.payload).toMatchObject({ message_id: 1, deleted_by: userIdForUsername('alice') });
  });

  it('RoomInit carries the recent history, oldest first, bounded by history_size', () => {
    const { service } = testService({ history_size: 3 });
    const alice = new TestClient(service).login('alice');
    for (let i = 1; i <= 5; i++) send(alice, 1, `m${i}`);
    const bob = new TestClient(service).login('bob');
    const init = bob.framesOn(GENERAL_SHARD_STREAM)[0];
    expect(init?.name).toBe('RoomInit');
    if (init?.name !== 'RoomInit') return;
    expect(init.payload.recent_messages.map((m) => m.content)).toEqual(['m3', 'm4', 'm5']);
    expect(init.payload.members.map((m) => m.username)).toEqual(['alice', 'bob']);
  });
});

describe('RoomInit size', () => {
  it('drops the oldest history entries when RoomInit would exceed 16 MiB', () => {
    const { service } = testService({ history_size: 3, max_content_bytes: 16 * 1024 * 1024 });
    const alice = new TestClient(service).login('alice');
    for (const tag of ['a', 'b', 'c']) send(alice, 1, tag.repeat(6 * 1024 * 1024), tag);
    const bob = new TestClient(service).login('bob');
    const init = bob.framesOn(GENERAL_SHARD_STREAM)[0];
    expect(init?.name).toBe('RoomInit');
    if (init?.name !== 'RoomInit') return;
    expect(init.payload.recent_messages.map((m) => m.nonce)).toEqual(['b', 'c']);
    // The stored history is unchanged: only that RoomInit was trimmed.
    expect(service.rooms.get(1)?.history.size).toBe(3);
  });
});

describe('rooms', () => {
  it('join announces to others; leave closes for the leaver and announces to others', () => {
    const { service, clock } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.command('JoinRoom', { room_id: ROOM });
    bob.command('JoinRoom', { room_id: ROOM });
    expect(names(alice.framesOn(ROOM_STREAM))).toEqual(['RoomInit', 'RoomUserJoined']);
    const init = bob.framesOn(ROOM_STREAM)[0];
    expect(init?.payload).toMatchObject({ room_id: ROOM, name: `Room ${ROOM}`, room_type: 'group' });
    bob.command('LeaveRoom', { room_id: ROOM });
    expect(names(bob.framesOn(ROOM_STREAM))).toEqual(['RoomInit', 'RoomClose']);
    expect(bob.framesOn(ROOM_STREAM)[1]?.payload).toEqual({ room_id: ROOM, reason: 'left' });
    expect(alice.framesOn(ROOM_STREAM)[2]?.payload).toEqual({
      room_id: ROOM,
      user_id: userIdForUsername('bob'),
      left_at: clock.time,
    });
    bob.command('LeaveRoom', { room_id: ROOM });
    expect(bob.errors()[0]).toMatchObject({ code: 1005, context: 'LeaveRoom.room_id' });
  });

  it('disconnect: RoomUserLeft to the remaining members of every room', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.command('JoinRoom', { room_id: ROOM });
    bob.command('JoinRoom', { room_id: ROOM });
    bob.session.onClosed();
    expect(names(alice.framesOn(ROOM_STREAM)).at(-1)).toBe('RoomUserLeft');
    expect(names(alice.framesOn(GENERAL_SHARD_STREAM)).at(-1)).toBe('RoomUserLeft');
  });

  it('a second login of the same user replaces the first connection (takeover)', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob1 = new TestClient(service).login('bob');
    bob1.command('JoinRoom', { room_id: ROOM });
    alice.port.clear();
    const bob2 = new TestClient(service).login('bob');
    expect(bob1.controlOf('Goodbye').map((f) => f.payload)).toEqual([{ reason: 'replaced' }]);
    expect(bob1.port.closed()).toMatchObject({ code: 0 });
    expect(bob1.session.state).toBe('closed');
    // Disconnect processing of the old connection comes before the new one joins General.
    expect(names(alice.framesOn(GENERAL_SHARD_STREAM))).toEqual(['RoomUserLeft', 'RoomUserJoined']);
    expect(bob2.controlOf('AuthOk')[0]?.payload.rooms).toEqual([1]);
    // The old connection's room 10 membership ended with it.
    send(bob2, ROOM, 'x');
    expect(bob2.errors()[0]).toMatchObject({ code: 1004 });
  });

  it('CreateRoom: one shared RoomInit to the creator and every connected listed user', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.command('CreateRoom', { name: ' dm ', room_type: 'direct', members: [userIdForUsername('bob')] });
    // Room 2 -> shard 2 -> stream 11.
    const sent = [alice, bob].map((client) => {
      const init = client.framesOn(11)[0];
      expect(init?.payload).toMatchObject({ room_id: 2, name: 'dm', room_type: 'direct' });
      const action = client.port.actions.find((a) => a.type === 'send' && a.streamId === 11);
      return action?.type === 'send' ? action.bytes : undefined;
    });
    expect(sent[0]).toBe(sent[1]);
    expect(names(alice.framesOn(11))).toEqual(['RoomInit']); // no RoomUserJoined for initial members
    const carol = new TestClient(service).login('carol');
    carol.command('JoinRoom', { room_id: 2 });
    expect(carol.errors()[0]).toMatchObject({ code: 1004, context: 'JoinRoom.room_id' });
  });

  it('CreateRoom: listed users who are offline are not members; a direct room allows them later', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    alice.command('CreateRoom', { name: 'team', room_type: 'group', members: [userIdForUsername('nobody')] });
    expect(alice.framesOn(11)[0]?.payload).toMatchObject({ room_id: 2, members: [{ username: 'alice' }] });
    alice.command('CreateRoom', { name: 'dm', room_type: 'direct', members: [userIdForUsername('dave')] });
    const dave = new TestClient(service).login('dave');
    dave.command('JoinRoom', { room_id: 3 });
    expect(dave.framesOn(15)[0]?.payload).toMatchObject({ room_id: 3, room_type: 'direct' });
    alice.command('CreateRoom', { name: 'x', room_type: 'direct', members: [] });
    alice.command('CreateRoom', { name: '   ', room_type: 'group', members: [] });
    expect(alice.errors().map((e) => [e.code, e.context])).toEqual([
      [1007, 'CreateRoom.members'],
      [1007, 'CreateRoom.name'],
    ]);
  });

  it('ROOM_FULL when a room reached max_room_members', () => {
    const { service } = testService({ max_room_members: 2 });
    const a = new TestClient(service).login('a');
    const b = new TestClient(service).login('b');
    const c = new TestClient(service).login('c');
    // General is full for c: AuthOk lists no room, and Error 1008 says why.
    expect(c.controlOf('AuthOk')[0]?.payload.rooms).toEqual([]);
    expect(c.errors()).toEqual([{ code: 1008, message: expect.any(String), context: 'JoinRoom.room_id' }]);
    a.command('JoinRoom', { room_id: ROOM });
    b.command('JoinRoom', { room_id: ROOM });
    c.command('JoinRoom', { room_id: ROOM });
    expect(c.errors()[1]).toMatchObject({ code: 1008, context: 'JoinRoom.room_id' });
  });
});

describe('room limit', () => {
  it('max_rooms 3: a 4th room fails with Error 1008 on JoinRoom and CreateRoom; existing rooms still work', () => {
    const { service } = testService({ max_rooms: 3 });
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.command('JoinRoom', { room_id: ROOM }); // room 2 of 3
    alice.command('CreateRoom', { name: 'team', room_type: 'group', members: [] }); // room 3 of 3
    expect(alice.errors()).toEqual([]);
    bob.command('JoinRoom', { room_id: 99 });
    bob.command('CreateRoom', { name: 'more', room_type: 'group', members: [] });
    expect(bob.errors()).toEqual([
      { code: 1008, message: 'room limit reached (max_rooms 3)', context: 'JoinRoom.room_id' },
      { code: 1008, message: 'room limit reached (max_rooms 3)', context: 'CreateRoom' },
    ]);
    expect(service.rooms.size).toBe(3);
    bob.command('JoinRoom', { room_id: ROOM });
    expect(bob.framesOn(ROOM_STREAM).map((f) => f.name)).toEqual(['RoomInit']);
    send(bob, ROOM, 'hi');
    expect(messageIds(alice.framesOn(ROOM_STREAM))).toHaveLength(1);
    expect(bob.errors()).toHaveLength(2);
  });
});

describe('presence and typing datagrams', () => {
  it('online on auth and offline on disconnect reach members of shared rooms', () => {
    const { service, clock } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    expect(alice.port.datagrams().map((f) => f.payload)).toEqual([
      { user_id: userIdForUsername('bob'), status: 'online' },
    ]);
    expect(bob.port.datagrams()).toEqual([]);
    bob.session.onClosed();
    expect(alice.port.datagrams().at(-1)).toMatchObject({
      name: 'PresenceOffline',
      payload: { user_id: userIdForUsername('bob'), last_seen: clock.time },
    });
  });

  it('typing is relayed to the other members with the sender id filled in', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.port.clear();
    bob.port.clear();
    alice.datagram('Typing', { room_id: 1, user_id: 12345 }); // a forged user id is replaced
    expect(bob.port.datagrams()).toEqual([
      { code: 0x80, name: 'Typing', payload: { room_id: 1, user_id: userIdForUsername('alice') } },
    ]);
    expect(alice.port.datagrams()).toEqual([]);
    alice.datagram('Typing', { room_id: 77, user_id: null }); // not a member: dropped silently
    expect(bob.port.datagrams()).toHaveLength(1);
    expect(alice.errors()).toEqual([]);
  });

  it('client presence is relayed to everyone sharing a room, under the sender’s id', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    const carol = new TestClient(service).login('carol');
    carol.command('LeaveRoom', { room_id: 1 });
    bob.port.clear();
    carol.port.clear();
    alice.datagram('PresenceAway', { user_id: 0, away_since: 5 });
    alice.datagram('PresenceOnline', { user_id: 0, status: 'busy' });
    alice.datagram('PresenceOffline', { user_id: 0, last_seen: 7 });
    const id = userIdForUsername('alice');
    expect(bob.port.datagrams().map((f) => f.payload)).toEqual([
      { user_id: id, away_since: 5 },
      { user_id: id, status: 'busy' },
      { user_id: id, last_seen: 7 },
    ]);
    expect(carol.port.datagrams()).toEqual([]); // shares no room with alice
  });

  it('malformed and early datagrams are dropped silently', () => {
    const { service } = testService();
    const early = new TestClient(service);
    early.control('Hello', { version: 1, capabilities: [] });
    early.datagram('Typing', { room_id: 1, user_id: null });
    const alice = new TestClient(service).login('alice');
    alice.session.onDatagram(new Uint8Array([0x80, 0, 0, 0, 9, 1, 2]));
    alice.session.onDatagram(encodeFrame('Ping', { timestamp: 1 }));
    expect(early.errors()).toEqual([]);
    expect(alice.errors()).toEqual([]);
    expect(alice.port.closed()).toBeUndefined();
  });
});

describe('hot rooms', () => {
  // 5 messages in a 1 s window promote; demote below 1 msg/s after a 2 s cool-down.
  const HOT = { promote_rate: 5, demote_rate: 1, rate_window_ms: 1000, cool_down_ms: 2000, max_hot_rooms: 1 };

  function hotSetup() {
    const setup = testService(HOT);
    const alice = new TestClient(setup.service).login('alice');
    const bob = new TestClient(setup.service).login('bob');
    alice.command('JoinRoom', { room_id: ROOM });
    bob.command('JoinRoom', { room_id: ROOM });
    return { ...setup, alice, bob };
  }

  it('promotion order: RoomPromoted on control, then a new stream headed by RoomPromoted, then room frames', () => {
    const { alice, bob } = hotSetup();
    for (const c of [alice, bob]) c.port.clear();
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `m${i}`);
    for (const client of [alice, bob]) {
      // Messages 1-4 on the shard stream, the 5th (the trigger) and later on the hot stream.
      expect(messageIds(client.framesOn(ROOM_STREAM))).toEqual([1, 2, 3, 4]);
      const hot = client.framesOn(FIRST_HOT_STREAM);
      expect(names(hot)).toEqual(['RoomPromoted', 'RoomMessage']);
      expect(hot[0]?.payload).toEqual({ room_id: ROOM, from_shard: 2 });
      expect(messageIds(hot)).toEqual([5]);
      expect(client.controlOf('RoomPromoted').map((f) => f.payload)).toEqual([
        { room_id: ROOM, from_shard: 2 },
      ]);
      // Action order: control RoomPromoted precedes the first write on the hot stream.
      const actions = client.port.actions;
      const controlPromoted = actions.findIndex(
        (a) => a.type === 'send' && a.streamId === CONTROL && a.bytes[0] === 0x51,
      );
      const firstHotWrite = actions.findIndex((a) => a.type === 'send' && a.streamId === FIRST_HOT_STREAM);
      expect(controlPromoted).toBeGreaterThanOrEqual(0);
      expect(controlPromoted).toBeLessThan(firstHotWrite);
    }
    send(bob, ROOM, 'later');
    expect(messageIds(alice.framesOn(FIRST_HOT_STREAM))).toEqual([5, 6]);
    // General is not hot: still on its shard stream.
    send(alice, 1, 'general');
    expect(messageIds(alice.framesOn(GENERAL_SHARD_STREAM))).toEqual([7]);
  });

  it('demotion order: hot stream finished, then RoomDemoted on control, then frames on the shard stream', () => {
    const { service, clock, alice, bob } = hotSetup();
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `m${i}`);
    for (const c of [alice, bob]) c.port.clear();
    // Quiet: the window empties after 1 s, then 2 s of cool-down.
    for (let t = 0; t < 12; t++) {
      clock.advance(250);
      service.tick();
    }
    for (const client of [alice, bob]) {
      const actions = client.port.actions;
      const finish = actions.findIndex((a) => a.type === 'finish' && a.streamId === FIRST_HOT_STREAM);
      const demoted = actions.findIndex(
        (a) => a.type === 'send' && a.streamId === CONTROL && a.bytes[0] === 0x52,
      );
      expect(finish).toBeGreaterThanOrEqual(0);
      expect(demoted).toBeGreaterThan(finish);
      expect(client.controlOf('RoomDemoted').map((f) => f.payload)).toEqual([{ room_id: ROOM, to_shard: 2 }]);
    }
    send(bob, ROOM, 'after');
    expect(messageIds(alice.framesOn(ROOM_STREAM))).toEqual([6]);
    expect(service.hotRooms.isHot(ROOM)).toBe(false);
  });

  it('every member receives every message exactly once, in id order per stream, across promote and demote', () => {
    const { service, clock, alice, bob } = hotSetup();
    const sent: number[] = [];
    // Bursts (promote) separated by long quiet periods (demote), three times.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) {
        send(i % 2 ? alice : bob, ROOM, `r${round}-${i}`);
        clock.advance(10);
      }
      for (let t = 0; t < 16; t++) {
        clock.advance(250);
        service.tick();
      }
    }
    for (const c of [alice, bob])
      sent.push(...c.controlOf('MessageAck').map((f) => f.payload.message_id as number));
    sent.sort((a, b) => a - b);
    for (const client of [alice, bob]) {
      const streams = client.port.streamsWritten().filter((s) => s !== CONTROL);
      const perStream = streams.map((s) => messageIds(client.framesOn(s)));
      for (const ids of perStream) expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(perStream.flat().sort((a, b) => a - b)).toEqual(sent);
      // Three promotions: three distinct hot streams, each finished.
      expect(client.controlOf('RoomPromoted')).toHaveLength(3);
      expect(client.controlOf('RoomDemoted')).toHaveLength(3);
      expect(client.port.actions.filter((a) => a.type === 'finish').map((a) => a.streamId)).toEqual([
        35, 39, 43,
      ]);
    }
  });

  it('a member joining a hot room gets RoomPromoted and the hot stream before RoomInit', () => {
    const { service, alice } = hotSetup();
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `m${i}`);
    const carol = new TestClient(service).login('carol');
    carol.command('JoinRoom', { room_id: ROOM });
    expect(carol.controlOf('RoomPromoted').map((f) => f.payload)).toEqual([{ room_id: ROOM, from_shard: 2 }]);
    expect(names(carol.framesOn(FIRST_HOT_STREAM))).toEqual(['RoomPromoted', 'RoomInit']);
    expect(carol.framesOn(ROOM_STREAM)).toEqual([]);
    send(alice, ROOM, 'welcome');
    expect(messageIds(carol.framesOn(FIRST_HOT_STREAM))).toEqual([6]);
  });

  it('leaving a hot room: RoomClose on the hot stream, then the stream is finished', () => {
    const { alice, bob } = hotSetup();
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `m${i}`);
    bob.command('LeaveRoom', { room_id: ROOM });
    expect(names(bob.framesOn(FIRST_HOT_STREAM)).at(-1)).toBe('RoomClose');
    expect(bob.port.actions.at(-1)).toEqual({ type: 'finish', streamId: FIRST_HOT_STREAM });
    expect(bob.controlOf('RoomDemoted')).toEqual([]);
  });

  it('a kicked member of a hot room: RoomClose last on its hot stream, then FIN', () => {
    const { alice, bob } = hotSetup();
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `m${i}`);
    alice.control('ServerCommand', {
      command: 'kick',
      params: { room_id: ROOM, user_id: userIdForUsername('bob') },
    });
    expect(bob.framesOn(FIRST_HOT_STREAM).at(-1)?.payload).toEqual({ room_id: ROOM, reason: 'kicked' });
    expect(bob.port.actions.at(-1)).toEqual({ type: 'finish', streamId: FIRST_HOT_STREAM });
    expect(names(alice.framesOn(FIRST_HOT_STREAM)).at(-1)).toBe('RoomUserLeft');
  });

  it('auto-join of a hot General: ShardAssignment, RoomPromoted, then RoomInit on the hot stream', () => {
    const { service } = testService(HOT);
    const alice = new TestClient(service).login('alice');
    for (let i = 1; i <= 5; i++) send(alice, 1, `m${i}`);
    const bob = new TestClient(service).login('bob');
    expect(names(bob.controlFrames())).toEqual(['HelloAck', 'AuthOk', 'ShardAssignment', 'RoomPromoted']);
    expect(names(bob.framesOn(FIRST_HOT_STREAM))).toEqual(['RoomPromoted', 'RoomInit']);
    expect(bob.framesOn(GENERAL_SHARD_STREAM)).toEqual([]);
  });

  it('at most max_hot_rooms rooms are hot', () => {
    const { alice } = hotSetup();
    alice.command('JoinRoom', { room_id: ROOM + 1 });
    for (let i = 1; i <= 5; i++) send(alice, ROOM, `a${i}`);
    for (let i = 1; i <= 10; i++) send(alice, ROOM + 1, `b${i}`);
    expect(alice.controlOf('RoomPromoted').map((f) => f.payload.room_id)).toEqual([ROOM]);
  });
});

describe('uploads and attachments', () => {
  it('start -> UploadAck(0, null); chunks; complete -> UploadAck(size, url) once on disk; attach by id', async () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const data = new TextEncoder().encode('file body bytes');
    const checksum = createHash('sha256').update(data).digest('hex');
    const uploads = alice.newUniStream();
    alice.on(uploads, 'UploadStart', {
      room_id: 1,
      filename: '../../secret.txt',
      mime_type: 'text/plain',
      size: data.length,
      checksum,
    });
    alice.chunk(uploads, 1, 0, data.subarray(0, 4));
    alice.chunk(uploads, 1, 4, data.subarray(4));
    alice.on(uploads, 'UploadComplete', { upload_id: 1 });
    // The completed UploadAck waits for the file to be on disk.
    expect(service.uploads.completed(1)).toBeUndefined();
    expect(alice.controlOf('UploadAck')).toHaveLength(1);
    await vi.waitFor(() => expect(alice.controlOf('UploadAck')).toHaveLength(2));
    expect(readFileSync(service.uploads.completed(1)!.path)).toEqual(Buffer.from(data));
    expect(alice.controlOf('UploadAck').map((f) => f.payload)).toEqual([
      { upload_id: 1, bytes_received: 0, url: null },
      { upload_id: 1, bytes_received: data.length, url: 'garou://uploads/1/.._.._secret.txt' },
    ]);
    alice.command('SendMessage', {
      room_id: 1,
      content: 'see file',
      nonce: 'n',
      reply_to: null,
      attachments: [1],
    });
    const message = alice.framesOn(GENERAL_SHARD_STREAM).find((f) => f.name === 'RoomMessage');
    expect(message?.payload).toMatchObject({ attachments: ['garou://uploads/1/.._.._secret.txt'] });
    alice.command('SendMessage', { room_id: 1, content: 'x', nonce: 'm', reply_to: null, attachments: [99] });
    expect(alice.errors()).toEqual([
      {
        code: 1007,
        message: 'attachment 99 is not a completed upload',
        context: 'SendMessage.attachments nonce=m',
      },
    ]);
  });

  it('a connection closed while its upload completes gets nothing, and nothing throws', async () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const data = new TextEncoder().encode('bytes');
    const uploads = alice.newUniStream();
    alice.on(uploads, 'UploadStart', {
      room_id: 1,
      filename: 'a',
      mime_type: 'x',
      size: data.length,
      checksum: createHash('sha256').update(data).digest('hex'),
    });
    alice.chunk(uploads, 1, 0, data);
    alice.on(uploads, 'UploadComplete', { upload_id: 1 });
    alice.session.onClosed();
    const sent = alice.port.actions.length;
    await service.uploads.idle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(alice.port.actions.length).toBe(sent);
    expect(alice.errors()).toEqual([]);
  });

  it('a wrong offset fails the upload with 1009 naming it', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const uploads = alice.newUniStream();
    alice.on(uploads, 'UploadStart', {
      room_id: 1,
      filename: 'a',
      mime_type: 'x',
      size: 10,
      checksum: 'ab'.repeat(32),
    });
    alice.chunk(uploads, 1, 5, new Uint8Array(5));
    expect(alice.errors()[0]).toMatchObject({ code: 1009, context: 'upload 1' });
  });

  it('an upload for a room the client is not in is refused', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const uploads = alice.newUniStream();
    alice.on(uploads, 'UploadStart', {
      room_id: 55,
      filename: 'a',
      mime_type: 'x',
      size: 1,
      checksum: 'ab'.repeat(32),
    });
    expect(alice.errors()[0]).toMatchObject({ code: 1005, context: 'UploadStart.room_id' });
  });
});
