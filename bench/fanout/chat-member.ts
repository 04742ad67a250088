/**
 * One lightweight garou client for the fan-out bench: does the handshake (Hello, Auth) on its control stream,
 * decodes every server stream with the spec's FrameDecoder as a real client would, and reports the frames the
 * bench cares about to its listener. Other stream frames (ShardAssignment, RoomPromoted headers, RoomUserLeft...)
 * are decoded and ignored; presence datagrams, which only the join flood produces here, are dropped undecoded.
 */
import {
  FrameDecoder,
  FrameError,
  encodeFrame,
  type Frame,
  type PayloadFor,
  type U64,
} from '../../spec/index.js';
import type { QuicConnection } from '../../transport/index.js';

/** What a member reports to the fleet. */
export interface MemberListener {
  /** A RoomMessage arrived (any stream: shard or hot). */
  roomMessage(member: ChatMember, message: PayloadFor<'RoomMessage'>): void;
  /** RoomInit for a room: the member is in it. */
  roomInit(member: ChatMember, roomId: U64): void;
  /** Another user joined a room this member is in. */
  userJoined(roomId: U64): void;
  /** HelloAck.large_room_threshold: joins of rooms that large are not announced (PROTOCOL.md 16.2). */
  largeRoomThreshold(threshold: number | null): void;
  /** The server acknowledged one of this member's SendMessage frames. */
  messageAck(member: ChatMember): void;
  /** Error, AuthFailed or an undecodable frame: the run is not trustworthy. */
  failure(source: string, what: string): void;
  /** One onData call was processed, or the command stream drained: the load loop tops up its window here. */
  afterData(): void;
}

/** A connected, authenticating or authenticated garou client. */
export class ChatMember {
  /** RoomMessage frames of the room under load (reset by the fleet per load). */
  loadCount = 0;
  /** Rooms this member received RoomInit for. */
  readonly rooms = new Set<U64>();
  readonly control: number;
  /**
   * Acknowledge every RoomMessage with MessageDelivered on an ACK stream, as a real chat client does (the
   * chat-traffic bench); off for the saturation bench, whose members only count.
   */
  acksDeliveries = false;
  private ackStream: number | null = null;
  private readonly decoders = new Map<number, FrameDecoder>();
  private chatStream: number | null = null;

  constructor(
    readonly connection: QuicConnection,
    readonly username: string,
    private readonly listener: MemberListener,
  ) {
    connection.onData = (streamId, data) => this.onData(streamId, data);
    connection.onDatagram = () => {};
    connection.onDrain = () => listener.afterData();
    connection.onClose = (info) => {
      const error = info.peerError ?? info.localError;
      const detail =
        error === null ? '' : ` (${error.isApp ? 'app' : 'transport'} ${error.code} ${error.reason})`;
      listener.failure(username, `connection closed: ${info.cause}${detail}`);
    };
    this.control = connection.openBidi();
    this.write(this.control, encodeFrame('Hello', { version: 1, capabilities: ['chat', 'presence'] }));
  }

  /** Whether `bytes` more command bytes fit in the chat-command stream's send buffer right now. */
  canCommand(bytes: number): boolean {
    return this.chatStream === null || this.connection.writableBytes(this.chatStream) >= bytes;
  }

  /** Sends an encoded chat command on this member's chat-command stream (opened on first use). */
  command(frame: Uint8Array): void {
    this.chatStream ??= this.connection.openUni();
    this.write(this.chatStream, frame);
  }

  private acknowledge(message: PayloadFor<'RoomMessage'>): void {
    this.ackStream ??= this.connection.openUni();
    const delivered = encodeFrame('MessageDelivered', {
      message_id: message.message_id,
      room_id: message.room_id,
      delivered_at: Date.now(),
    });
    this.write(this.ackStream, delivered);
  }

  private write(streamId: number, frame: Uint8Array): void {
    // Commands are tiny and bounded by the load window; a refused write would be a bench bug.
    if (this.connection.write(streamId, frame) !== frame.length)
      this.listener.failure(this.username, `write refused on stream ${streamId}`);
  }

  private onData(streamId: number, data: Uint8Array): void {
    let decoder = this.decoders.get(streamId);
    if (decoder === undefined) this.decoders.set(streamId, (decoder = new FrameDecoder()));
    decoder.push(data);
    for (;;) {
      let frame: Frame | undefined;
      try {
        frame = decoder.next();
      } catch (error) {
        this.listener.failure(this.username, `stream ${streamId}: ${(error as Error).message}`);
        if (error instanceof FrameError && error.framingIntact) continue;
        break;
      }
      if (frame === undefined) break;
      this.handle(frame);
    }
    this.listener.afterData();
  }

  private handle(frame: Frame): void {
    switch (frame.name) {
      case 'RoomMessage':
        if (this.acksDeliveries) this.acknowledge(frame.payload);
        this.listener.roomMessage(this, frame.payload);
        return;
      case 'HelloAck':
        this.listener.largeRoomThreshold(frame.payload.large_room_threshold);
        this.write(this.control, encodeFrame('Auth', { method: 'username', credentials: this.username }));
        return;
      case 'RoomInit':
        this.rooms.add(frame.payload.room_id);
        this.listener.roomInit(this, frame.payload.room_id);
        return;
      case 'RoomUserJoined':
        this.listener.userJoined(frame.payload.room_id);
        return;
      case 'MessageAck':
        this.listener.messageAck(this);
        return;
      case 'Error':
        this.listener.failure(this.username, `Error ${frame.payload.code}: ${frame.payload.message}`);
        return;
      case 'AuthFailed':
        this.listener.failure(this.username, `AuthFailed ${frame.payload.code}: ${frame.payload.message}`);
        return;
      default:
        return;
    }
  }
}
