/**
 * ProbeConnection: a low-level garou client for conformance checks.
 *
 * It can put arbitrary bytes on any stream (unknown types, oversize length headers, truncated frames, invalid JSON,
 * frames of the wrong range), speaks the usual steps of the protocol (Hello, Auth, JoinRoom, bursts of messages,
 * Ping), and waits for the server's answers. What the server does is recorded and described by ProbeRecording
 * (probe-recording.ts), which this class extends; bytes go out through ProbeStreamWriter (probe-stream-writer.ts).
 * Every wait is bounded and fails with a `CheckFailed` that says what was expected and what was seen.
 */
import {
  compareU64,
  encodeFrame,
  u64FromDigits,
  type FrameName,
  type FrameTypeRef,
  type PayloadFor,
  type PayloadOf,
  type U64,
} from '../../spec/index.js';
import {
  STOP_SENDING_CODE_UNKNOWN,
  TransportError,
  type CloseInfo,
  type QuicConnection,
} from '../../transport/index.js';
import { describeClose } from '../client/connect-failure.js';
import { waitUntil, type WaitOptions } from './bounded-wait.js';
import { CheckFailed } from './check-verdict.js';
import { describeReceived, type ReceivedFrame, type StreamRef, type StreamSelector } from './probe-frames.js';
import { ProbeRecording } from './probe-recording.js';
import { ProbeStreamWriter } from './probe-stream-writer.js';
import { ProbeConnectError, type ProbeOptions, type ProbeTarget } from './probe-target.js';

export type { WaitOptions } from './bounded-wait.js';
export {
  describeReceived,
  hexPreview,
  type ReceivedFrame,
  type StreamRef,
  type StreamSelector,
} from './probe-frames.js';
export { ProbeConnectError, type ProbeOptions, type ProbeTarget } from './probe-target.js';

let nextPingStamp = Date.now() * 1000;

/** A low-level probe connection: sends, speaks the protocol's usual steps, and waits on what it recorded. */
export class ProbeConnection extends ProbeRecording {
  /** User id from AuthOk, once authenticated. */
  userId: U64 | null = null;
  /** Username from AuthOk. */
  username: string | null = null;

  private readonly writer: ProbeStreamWriter;
  private chat: number | null = null;

  private constructor(
    readonly quic: QuicConnection,
    private readonly options: ProbeOptions,
  ) {
    super(options.defaultNumShards);
    this.writer = new ProbeStreamWriter(quic, this);
    quic.onData = (streamId, data, fin) => this.recordData(streamId, data, fin);
    quic.onDatagram = (data) => this.recordDatagram(data);
    quic.onStreamReset = (streamId, code) => this.recordReset(streamId, code);
    quic.onStopSending = (streamId, code) => {
      // Drop the queue before waiters see the STOP_SENDING (stoppedCode reads both).
      this.writer.discard(streamId);
      this.recordStopSending(streamId, code);
    };
    quic.onDrain = (streamId) => this.writer.drain(streamId);
    quic.onClose = (info) => this.recordClose(info);
  }

  /** Connects and completes the QUIC handshake; throws ProbeConnectError when it fails. */
  static async open(target: ProbeTarget, options: ProbeOptions): Promise<ProbeConnection> {
    let quic: QuicConnection;
    try {
      quic = target.endpoint.connect(target.host, target.port, target.clientOptions(options.alpn));
    } catch (error) {
      throw new ProbeConnectError(`cannot connect to ${target.label}: ${(error as Error).message}`, null);
    }
    const probe = new ProbeConnection(quic, options);
    try {
      await quic.whenEstablished();
    } catch (error) {
      // The same plain words as `garou-bench run` (runner/target.ts), not the transport's internal wording.
      const info = probe.closeInfo;
      const timeoutMs = target.clientOptions(options.alpn).handshakeTimeoutMs;
      const detail =
        info === null
          ? error instanceof TransportError
            ? error.message
            : String(error)
          : info.cause === 'handshake-timeout'
            ? `no QUIC handshake within ${timeoutMs ?? '?'} ms (nothing listening, or packets dropped)`
            : `connection closed during the handshake (${describeClose(info)})`;
      throw new ProbeConnectError(`${target.label}: ${detail}`, info);
    }
    probe.control = quic.openBidi();
    return probe;
  }

  /** Name for reports. */
  get label(): string {
    return this.options.label;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Sending

  /** Writes raw bytes on a stream (queued when flow control pushes back); `fin` finishes the stream. */
  write(stream: StreamRef, bytes: Uint8Array, fin = false): void {
    this.writer.write(this.resolve(stream), bytes, fin);
  }

  /** Sends a valid frame on a stream (the control stream by default). */
  send<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>, stream: StreamRef = 'control'): void {
    this.write(stream, encodeFrame(type, payload));
  }

  /** Opens a client unidirectional stream. */
  openUni(): number {
    return this.quic.openUni();
  }

  /** Opens a client bidirectional stream (the first one is the control stream). */
  openBidi(): number {
    return this.quic.openBidi();
  }

  /** Finishes a stream (FIN with no more data). */
  finish(stream: StreamRef): void {
    this.write(stream, new Uint8Array(0), true);
  }

  /** Sends a chat command on this probe's chat-command stream (opened on first use). */
  command<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    this.chat ??= this.openUni();
    this.write(this.chat, encodeFrame(type, payload));
  }

  /** The chat-command stream used by `command` (opened on first use). */
  chatStream(): number {
    this.chat ??= this.openUni();
    return this.chat;
  }

  /** Sends a datagram; false when the transport refused it. */
  sendDatagram(bytes: Uint8Array): boolean {
    return this.quic.sendDatagram(bytes);
  }

  /** Closes the connection (code 0). */
  close(code = 0, reason = 'conformance probe done'): void {
    if (!this.closed) this.quic.close(code, reason);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Handshake helpers

  /** Sends Hello v1. */
  hello(): void {
    this.send('Hello', { version: 1, capabilities: ['chat', 'presence'] });
  }

  /** Sends Auth with a username. */
  auth(username: string): void {
    this.send('Auth', { method: 'username', credentials: username });
  }

  /** Hello + Auth (pipelined), then waits for AuthOk; fails on AuthFailed, close or timeout. */
  login(username: string, timeoutMs: number): Promise<PayloadOf<'AuthOk'>> {
    this.hello();
    return this.authenticate(username, timeoutMs);
  }

  /** Auth (Hello already sent), then waits for AuthOk; fails on AuthFailed, close or timeout. */
  async authenticate(username: string, timeoutMs: number): Promise<PayloadOf<'AuthOk'>> {
    const from = this.mark;
    this.auth(username);
    const item = await this.until(
      () => this.on('control').find((f) => f.seq >= from && (f.name === 'AuthOk' || f.name === 'AuthFailed')),
      { timeoutMs, expected: `AuthOk for "${username}" after Hello and Auth` },
    );
    if (item.frame?.name === 'AuthOk') {
      this.userId = item.frame.payload.user_id;
      this.username = item.frame.payload.username;
      return item.frame.payload;
    }
    // An AuthOk that breaks its schema still authenticates: read what it says (its own check reports it).
    const id = item.name === 'AuthOk' ? /"user_id"\s*:\s*(\d+)/.exec(item.text) : null;
    const userId = id ? u64FromDigits(id[1]!) : undefined;
    if (userId === undefined)
      throw new CheckFailed(
        `AuthOk for "${username}"`,
        `${describeReceived(item)} (control: ${this.describeStream('control')})`,
      );
    const name = /"username"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(item.text);
    this.userId = userId;
    this.username = name ? (JSON.parse(name[1]!) as string) : username;
    return { user_id: userId, username: this.username, rooms: [] };
  }

  /** Sends JoinRoom and waits for the room's RoomInit on any stream. */
  async joinRoom(roomId: U64, timeoutMs: number): Promise<PayloadOf<'RoomInit'>> {
    const after = this.mark;
    this.command('JoinRoom', { room_id: roomId });
    const { payload } = await this.expectFrame('any', 'RoomInit', {
      timeoutMs,
      after,
      what: `RoomInit for room ${roomId} after JoinRoom (${this.label})`,
      match: (p) => compareU64(p.room_id, roomId) === 0,
    });
    return payload;
  }

  /**
   * Writes one SendMessage per nonce to a room in a single write on the chat stream (a burst). Returns the arrival
   * mark to pass to `waitAcks`.
   */
  sendBurst(roomId: U64, nonces: readonly string[]): number {
    const mark = this.mark;
    const frames = nonces.map((nonce) =>
      encodeFrame('SendMessage', { room_id: roomId, content: nonce, nonce, reply_to: null, attachments: [] }),
    );
    this.write(this.chatStream(), new Uint8Array(Buffer.concat(frames)));
    return mark;
  }

  /**
   * Waits for one MessageAck per nonce received after `after`, and returns them in the order of `nonces`. Acks are
   * matched by nonce, and by position when a server echoes nonces wrongly (8/message-ack/nonce reports that):
   * messages sent on one stream are accepted, and acknowledged on the control stream, in order.
   */
  async waitAcks(
    nonces: readonly string[],
    timeoutMs: number,
    after: number,
  ): Promise<{ ack: PayloadOf<'MessageAck'>; at: number }[]> {
    const collect = (): { ack: PayloadOf<'MessageAck'>; at: number }[] => {
      const acks: { ack: PayloadOf<'MessageAck'>; at: number }[] = [];
      for (const item of this.on('control'))
        if (item.seq >= after && item.frame?.name === 'MessageAck')
          acks.push({ ack: item.frame.payload, at: item.at });
      return acks;
    };
    await this.until(() => collect().length >= nonces.length, {
      timeoutMs,
      expected: `MessageAck for each of ${nonces.length} messages (${this.label})`,
      actual: () => `${collect().length} of ${nonces.length} acknowledged; ${this.describe()}`,
    });
    const acks = collect();
    const byNonce = new Map(acks.map((a) => [a.ack.nonce, a]));
    return nonces.map((nonce, i) => byNonce.get(nonce) ?? acks[i]!);
  }

  /** Sends a Ping and waits for the Pong with the same timestamp: proves the connection and control stream work. */
  async ping(timeoutMs: number, what = 'Pong for our Ping (connection alive)'): Promise<void> {
    const stamp = ++nextPingStamp;
    this.send('Ping', { timestamp: stamp });
    await this.expectFrame('control', 'Pong', {
      timeoutMs,
      what,
      match: (p) => compareU64(p.timestamp, stamp) === 0,
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Waiting

  /** Waits until `probe` returns a value (not undefined/false); bounded, fails with expected vs actual. */
  until<T>(probe: () => T | undefined | false | null, options: WaitOptions): Promise<T> {
    return waitUntil(this, probe, options);
  }

  /**
   * Waits for a frame named `name` where `stream` says (a stream id, 'control', 'shard', 'hot-room', 'datagram' or
   * 'any'), received at or after `after`, matching `match`.
   */
  async expectFrame<N extends FrameName>(
    stream: StreamSelector,
    name: N,
    options: {
      timeoutMs: number;
      match?: (payload: PayloadOf<N>, item: ReceivedFrame) => boolean;
      after?: number;
      what?: string;
    },
  ): Promise<{ payload: PayloadOf<N>; item: ReceivedFrame }> {
    const after = options.after ?? 0;
    const where =
      typeof stream === 'number' || stream === 'control'
        ? this.streamLabel(this.resolve(stream))
        : `${stream} streams`;
    const item = await this.until(
      () =>
        this.on(stream).find(
          (f) =>
            f.seq >= after &&
            f.frame?.name === name &&
            (!options.match || options.match(f.frame.payload as PayloadOf<N>, f)),
        ),
      {
        timeoutMs: options.timeoutMs,
        expected: options.what ?? `${name} on ${where}`,
        actual: () => `${where}: ${this.describeSelected(stream)}${this.describeClose()}`,
      },
    );
    return { payload: item.frame!.payload as PayloadOf<N>, item };
  }

  /** Waits for an Error frame on the control stream with `code` (received at or after `after`). */
  expectError(
    code: number,
    options: {
      timeoutMs: number;
      after?: number;
      context?: (context: string | null) => boolean;
      what?: string;
    },
  ): Promise<{ payload: PayloadOf<'Error'>; item: ReceivedFrame }> {
    return this.expectFrame('control', 'Error', {
      timeoutMs: options.timeoutMs,
      after: options.after,
      what: options.what ?? `Error{code ${code}} on the control stream`,
      match: (p) => p.code === code && (!options.context || options.context(p.context)),
    });
  }

  /** Waits for the connection to close; returns the close information. */
  async expectClose(timeoutMs: number, what = 'the server to close the connection'): Promise<CloseInfo> {
    return this.until(() => this.closeInfo, {
      timeoutMs,
      expected: what,
      allowClosed: true,
      actual: () => `connection still open; control stream: ${this.describeStream('control')}`,
    });
  }

  /**
   * STOP_SENDING seen on one of our streams: its code, 'unknown' when the stream is gone without the code being
   * visible, or undefined. (quiche collects a stopped stream whose data was all acknowledged; the transport then
   * reports STOP_SENDING_CODE_UNKNOWN. As a fallback, a stream we never finished that can no longer be written
   * was stopped.)
   */
  stoppedCode(streamId: number): number | 'unknown' | undefined {
    const code = this.stopSending.get(streamId);
    if (code === STOP_SENDING_CODE_UNKNOWN) return 'unknown';
    if (code !== undefined) return code;
    if (this.closed || this.writer.isFinishedOrQueued(streamId)) return undefined;
    return this.quic.writableBytes(streamId) === 0 ? 'unknown' : undefined;
  }

  /** Waits for STOP_SENDING on a client stream; returns its code ('unknown' when not visible). */
  expectStopSending(streamId: number, timeoutMs: number, what?: string): Promise<number | 'unknown'> {
    return this.until(() => this.stoppedCode(streamId), {
      timeoutMs,
      expected: what ?? `STOP_SENDING on stream ${streamId}`,
      actual: () =>
        `no STOP_SENDING on stream ${streamId}; control stream: ${this.describeStream('control')}${this.describeClose()}`,
    });
  }
}
