import { describe, expect, it } from 'vitest';
import { RoomBroadcaster, type RoutedConnection } from '../../reference-server/room-broadcaster.js';
import { RoomRegistry } from '../../reference-server/rooms.js';
import { NULL_OBSERVER, type ServerObserver } from '../../reference-server/server-observer.js';
import { ShardRouter } from '../../reference-server/shard-router.js';
import { decodeFrames } from '../../spec/index.js';
import { RecordingConnection } from './recording-connection.js';

function setup(count: number, observer: ServerObserver = NULL_OBSERVER) {
  const router = new ShardRouter(4);
  const connections = new Map<number, RoutedConnection & { port: RecordingConnection }>();
  for (let id = 1; id <= count; id++)
    connections.set(id, {
      id,
      port: new RecordingConnection(),
      routes: router.newConnectionRoutes(),
      controlStreamId: 0,
      trafficSinceKeepAlive: false,
    });
  const rooms = new RoomRegistry({ historySize: 10, maxRoomMembers: 100 });
  for (const id of connections.keys()) {
    const joined = rooms.join(6, {
      user: { user_id: id, username: `u${id}`, avatar_url: null },
      connection: id,
    });
    if (!joined.ok) throw new Error('join failed');
  }
  return {
    router,
    connections,
    room: rooms.get(6)!,
    broadcaster: new RoomBroadcaster(connections, observer),
  };
}

const sends = (port: RecordingConnection) => port.actions.filter((a) => a.type === 'send');

describe('RoomBroadcaster', () => {
  it('queues one shared encoding on each member stream, skipping `except`', () => {
    const { connections, room, broadcaster } = setup(5);
    const recipients = broadcaster.toRoom(room, 'RoomUserLeft', { room_id: 6, user_id: 9, left_at: 1 }, 3);
    expect(recipients).toBe(4);
    const all = [...connections.values()].flatMap((c) => sends(c.port));
    expect(all).toHaveLength(4);
    for (const action of all) {
      expect(action).toMatchObject({ streamId: 11 }); // room 6 -> shard 2 -> 4*2+3
      expect(action.type === 'send' && action.bytes).toBe(all[0]?.type === 'send' && all[0].bytes);
    }
    expect(sends(connections.get(3)!.port)).toEqual([]);
    expect(decodeFrames((all[0] as { bytes: Uint8Array }).bytes)[0]?.name).toBe('RoomUserLeft');
  });

  it('follows each connection’s own route (hot stream for one, shard for another)', () => {
    const { connections, room, broadcaster } = setup(2);
    broadcaster.openHotStream(connections.get(1)!, 6, 2);
    connections.get(1)!.port.clear();
    broadcaster.toRoom(room, 'RoomUserLeft', { room_id: 6, user_id: 9, left_at: 1 });
    expect(sends(connections.get(1)!.port).map((a) => a.type === 'send' && a.streamId)).toEqual([19]);
    expect(sends(connections.get(2)!.port).map((a) => a.type === 'send' && a.streamId)).toEqual([11]);
  });

  it('promote shares one RoomPromoted encoding between control and hot streams of all members', () => {
    const { connections, room, broadcaster } = setup(3);
    broadcaster.promote(room, 2);
    const all = [...connections.values()].flatMap((c) => sends(c.port));
    expect(all.map((a) => a.type === 'send' && a.streamId)).toEqual([0, 19, 0, 19, 0, 19]);
    for (const action of all)
      expect(action.type === 'send' && action.bytes).toBe(all[0]?.type === 'send' && all[0].bytes);
  });

  it('sends one datagram encoding to every listed, known connection', () => {
    const { connections, broadcaster } = setup(3);
    expect(broadcaster.datagram([1, 3, 42], 'Typing', { room_id: 6, user_id: 2 })).toBe(2);
    const d1 = connections.get(1)!.port.actions[0];
    const d3 = connections.get(3)!.port.actions[0];
    expect(d1?.type).toBe('datagram');
    expect(d1?.type === 'datagram' && d1.bytes).toBe(d3?.type === 'datagram' && d3.bytes);
    expect(connections.get(2)!.port.actions).toEqual([]);
  });

  it('reports frames out and fan-out size to the observer', () => {
    const seen: [string, number][] = [];
    const fanOuts: number[] = [];
    const { room, broadcaster } = setup(3, {
      ...NULL_OBSERVER,
      frameOut: (name, count) => seen.push([name, count]),
      fanOut: (recipients) => fanOuts.push(recipients),
    });
    broadcaster.toRoom(room, 'RoomClose', { room_id: 6, reason: 'deleted' });
    expect(seen).toEqual([['RoomClose', 3]]);
    expect(fanOuts).toEqual([3]);
  });
});
