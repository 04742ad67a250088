/**
 * ProbeConnection: a low-level garou client for conformance checks.
 *
 * It can put arbitrary bytes on any stream (unknown types, oversize length headers, truncated frames, invalid JSON,
 * frames of the wrong range) and records everything the server does: every frame received on every stream with its
 * arrival time, per-frame decode failures, stream resets, STOP_SENDING, FINs, datagrams and the close. Every wait is
 * bounded and fails with a `CheckFailed` that says what was expected and what was seen.
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
import { CheckFailed } from './check-verdict.js';
import { ServerFrameReader, decodeServerDatagram, type RawServerFrame } from './server-frame-reader.js';
import { describeReceived, type ReceivedFrame, type StreamRef, type StreamSelector } from './probe-frames.js';
import { ProbeConnectError, type ProbeOptions, type ProbeTarget } from './probe-target.js';

export {
  describeReceived,
  hexPreview,
  type ReceivedFrame,
  type StreamRef,
  type StreamSelector,
} from './probe-frames.js';
export { ProbeConnectError, type ProbeOptions, type ProbeTarget } from './probe-target.js';

/** Options of a bounded wait. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** What the check expects, in words (the `expected` of the failure). */
  readonly expected: string;
  /** What was seen instead (default: a summary of the connection). */
  readonly actual?: () => string;
  /** Keep waiting after the connection closed (for waits that a close may satisfy). */
  readonly allowClosed?: boolean;
}

let nextPingStamp = Date.now() * 1000;

/** How often a wait re-checks its condition besides reacting to events, ms. */
const POLL_MS = 25;

/** A low-level probe connection. */
export class ProbeConnection {
  /** Everything received on streams, in arrival order. */
  readonly received: ReceivedFrame[] = [];
  /** Datagrams received, in arrival order. */
  readonly datagrams: ReceivedFrame[] = [];
  /** STOP_SENDING received per stream (application error code). */
  readonly stopSending = new Map<number, number>();
  /** RESET_STREAM received per stream (application error code). */
  readonly resets = new Map<number, number>();
  /** Streams the server finished (FIN). */
  readonly finished = new Set<number>();
  /** Streams in the order the server's data first appeared on them. */
  readonly streamsSeen: number[] = [];
  /** How the connection ended, once it did. */
  closeInfo: CloseInfo | null = null;
  /** When it ended (performance.now() ms). */
  closedAt: number | null = null;
  /** The control stream (client bidi stream 0), opened once established. */
  control = -1;
  /** User id from AuthOk, once authenticated. */
  userId: U64 | null = null;
  /** Username from AuthOk. */
  username: string | null = null;

  private readonly readers = new Map<number, ServerFrameReader>();
  private readonly waiters = new Set<() => void>();
  private readonly queued = new Map<number, { chunks: Uint8Array[]; fin: boolean }>();
  private chat: number | null = null;
  private seq = 0;
  /** Streams this side finished (FIN) or never meant to write on again. */
  private readonly locallyFinished = new Set<number>();

  private constructor(
    readonly quic: QuicConnection,
    private readonly options: ProbeOptions,
  ) {
    quic.onData = (streamId, data, fin) => this.onData(streamId, data, fin);
    quic.onDatagram = (data) =>
      this.record(this.datagrams, { ...decodeServerDatagram(data), streamId: 'datagram' });
    quic.onStreamReset = (streamId, code) => {
      this.resets.set(streamId, code);
      this.notify();
    };
    quic.onStopSending = (streamId, code) => {
      this.stopSending.set(streamId, code);
      this.queued.delete(streamId);
      this.notify();
    };
    quic.onDrain = (streamId) => this.flushQueue(streamId);
    quic.onClose = (info) => {
      this.closeInfo = info;
      this.closedAt = performance.now();
      this.notify();
    };
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

  /** True once the connection ended. */
  get closed(): boolean {
    return this.closeInfo !== null;
  }

  /** Shard count of this connection: HelloAck's, or the assumed default. */
  get numShards(): number {
    for (const item of this.on('control')) {
      if (item.frame?.name === 'HelloAck')
        return item.frame.payload.num_shards || this.options.defaultNumShards;
      if (item.name === 'HelloAck') {
        const match = /"num_shards"\s*:\s*(\d+)/.exec(item.text);
        if (match && Number(match[1]) > 0) return Number(match[1]);
      }
    }
    return this.options.defaultNumShards;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Sending

  /** Writes raw bytes on a stream (queued when flow control pushes back); `fin` finishes the stream. */
  write(stream: StreamRef, bytes: Uint8Array, fin = false): void {
    const streamId = this.resolve(stream);
    if (this.closed) return;
    if (fin) this.locallyFinished.add(streamId);
    const queue = this.queued.get(streamId);
    if (queue) {
      queue.chunks.push(bytes);
      queue.fin ||= fin;
      return;
    }
    const accepted = this.quic.write(streamId, bytes, fin);
    if (accepted === bytes.length) return;
    // Flow control pushed back: the rest goes out on onDrain. A stopped or closed stream takes nothing more.
    if (this.stopSending.has(streamId) || this.quic.state !== 'established') return;
    this.queued.set(streamId, { chunks: [bytes.subarray(accepted)], fin });
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
    const from = this.seq;
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
    const after = this.seq;
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
    const mark = this.seq;
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
  // What was received

  /** Frames received where `selector` says, in arrival order. */
  on(selector: StreamSelector): ReceivedFrame[] {
    switch (selector) {
      case 'any':
        return this.received;
      case 'datagram':
        return this.datagrams;
      case 'shard':
      case 'hot-room':
        return this.received.filter((item) => this.kindOf(item.streamId as number) === selector);
      default: {
        const streamId = this.resolve(selector);
        return this.received.filter((item) => item.streamId === streamId);
      }
    }
  }

  /** Decoded payloads of frames named `name` on a stream (or 'any' stream). */
  payloads<N extends FrameName>(stream: StreamSelector, name: N): PayloadOf<N>[] {
    const out: PayloadOf<N>[] = [];
    for (const item of this.on(stream))
      if (item.frame?.name === name) out.push(item.frame.payload as PayloadOf<N>);
    return out;
  }

  /** Received frames named `name` on a stream (or 'any'), optionally matching a predicate on the payload. */
  find<N extends FrameName>(
    stream: StreamSelector,
    name: N,
    match?: (payload: PayloadOf<N>, item: ReceivedFrame) => boolean,
  ): ReceivedFrame[] {
    return this.on(stream).filter(
      (item) => item.frame?.name === name && (!match || match(item.frame.payload as PayloadOf<N>, item)),
    );
  }

  /** Datagrams named `name` received so far. */
  datagramPayloads<N extends FrameName>(name: N): PayloadOf<N>[] {
    const out: PayloadOf<N>[] = [];
    for (const item of this.datagrams)
      if (item.frame?.name === name) out.push(item.frame.payload as PayloadOf<N>);
    return out;
  }

  /** Arrival counter: pass it as `after` to wait only for frames received later. */
  get mark(): number {
    return this.seq;
  }

  /** Shard stream id of a room for this connection: 4 * (room % num_shards) + 3. */
  shardStreamOf(roomId: U64): number {
    const n = this.numShards;
    const shard = typeof roomId === 'number' ? roomId % n : Number(roomId % BigInt(n));
    return 4 * shard + 3;
  }

  /** The hot-room stream whose RoomPromoted header names `roomId`, if any (the latest one). */
  hotStreamOf(roomId: U64): number | undefined {
    let found: number | undefined;
    for (const streamId of this.streamsSeen) {
      if (this.kindOf(streamId) !== 'hot-room') continue;
      const first = this.on(streamId)[0];
      if (first?.frame?.name === 'RoomPromoted' && compareU64(first.frame.payload.room_id, roomId) === 0)
        found = streamId;
    }
    return found;
  }

  /** What a stream is, from this client's view (PROTOCOL.md 5). */
  kindOf(streamId: number): 'control' | 'shard' | 'hot-room' | 'client-bidi' | 'client-uni' | 'server-bidi' {
    if (streamId === this.control) return 'control';
    switch (streamId % 4) {
      case 0:
        return 'client-bidi';
      case 1:
        return 'server-bidi';
      case 2:
        return 'client-uni';
      default:
        return (streamId - 3) / 4 < this.numShards ? 'shard' : 'hot-room';
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Waiting

  /** Waits until `probe` returns a value (not undefined/false); bounded, fails with expected vs actual. */
  until<T>(probe: () => T | undefined | false | null, options: WaitOptions): Promise<T> {
    const check = (): T | undefined => {
      const value = probe();
      return value === undefined || value === false || value === null ? undefined : value;
    };
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (action: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(waiter);
        action();
      };
      const failure = (): CheckFailed =>
        new CheckFailed(
          `${options.expected} within ${options.timeoutMs} ms`,
          options.actual?.() ?? this.describe(),
        );
      const waiter = (): void => {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
        else if (this.closed && !options.allowClosed) finish(() => reject(failure()));
      };
      const timer = setTimeout(() => finish(() => reject(failure())), options.timeoutMs);
      // Some state changes raise no event (a stream quietly collected by quiche): look again now and then.
      const poll = setInterval(waiter, POLL_MS);
      this.waiters.add(waiter);
      if (this.closed && !options.allowClosed) waiter();
    });
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
    if (this.closed || this.locallyFinished.has(streamId) || this.queued.has(streamId)) return undefined;
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

  // ---------------------------------------------------------------------------------------------------------
  // Descriptions for reports

  /** `control stream` / `stream 7 (shard 1)` / `stream 35 (hot-room stream)`. */
  streamLabel(streamId: number): string {
    const kind = this.kindOf(streamId);
    if (kind === 'control') return 'the control stream';
    if (kind === 'shard') return `stream ${streamId} (shard ${(streamId - 3) / 4})`;
    if (kind === 'hot-room') return `stream ${streamId} (hot-room stream)`;
    return `stream ${streamId}`;
  }

  /** What `selector` received, compactly. */
  describeSelected(selector: StreamSelector): string {
    if (typeof selector === 'number' || selector === 'control' || selector === 'datagram')
      return this.describeStream(selector);
    return this.describeAllStreams();
  }

  /** The frames of one stream (or the datagrams), compactly (the last ones when there are many). */
  describeStream(stream: StreamRef | 'datagram'): string {
    const items = this.on(stream);
    if (items.length === 0) return 'nothing received';
    const shown = items.slice(-12).map(describeReceived);
    return `${items.length > 12 ? `${items.length - 12} earlier frames, then ` : ''}${shown.join(', ')}`;
  }

  /** Every stream, compactly. */
  describeAllStreams(): string {
    const parts: string[] = [];
    for (const streamId of this.streamsSeen)
      parts.push(`${this.streamLabel(streamId)}: ${this.describeStream(streamId)}`);
    return parts.length === 0 ? 'nothing received' : parts.join('; ');
  }

  /** `; connection closed by the server with application error 1001 "..."` or ''. */
  describeClose(): string {
    const info = this.closeInfo;
    if (!info) return '';
    const error = info.peerError ?? info.localError;
    const detail = error
      ? `${error.isApp ? 'application' : 'transport'} error ${error.code}${error.reason ? ` "${error.reason}"` : ''}`
      : 'no error';
    return `; connection closed (${info.cause}, ${detail})`;
  }

  /** Summary for failure reports: control stream, other streams and the close. */
  describe(): string {
    return `control stream: ${this.describeStream('control')}${this.describeClose()}`;
  }

  // ---------------------------------------------------------------------------------------------------------

  private resolve(stream: StreamRef): number {
    return stream === 'control' ? this.control : stream;
  }

  private onData(streamId: number, data: Buffer, fin: boolean): void {
    let reader = this.readers.get(streamId);
    if (!reader) {
      this.readers.set(streamId, (reader = new ServerFrameReader()));
      this.streamsSeen.push(streamId);
    }
    for (const frame of reader.push(data)) this.record(this.received, { ...frame, streamId });
    if (fin) {
      const truncated = reader.end();
      if (truncated) this.record(this.received, { ...truncated, streamId });
      this.finished.add(streamId);
      this.notify();
    }
  }

  private record(list: ReceivedFrame[], item: RawServerFrame & { streamId: number | 'datagram' }): void {
    list.push({ ...item, seq: this.seq++, at: performance.now() });
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private flushQueue(streamId: number): void {
    const queue = this.queued.get(streamId);
    if (!queue) return;
    this.queued.delete(streamId);
    const chunks = queue.chunks;
    for (let i = 0; i < chunks.length; i++)
      this.write(streamId, chunks[i]!, queue.fin && i === chunks.length - 1);
  }
}
