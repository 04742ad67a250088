/**
 * The large-room rule (PROTOCOL.md 16.2) at small scale: a threshold of 3 members, so the room turns large on the
 * third join. Below it rooms behave as in section 7; from it on no membership or presence frame is fanned out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LargeRoomPolicy } from '../../reference-server/large-rooms.js';
import { userIdForUsername } from '../../reference-server/user-identity.js';
import type { Frame } from '../../spec/index.js';
import { TestClient, removeTestDirs, testService } from './recording-connection.js';

afterAll(removeTestDirs);

/** Room 10 with 8 shards: shard 2, stream 11. */
const ROOM = 10;
const ROOM_STREAM = 11;
const GENERAL_SHARD_STREAM = 7;

const names = (frames: Frame[]) => frames.map((f) => f.name);

function roomInitOf(client: TestClient, stream = ROOM_STREAM) {
  const init = client
    .framesOn(stream)
    .filter((f) => f.name === 'RoomInit')
    .at(-1);
  if (init?.name !== 'RoomInit') throw new Error('no RoomInit');
  return init.payload;
}

/** A service with threshold 3 and clients a, b, c, d logged in, General left by all (so it plays no part). */
function setup(threshold = 3) {
  const { service, clock } = testService({ large_room_threshold: threshold });
  const clients = ['a', 'b', 'c', 'd'].map((n) => new TestClient(service).login(n));
  for (const c of clients) c.command('LeaveRoom', { room_id: 1 });
  for (const c of clients) c.port.clear();
  return { service, clock, clients: clients as [TestClient, TestClient, TestClient, TestClient] };
}

describe('LargeRoomPolicy', () => {
  it('is large from the threshold on; announces a change only when small on both sides; 0 turns it off', () => {
    const policy = new LargeRoomPolicy(3);
    expect([1, 2, 3, 4].map((n) => policy.isLarge(n))).toEqual([false, false, true, true]);
    expect(policy.announcesChange(1, 2)).toBe(true);
    expect(policy.announcesChange(2, 3)).toBe(false);
    expect(policy.announcesChange(3, 2)).toBe(false);
    expect(policy.announcesChange(2, 1)).toBe(true);
    expect(policy.advertised).toBe(3);
    const off = new LargeRoomPolicy(0);
    expect(off.isLarge(1_000_000)).toBe(false);
    expect(off.advertised).toBeNull();
    expect(() => new LargeRoomPolicy(-1)).toThrow(RangeError);
  });
});

describe('large rooms in the server (threshold 3)', () => {
  it('HelloAck advertises the threshold; 0 advertises null', () => {
    for (const [threshold, advertised] of [
      [3, 3],
      [0, null],
    ] as const) {
      const { service } = testService({ large_room_threshold: threshold });
      const client = new TestClient(service).login('x');
      const ack = client.controlFrames().find((f) => f.name === 'HelloAck');
      expect(ack?.name === 'HelloAck' && ack.payload.large_room_threshold).toBe(advertised);
    }
  });

  it('joins are announced while the room stays small; the join that makes it large and later ones are not', () => {
    const { clients } = setup();
    const [a, b, c, d] = clients;
    a.command('JoinRoom', { room_id: ROOM });
    b.command('JoinRoom', { room_id: ROOM });
    expect(names(a.framesOn(ROOM_STREAM))).toEqual(['RoomInit', 'RoomUserJoined']);
    expect(roomInitOf(b).members.map((m) => m.username)).toEqual(['a', 'b']);
    expect(roomInitOf(b).member_count).toBe(2);
    c.command('JoinRoom', { room_id: ROOM });
    d.command('JoinRoom', { room_id: ROOM });
    expect(names(a.framesOn(ROOM_STREAM))).toEqual(['RoomInit', 'RoomUserJoined']);
    expect(names(b.framesOn(ROOM_STREAM))).toEqual(['RoomInit']);
    expect(names(c.framesOn(ROOM_STREAM))).toEqual(['RoomInit']);
    // A large room's RoomInit lists nobody, only the count.
    expect(roomInitOf(c)).toMatchObject({ members: [], member_count: 3 });
    expect(roomInitOf(d)).toMatchObject({ members: [], member_count: 4 });
    // Joining again re-sends RoomInit with the current count (members on request, 16.2/member-count).
    a.command('JoinRoom', { room_id: ROOM });
    expect(roomInitOf(a)).toMatchObject({ members: [], member_count: 4 });
  });

  it('leaves, kicks and disconnects of a large room are silent until it is small on both sides again', () => {
    const { clock, clients } = setup();
    const [a, b, c, d] = clients;
    for (const client of clients) client.command('JoinRoom', { room_id: ROOM });
    for (const client of clients) client.port.clear();
    d.command('LeaveRoom', { room_id: ROOM }); // 4 -> 3
    expect(names(d.framesOn(ROOM_STREAM))).toEqual(['RoomClose']);
    c.session.onClosed(); // 3 -> 2: still silent, the room was large before
    expect(names(a.framesOn(ROOM_STREAM))).toEqual([]);
    expect(names(b.framesOn(ROOM_STREAM))).toEqual([]);
    // a created ROOM (owner) and may kick b: 2 -> 1, small on both sides, announced.
    a.control('ServerCommand', {
      command: 'kick',
      params: { room_id: ROOM, user_id: userIdForUsername('b') },
    });
    expect(names(b.framesOn(ROOM_STREAM))).toEqual(['RoomClose']);
    expect(a.framesOn(ROOM_STREAM).map((f) => f.payload)).toEqual([
      { room_id: ROOM, user_id: userIdForUsername('b'), left_at: clock.time },
    ]);
  });

  it('presence is not fanned out through a large room, only through small shared rooms', () => {
    const { clients } = setup();
    const [a, b, c, d] = clients;
    for (const client of [a, b, c]) client.command('JoinRoom', { room_id: ROOM }); // large
    d.command('JoinRoom', { room_id: ROOM + 1 });
    a.command('JoinRoom', { room_id: ROOM + 1 }); // small room shared by a and d
    for (const client of clients) client.port.clear();
    a.datagram('PresenceAway', { user_id: 0, away_since: 5 });
    expect(b.port.datagrams()).toEqual([]);
    expect(c.port.datagrams()).toEqual([]);
    expect(d.port.datagrams().map((f) => f.name)).toEqual(['PresenceAway']);
    a.session.onClosed();
    expect(b.port.datagrams()).toEqual([]);
    expect(d.port.datagrams().map((f) => f.name)).toEqual(['PresenceAway', 'PresenceOffline']);
  });

  it('room 1 below the threshold is a normal room: joins, presence and full member lists', () => {
    const { service } = testService({ large_room_threshold: 3 });
    const a = new TestClient(service).login('a');
    const b = new TestClient(service).login('b');
    expect(names(a.framesOn(GENERAL_SHARD_STREAM))).toEqual(['RoomInit', 'RoomUserJoined']);
    expect(roomInitOf(b, GENERAL_SHARD_STREAM).members.map((m) => m.username)).toEqual(['a', 'b']);
    expect(a.port.datagrams().map((f) => f.name)).toEqual(['PresenceOnline']);
  });
});

describe('keep-alive pings', () => {
  it('each authenticated connection gets a Ping every ping interval, counted from its own AuthOk', () => {
    // Room 1 is large from its first member, so b's login sends a nothing: both connections stay silent, and a
    // connection with traffic since its last check would get no Ping there (PROTOCOL.md 12/server-ping).
    const { service, clock } = testService({ ping_interval_ms: 1000, large_room_threshold: 1 });
    const a = new TestClient(service).login('a');
    clock.advance(400);
    const b = new TestClient(service).login('b');
    const pings = (c: TestClient) => c.controlFrames().filter((f) => f.name === 'Ping').length;
    const timeline: [number, number][] = [];
    for (let t = 0; t < 12; t++) {
      clock.advance(250);
      service.tick();
      timeline.push([pings(a), pings(b)]);
    }
    // Ticks every 250 ms from 650: a pings at 1150, 2150, 3150 (each 1000 after the last); b at 1400, 2400, 3400.
    expect(timeline.at(1)).toEqual([0, 0]); // t = 900
    expect(timeline.at(2)).toEqual([1, 0]); // t = 1150
    expect(timeline.at(4)).toEqual([1, 1]); // t = 1650
    expect(timeline.at(-1)).toEqual([3, 3]); // t = 3400
    b.session.onClosed();
    clock.advance(2000);
    service.tick();
    expect(pings(b)).toBe(3);
    expect(pings(a)).toBe(4);
  });
});
