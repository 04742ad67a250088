/**
 * ProbeRecording: what a conformance probe has recorded of the server, and how checks read it.
 *
 * It keeps every frame received on every stream with its arrival order and time, per-frame decode failures, stream
 * resets, STOP_SENDING, FINs, datagrams and the close; it selects frames by stream or stream kind, and describes
 * what was received for failure reports. It does not send or wait: ProbeConnection feeds it the transport's events
 * and waits on `onChange`.
 */
import { compareU64, type FrameName, type PayloadOf, type U64 } from '../../spec/index.js';
import type { CloseInfo } from '../../transport/index.js';
import { ServerFrameReader, decodeServerDatagram, type RawServerFrame } from './server-frame-reader.js';
import { describeReceived, type ReceivedFrame, type StreamRef, type StreamSelector } from './probe-frames.js';

/** What a probe connection has recorded of the server, with selection and report descriptions. */
export class ProbeRecording {
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

  private readonly readers = new Map<number, ServerFrameReader>();
  private readonly listeners = new Set<() => void>();
  private seq = 0;

  /** @param defaultNumShards shard count to assume until a HelloAck says otherwise. */
  protected constructor(private readonly defaultNumShards: number) {}

  /** True once the connection ended. */
  get closed(): boolean {
    return this.closeInfo !== null;
  }

  /** Shard count of this connection: HelloAck's, or the assumed default. */
  get numShards(): number {
    for (const item of this.on('control')) {
      if (item.frame?.name === 'HelloAck') return item.frame.payload.num_shards || this.defaultNumShards;
      if (item.name === 'HelloAck') {
        const match = /"num_shards"\s*:\s*(\d+)/.exec(item.text);
        if (match && Number(match[1]) > 0) return Number(match[1]);
      }
    }
    return this.defaultNumShards;
  }

  /** Calls `listener` after every recorded event; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recording (fed by the transport's callbacks)

  /** Records stream data: every complete frame, and a truncated one when the server finishes the stream. */
  protected recordData(streamId: number, data: Buffer, fin: boolean): void {
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

  /** Records a datagram. */
  protected recordDatagram(data: Uint8Array): void {
    this.record(this.datagrams, { ...decodeServerDatagram(data), streamId: 'datagram' });
  }

  /** Records a RESET_STREAM. */
  protected recordReset(streamId: number, code: number): void {
    this.resets.set(streamId, code);
    this.notify();
  }

  /** Records a STOP_SENDING. */
  protected recordStopSending(streamId: number, code: number): void {
    this.stopSending.set(streamId, code);
    this.notify();
  }

  /** Records the end of the connection. */
  protected recordClose(info: CloseInfo): void {
    this.closeInfo = info;
    this.closedAt = performance.now();
    this.notify();
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

  /** The stream id of a StreamRef. */
  protected resolve(stream: StreamRef): number {
    return stream === 'control' ? this.control : stream;
  }

  private record(list: ReceivedFrame[], item: RawServerFrame & { streamId: number | 'datagram' }): void {
    list.push({ ...item, seq: this.seq++, at: performance.now() });
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
