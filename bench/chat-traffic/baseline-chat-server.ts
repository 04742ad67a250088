/**
 * The chat-traffic bench's baseline: the plain transport doing the same fan-out as the reference server, with the
 * least protocol that lets the same chat clients run against it and no chat logic (no sessions, permissions,
 * history, shards or metrics). Per connection it answers Hello and Auth on the control stream and puts room frames
 * on one server uni stream. A SendMessage is decoded, answered with MessageAck, and fanned out as one RoomMessage
 * encoded once and written to each member of the room; MessageDelivered frames are decoded and dropped. Joining
 * (General on Auth, JoinRoom) sends RoomInit to the joiner and RoomUserJoined to the others, as the server does,
 * so that the fleet's settle checks work on both.
 */
import { FrameDecoder, encodeFrame, type Frame, type U64, type UserInfo } from '../../spec/index.js';
import type { CertificateAndKey, HostPort, QuicConnection, QuicEndpoint } from '../../transport/index.js';
import { listenLikeTheServer } from '../fanout/raw-fanout-server.js';

const GENERAL = 1;

/** One client connection as the baseline knows it. */
class Client {
  /** The server uni stream that carries room frames (opened on first use). */
  roomStream = -1;
  /** The client's control stream (where Hello came). */
  controlStream = 0;
  user: UserInfo | null = null;
  readonly decoders = new Map<number, FrameDecoder>();

  constructor(readonly connection: QuicConnection) {}
}

/** A transport-only chat server that fans out without chat logic. */
export class BaselineChatServer {
  private readonly rooms = new Map<U64, Client[]>();
  private nextMessageId = 1;
  private readonly helloAck = encodeFrame('HelloAck', {
    version: 1,
    session_id: '00000000-0000-0000-0000-000000000000',
    num_shards: 1,
    // Every join is announced (no large-room rule): the fleet's settle check reads this.
    large_room_threshold: null,
    hot_room_config: {
      promote_rate: 100,
      demote_rate: 20,
      cool_down_ms: 60_000,
      rate_window_ms: 10_000,
      max_hot_rooms: 0,
    },
  });

  private constructor(private readonly endpoint: QuicEndpoint) {
    endpoint.onConnection = (connection) => this.accept(connection);
  }

  /** Listens on 127.0.0.1 (any port) with the reference server's stream limits and datagrams on. */
  static async start(tls: CertificateAndKey): Promise<BaselineChatServer> {
    return new BaselineChatServer(await listenLikeTheServer(tls));
  }

  /** The bound address. */
  get address(): HostPort {
    return this.endpoint.localAddress;
  }

  /** Closes every connection and the socket. */
  close(): Promise<void> {
    return this.endpoint.close({ timeoutMs: 500 });
  }

  private accept(connection: QuicConnection): void {
    const client = new Client(connection);
    connection.onData = (streamId, data) => {
      let decoder = client.decoders.get(streamId);
      if (decoder === undefined) client.decoders.set(streamId, (decoder = new FrameDecoder()));
      decoder.push(data);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next())
        this.handle(client, streamId, frame);
    };
    connection.onClose = () => {
      for (const members of this.rooms.values()) {
        const at = members.indexOf(client);
        if (at >= 0) members.splice(at, 1);
      }
    };
  }

  private handle(client: Client, streamId: number, frame: Frame): void {
    switch (frame.name) {
      case 'Hello':
        client.controlStream = streamId;
        client.connection.write(streamId, this.helloAck);
        return;
      case 'Auth': {
        const username = frame.payload.credentials;
        client.user = { user_id: this.nextMessageId++, username, avatar_url: null };
        const ok = encodeFrame('AuthOk', { user_id: client.user.user_id, username, rooms: [GENERAL] });
        client.connection.write(streamId, ok);
        this.join(client, GENERAL);
        return;
      }
      case 'JoinRoom':
        this.join(client, frame.payload.room_id);
        return;
      case 'SendMessage': {
        const members = this.rooms.get(frame.payload.room_id) ?? [];
        const messageId = this.nextMessageId++;
        const timestamp = Date.now();
        const ack = encodeFrame('MessageAck', {
          nonce: frame.payload.nonce,
          message_id: messageId,
          timestamp,
        });
        client.connection.write(client.controlStream, ack);
        const message = encodeFrame('RoomMessage', {
          message_id: messageId,
          room_id: frame.payload.room_id,
          sender: client.user!,
          content: frame.payload.content,
          timestamp,
          reply_to: null,
          attachments: [],
          nonce: frame.payload.nonce,
        });
        for (const member of members) this.toRoomStream(member, message);
        return;
      }
      default:
        // MessageDelivered and anything else: decoded, nothing to answer.
        return;
    }
  }

  private join(client: Client, roomId: U64): void {
    let members = this.rooms.get(roomId);
    if (members === undefined) this.rooms.set(roomId, (members = []));
    const joinedAt = Date.now();
    const joined = encodeFrame('RoomUserJoined', {
      room_id: roomId,
      user: client.user!,
      joined_at: joinedAt,
    });
    for (const member of members) this.toRoomStream(member, joined);
    members.push(client);
    const init = encodeFrame('RoomInit', {
      room_id: roomId,
      name: `room ${roomId}`,
      room_type: 'group',
      members: [],
      recent_messages: [],
      member_count: null,
    });
    this.toRoomStream(client, init);
  }

  /** Writes a room frame; the bench's loads stay far below the stream buffer, so nothing is refused. */
  private toRoomStream(client: Client, frame: Uint8Array): void {
    if (client.roomStream < 0) client.roomStream = client.connection.openUni();
    client.connection.write(client.roomStream, frame);
  }
}
