/**
 * A minimal garou client over the real transport, for loopback tests of the reference server: it records every
 * decoded frame per stream, datagrams, FINs and the close, and can wait for a condition with a deadline.
 */
import {
  FrameDecoder,
  decodeDatagram,
  encodeDatagram,
  encodeFrame,
  type Frame,
  type FrameName,
  type FrameTypeRef,
  type PayloadFor,
} from '../../spec/index.js';
import { QuicEndpoint, type CloseInfo, type QuicConnection } from '../../transport/index.js';

/** A connected test client. */
export class QuicTestClient {
  readonly frames = new Map<number, Frame[]>();
  readonly finished = new Set<number>();
  readonly datagrams: Frame[] = [];
  closeInfo: CloseInfo | null = null;
  readonly control: number;
  private readonly decoders = new Map<number, FrameDecoder>();
  private chat: number | null = null;

  private constructor(readonly connection: QuicConnection) {
    connection.onData = (streamId, data, fin) => {
      let decoder = this.decoders.get(streamId);
      if (!decoder) this.decoders.set(streamId, (decoder = new FrameDecoder()));
      decoder.push(data);
      let list = this.frames.get(streamId);
      if (!list) this.frames.set(streamId, (list = []));
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) list.push(frame);
      if (fin) this.finished.add(streamId);
    };
    connection.onDatagram = (data) => this.datagrams.push(decodeDatagram(data));
    connection.onClose = (info) => {
      this.closeInfo = info;
    };
    this.control = connection.openBidi();
  }

  /** Connects to a server (self-signed certificates accepted). */
  static async connect(endpoint: QuicEndpoint, host: string, port: number): Promise<QuicTestClient> {
    const connection = endpoint.connect(host, port, { insecure: true });
    await connection.whenEstablished();
    return new QuicTestClient(connection);
  }

  /** Sends a frame on the control stream. */
  send<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    this.connection.write(this.control, encodeFrame(type, payload));
  }

  /** Sends raw bytes on the control stream. */
  sendRaw(bytes: Uint8Array): void {
    this.connection.write(this.control, bytes);
  }

  /** Sends a chat command on this client's chat-command uni stream (opened on first use). */
  command<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    this.chat ??= this.connection.openUni();
    this.connection.write(this.chat, encodeFrame(type, payload));
  }

  /** Sends a datagram frame. */
  datagram<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    this.connection.sendDatagram(encodeDatagram(type, payload));
  }

  /** Hello + Auth, then waits for the RoomInit of General. */
  async login(username: string, generalStream = 7): Promise<this> {
    this.send('Hello', { version: 1, capabilities: ['chat', 'presence'] });
    this.send('Auth', { method: 'username', credentials: username });
    await this.until(
      () => this.on(generalStream).some((f) => f.name === 'RoomInit'),
      `RoomInit for ${username}`,
    );
    return this;
  }

  /** Frames received on a stream so far. */
  on(streamId: number): Frame[] {
    return this.frames.get(streamId) ?? [];
  }

  /** Control-stream frames of one type. */
  controlOf<N extends FrameName>(name: N): Extract<Frame, { name: N }>[] {
    return this.on(this.control).filter((f): f is Extract<Frame, { name: N }> => f.name === name);
  }

  /** Waits until `condition` holds, polling; throws naming `what` after `timeoutMs`. */
  async until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
