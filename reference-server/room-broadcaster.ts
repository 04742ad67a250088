/**
 * Fan-out: puts one encoded frame on the right stream of every recipient (PROTOCOL.md 8-10).
 *
 * A room frame is encoded exactly once and the same bytes are queued on each member connection's stream for that
 * room (its shard stream, or its hot stream when the room is hot), so the cost per recipient is a route lookup and
 * a queue push, never JSON work. Promotion and demotion follow the frame order of decisions.md "Rate measurement".
 */
import { performance } from 'node:perf_hooks';
import { encodeDatagram, encodeFrame, type PayloadFor, type U64 } from '../spec/index.js';
import type { ConnectionPort } from './connection-port.js';
import type { ConnectionId, Room } from './rooms.js';
import type { ServerObserver } from './server-observer.js';
import type { ConnectionRoutes } from './shard-router.js';

/** Frames that travel on a room's stream (0x30-0x38). */
export type RoomFrameName =
  | 'RoomMessage'
  | 'RoomMessageEdited'
  | 'RoomMessageDeleted'
  | 'RoomReactionAdded'
  | 'RoomReactionRemoved'
  | 'RoomUserJoined'
  | 'RoomUserLeft'
  | 'RoomInit'
  | 'RoomClose';

/** Frames the server sends on the control stream. */
export type ControlFrameName =
  | 'HelloAck'
  | 'AuthOk'
  | 'AuthFailed'
  | 'Ping'
  | 'Pong'
  | 'Throttle'
  | 'Goodbye'
  | 'ServerCommand'
  | 'ShardAssignment'
  | 'RoomPromoted'
  | 'RoomDemoted'
  | 'MessageAck'
  | 'UploadAck'
  | 'Error';

/** Datagram frames (0x80-0x84). */
export type DatagramFrameName =
  'Typing' | 'StopTyping' | 'PresenceOnline' | 'PresenceOffline' | 'PresenceAway';

/** A connection the broadcaster can reach: its output port, its routes and its control stream. */
export interface RoutedConnection {
  readonly id: ConnectionId;
  readonly port: ConnectionPort;
  readonly routes: ConnectionRoutes;
  /** QUIC id of the client's control stream. */
  readonly controlStreamId: number;
  /**
   * A frame went to or came from the client since the last keep-alive check (keep-alive Ping/Pong aside): the
   * connection is not idle, so that check sends no Ping (PROTOCOL.md 12/server-ping).
   */
  trafficSinceKeepAlive: boolean;
}

/** Queues encoded frame bytes on one of a connection's streams; the connection is then not idle (keep-alive). */
function sendFrame(connection: RoutedConnection, streamId: number, bytes: Uint8Array): void {
  connection.port.send(streamId, bytes);
  connection.trafficSinceKeepAlive = true;
}

/** Sends frames to rooms, single connections and datagram recipients. */
export class RoomBroadcaster {
  constructor(
    private readonly connections: ReadonlyMap<ConnectionId, RoutedConnection>,
    private readonly observer: ServerObserver,
  ) {}

  /**
   * Encodes a room frame once and queues it for every member connection of the room (but `except`), each on its
   * current stream for the room. Returns the number of recipients.
   */
  toRoom<N extends RoomFrameName>(
    room: Room,
    name: N,
    payload: PayloadFor<N>,
    except?: ConnectionId,
  ): number {
    const started = performance.now();
    const bytes = encodeFrame(name, payload);
    let recipients = 0;
    for (const id of room.connections) {
      if (id === except) continue;
      const connection = this.connections.get(id);
      if (!connection) continue;
      sendFrame(connection, connection.routes.streamFor(room.id), bytes);
      recipients++;
    }
    this.observer.frameOut(name, recipients);
    this.observer.fanOut(recipients, (performance.now() - started) / 1000);
    return recipients;
  }

  /** Queues a room frame for one connection on its current stream for that room. */
  toMember<N extends RoomFrameName>(
    connection: RoutedConnection,
    roomId: U64,
    name: N,
    payload: PayloadFor<N>,
  ): void {
    sendFrame(connection, connection.routes.streamFor(roomId), encodeFrame(name, payload));
    this.observer.frameOut(name, 1);
  }

  /** Queues an already encoded room frame for one connection (RoomInit shared by several joiners). */
  toMemberEncoded(connection: RoutedConnection, roomId: U64, name: RoomFrameName, bytes: Uint8Array): void {
    sendFrame(connection, connection.routes.streamFor(roomId), bytes);
    this.observer.frameOut(name, 1);
  }

  /** Queues a frame on one connection's control stream. */
  toControl<N extends ControlFrameName>(connection: RoutedConnection, name: N, payload: PayloadFor<N>): void {
    connection.port.send(connection.controlStreamId, encodeFrame(name, payload));
    // The keep-alive's own Ping and Pong do not count as traffic, or every second check would skip its Ping.
    if (name !== 'Ping' && name !== 'Pong') connection.trafficSinceKeepAlive = true;
    this.observer.frameOut(name, 1);
  }

  /** Encodes a datagram once and sends it to each listed connection. Returns the number of recipients. */
  datagram<N extends DatagramFrameName>(
    recipients: Iterable<ConnectionId>,
    name: N,
    payload: PayloadFor<N>,
  ): number {
    const bytes = encodeDatagram(name, payload);
    let count = 0;
    for (const id of recipients) {
      const connection = this.connections.get(id);
      if (!connection) continue;
      connection.port.sendDatagram(bytes);
      connection.trafficSinceKeepAlive = true;
      count++;
    }
    this.observer.frameOut(name, count);
    return count;
  }

  /**
   * Promotes a room for all its members: per connection, RoomPromoted on the control stream, then a new hot stream
   * whose first frame is the same RoomPromoted (its header). Later room frames route to the hot stream.
   */
  promote(room: Room, fromShard: number): void {
    const bytes = encodeFrame('RoomPromoted', { room_id: room.id, from_shard: fromShard });
    let count = 0;
    for (const id of room.connections) {
      const connection = this.connections.get(id);
      if (!connection) continue;
      this.openHotStreamWith(connection, room.id, bytes);
      count++;
    }
    this.observer.frameOut('RoomPromoted', 2 * count);
  }

  /** Gives one connection (a member joining a hot room) the room's hot stream, as promotion does. */
  openHotStream(connection: RoutedConnection, roomId: U64, fromShard: number): void {
    this.openHotStreamWith(
      connection,
      roomId,
      encodeFrame('RoomPromoted', { room_id: roomId, from_shard: fromShard }),
    );
    this.observer.frameOut('RoomPromoted', 2);
  }

  /**
   * Demotes a room for all its members: per connection, FIN on the hot stream after its last frame, then
   * RoomDemoted on the control stream. Later room frames route to the shard stream.
   */
  demote(room: Room, toShard: number): void {
    const bytes = encodeFrame('RoomDemoted', { room_id: room.id, to_shard: toShard });
    let count = 0;
    for (const id of room.connections) {
      const connection = this.connections.get(id);
      if (!connection || !this.closeHotStream(connection, room.id)) continue;
      sendFrame(connection, connection.controlStreamId, bytes);
      count++;
    }
    this.observer.frameOut('RoomDemoted', count);
  }

  /** Finishes a connection's hot stream for a room (demotion, or the member left). False when it had none. */
  closeHotStream(connection: RoutedConnection, roomId: U64): boolean {
    const streamId = connection.routes.closeHotStream(roomId);
    if (streamId === undefined) return false;
    connection.port.finish(streamId);
    return true;
  }

  private openHotStreamWith(connection: RoutedConnection, roomId: U64, promotedFrame: Uint8Array): void {
    sendFrame(connection, connection.controlStreamId, promotedFrame);
    sendFrame(connection, connection.routes.openHotStream(roomId), promotedFrame);
  }
}
