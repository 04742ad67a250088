/**
 * A minimal garou server for harness tests, on the real transport and the spec codec: handshake, joins,
 * SendMessage -> MessageAck + RoomMessage fan-out, and a fault layer that DROPS every `dropEvery`-th and
 * DUPLICATES every `duplicateEvery`-th delivery (counted over all (message, recipient) pairs), so tests can
 * check that the harness reports loss and duplicates exactly. It can also script raw frames on chosen
 * server streams (`onAuthenticated`) for client tests. Not a conforming server: only what the tests need.
 */
import { randomUUID } from 'node:crypto';
import {
  FrameDecoder,
  encodeFrame,
  type Frame,
  type RoomMessage,
  type U64,
  type UserInfo,
} from '../../spec/index.js';
import { QuicEndpoint, generateSelfSignedCert, type QuicConnection } from '../../transport/index.js';

/** Fault and layout options. */
export interface FakeServerOptions {
  /** Drop every n-th delivery (0 = never). */
  dropEvery?: number;
  /** Send every n-th delivery twice (0 = never); a dropped delivery is not also duplicated. */
  duplicateEvery?: number;
  /** HelloAck.num_shards (default 1). */
  numShards?: number;
  /** Called after AuthOk and the auto-join (tests script extra frames here). */
  onAuthenticated?: (session: FakeSession) => void;
  /** Answer this Auth with AuthFailed instead (called once per Auth, with the username). */
  refuseAuth?: (username: string) => boolean;
  /** Never answer this Auth (no AuthOk): the client waits for it until its connect timeout. */
  ignoreAuth?: (username: string) => boolean;
  /** Never answer a JoinRoom for this room (no RoomInit): the client waits for it forever. */
  ignoreJoin?: (roomId: number) => boolean;
  /** Close the connection with this application code on Hello instead of answering. */
  closeOnHello?: { code: number; reason: string };
  /**
   * Process each JoinRoom this long after it arrived (membership and RoomInit then), as a server running late
   * would (0 = at once). A session closed by then is not added.
   */
  joinDelayMs?: number;
}

/** One client connection as the fake server sees it. */
export class FakeSession {
  readonly decoders = new Map<number, FrameDecoder>();
  user: UserInfo | null = null;
  /** RoomMessages written to this session (duplicates included). */
  roomMessages = 0;
  /** The connection closed (Goodbye or otherwise): no more joins. */
  closed = false;
  /** Server uni streams opened so far, by index (stream id 4i+3). */
  private readonly uniStreams: number[] = [];

  constructor(
    readonly connection: QuicConnection,
    readonly numShards: number,
  ) {}

  /** Writes an encoded frame on the control stream. */
  control(bytes: Uint8Array): void {
    this.connection.write(0, bytes);
  }

  /** The QUIC id of server uni stream `index`, opening streams up to it (QUIC opens them in order). */
  uniStream(index: number): number {
    while (this.uniStreams.length <= index) this.uniStreams.push(this.connection.openUni());
    return this.uniStreams[index] as number;
  }

  /** Writes bytes on server uni stream `index` (shard i = index i). */
  onStream(index: number, bytes: Uint8Array, fin = false): void {
    this.connection.write(this.uniStream(index), bytes, fin);
  }

  /** Writes a room frame on the shard stream of its room. */
  toRoomShard(roomId: number, bytes: Uint8Array): void {
    this.onStream(roomId % this.numShards, bytes);
  }
}

function userIdOf(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) % 1_000_000_007;
  return hash + 1;
}

/** The fake server. */
export class FakeChatServer {
  /** Deliveries attempted (message x recipient). */
  deliveries = 0;
  dropped = 0;
  duplicated = 0;
  accepted = 0;
  /** MessageDelivered / MessageRead frames received, with the stream they came on. */
  readonly receipts: Array<{ name: string; streamId: number }> = [];
  /** Reasons of the Goodbye frames received. */
  readonly goodbyes: string[] = [];
  private nextMessageId = 1;
  private readonly rooms = new Map<number, Set<FakeSession>>();

  private constructor(
    private readonly endpoint: QuicEndpoint,
    private readonly options: FakeServerOptions,
  ) {
    endpoint.onConnection = (connection) => this.accept(connection);
  }

  /** Binds 127.0.0.1 on a free port and listens with a fresh self-signed certificate. */
  static async start(options: FakeServerOptions = {}): Promise<FakeChatServer> {
    const { cert, key } = await generateSelfSignedCert();
    const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1', port: 0 });
    endpoint.listen({ cert, key });
    return new FakeChatServer(endpoint, options);
  }

  get port(): number {
    return this.endpoint.localAddress.port;
  }

  close(): Promise<void> {
    return this.endpoint.close({ timeoutMs: 500 });
  }

  private accept(connection: QuicConnection): void {
    const session = new FakeSession(connection, this.options.numShards ?? 1);
    connection.onData = (streamId, data) => {
      let decoder = session.decoders.get(streamId);
      if (decoder === undefined) session.decoders.set(streamId, (decoder = new FrameDecoder()));
      decoder.push(data);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        if (frame.name === 'MessageDelivered' || frame.name === 'MessageRead') {
          this.receipts.push({ name: frame.name, streamId });
        }
        this.handle(session, frame);
      }
    };
    connection.onClose = () => {
      session.closed = true;
      for (const members of this.rooms.values()) members.delete(session);
    };
  }

  private handle(session: FakeSession, frame: Frame): void {
    const closeOnHello = this.options.closeOnHello;
    if (closeOnHello !== undefined) {
      // Nothing after the close (the pipelined Auth arrives in the same read).
      if (frame.name === 'Hello') session.connection.close(closeOnHello.code, closeOnHello.reason);
      return;
    }
    switch (frame.name) {
      case 'Hello':
        session.control(
          encodeFrame('HelloAck', {
            version: 1,
            session_id: randomUUID(),
            num_shards: session.numShards,
            hot_room_config: null,
            large_room_threshold: null,
          }),
        );
        return;
      case 'Auth': {
        const username = frame.payload.credentials.trim();
        if (this.options.ignoreAuth?.(username) === true) return;
        if (this.options.refuseAuth?.(username) === true) {
          session.control(encodeFrame('AuthFailed', { code: 1003, message: 'refused by the test' }));
          return;
        }
        session.user = { user_id: userIdOf(username), username, avatar_url: null };
        session.control(encodeFrame('AuthOk', { user_id: session.user.user_id, username, rooms: [1] }));
        session.control(
          encodeFrame('ShardAssignment', {
            shard_streams: Array.from({ length: session.numShards }, (_, i) => ({
              shard_id: i,
              room_ids: i === 1 % session.numShards ? [1] : [],
            })),
          }),
        );
        this.join(session, 1);
        this.options.onAuthenticated?.(session);
        return;
      }
      case 'Ping':
        session.control(encodeFrame('Pong', { timestamp: frame.payload.timestamp }));
        return;
      case 'JoinRoom': {
        const roomId = Number(frame.payload.room_id);
        if (this.options.ignoreJoin?.(roomId) === true) return;
        const delayMs = this.options.joinDelayMs ?? 0;
        if (delayMs === 0) this.join(session, roomId);
        else setTimeout(() => session.closed || this.join(session, roomId), delayMs);
        return;
      }
      case 'LeaveRoom': {
        const roomId = Number(frame.payload.room_id);
        this.rooms.get(roomId)?.delete(session);
        session.toRoomShard(roomId, encodeFrame('RoomClose', { room_id: roomId, reason: 'left' }));
        return;
      }
      case 'SendMessage':
        this.send(session, frame.payload.room_id, frame.payload.content, frame.payload.nonce);
        return;
      case 'Goodbye':
        this.goodbyes.push(frame.payload.reason);
        session.closed = true;
        for (const members of this.rooms.values()) members.delete(session);
        session.connection.close(0, 'goodbye');
        return;
      default:
        return;
    }
  }

  private join(session: FakeSession, roomId: number): void {
    let members = this.rooms.get(roomId);
    if (members === undefined) this.rooms.set(roomId, (members = new Set()));
    members.add(session);
    session.toRoomShard(
      roomId,
      encodeFrame('RoomInit', {
        room_id: roomId,
        name: `Room ${roomId}`,
        room_type: 'group',
        members: [...members].map((m) => m.user as UserInfo),
        recent_messages: [],
        member_count: members.size,
      }),
    );
  }

  private send(session: FakeSession, rawRoomId: U64, content: string, nonce: string): void {
    const roomId = Number(rawRoomId);
    const members = this.rooms.get(roomId);
    if (members === undefined || !members.has(session)) return;
    const messageId = this.nextMessageId++;
    this.accepted++;
    const timestamp = Date.now();
    session.control(encodeFrame('MessageAck', { nonce, message_id: messageId, timestamp }));
    const message: RoomMessage = {
      message_id: messageId,
      room_id: roomId,
      sender: session.user as UserInfo,
      content,
      timestamp,
      reply_to: null,
      attachments: [],
      nonce,
    };
    const bytes = encodeFrame('RoomMessage', message);
    const { dropEvery = 0, duplicateEvery = 0 } = this.options;
    for (const member of members) {
      this.deliveries++;
      if (dropEvery > 0 && this.deliveries % dropEvery === 0) {
        this.dropped++;
        continue;
      }
      member.toRoomShard(roomId, bytes);
      member.roomMessages++;
      if (duplicateEvery > 0 && this.deliveries % duplicateEvery === 0) {
        this.duplicated++;
        member.toRoomShard(roomId, bytes);
        member.roomMessages++;
      }
    }
  }
}
