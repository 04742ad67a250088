/**
 * ConnectionPort over a transport QuicConnection: the one place where the protocol core meets QUIC.
 *
 * - Server uni streams are opened lazily and in order (QUIC requires it) up to the id the core writes to, so the
 *   core's fixed ids (shard i = 4i+3, hot streams after them) map onto `openUni()`.
 * - A frame is never cut: when the transport accepts only part of a write, the rest waits in a per-stream backlog
 *   (references, no copies) and is written on `onDrain`. A connection whose backlog exceeds the limit is a slow
 *   consumer and is failed, because dropping frames would break exactly-once delivery (PROTOCOL.md 8).
 * - close() is delayed a little so that a final Error or Goodbye can reach the client (PROTOCOL.md 14).
 */
import type { QuicConnection } from '../transport/index.js';
import type { ConnectionPort, CoreLogger } from './connection-port.js';

/** Limits of the adapter. */
export interface QuicPortOptions {
  /** Bytes queued beyond what the transport accepted, per connection, before it is failed as a slow consumer. */
  readonly maxBacklogBytes: number;
  readonly logger: CoreLogger;
}

interface Backlog {
  /** Chunks before `head` are written (and released); the rest wait, oldest first. */
  chunks: Uint8Array[];
  head: number;
  finish: boolean;
}

const EMPTY = new Uint8Array(0);
/** Send urgencies (0 first): control before shard and hot streams (PROTOCOL.md 2/priority). */
const CONTROL_URGENCY = 0;
const ROOM_STREAM_URGENCY = 2;

/** RFC 9000 2.1 stream id types. */
function isServerUni(streamId: number): boolean {
  return streamId % 4 === 3;
}
function isBidi(streamId: number): boolean {
  return (streamId & 2) === 0;
}

/** The ConnectionPort of one QUIC connection. */
export class QuicConnectionPort implements ConnectionPort {
  /** Called once when the connection cannot be served any more (slow consumer, stream limit). */
  onFailure: (reason: string) => void = () => {};
  private nextUniId = 3;
  private readonly backlogs = new Map<number, Backlog>();
  private backlogBytes = 0;
  /** Streams the peer stopped (STOP_SENDING): writes to them are dropped, as the peer asked. */
  private readonly stopped = new Set<number>();
  private readonly prioritised = new Set<number>();
  private closeRequested = false;
  private failed = false;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: QuicConnection,
    private readonly options: QuicPortOptions,
  ) {}

  /** Bytes waiting in backlogs. */
  get pendingBytes(): number {
    return this.backlogBytes;
  }

  send(streamId: number, bytes: Uint8Array): void {
    if (this.failed || this.stopped.has(streamId) || !this.ensureOpen(streamId)) return;
    const backlog = this.backlogs.get(streamId);
    if (backlog) {
      this.enqueue(streamId, backlog, bytes);
      return;
    }
    // Encoded frames never change (ConnectionPort.send): the transport may queue them without a copy.
    const accepted = this.connection.writeShared(streamId, bytes);
    if (accepted < bytes.length && this.connection.state === 'established') {
      const fresh: Backlog = { chunks: [], head: 0, finish: false };
      this.backlogs.set(streamId, fresh);
      this.enqueue(streamId, fresh, bytes.subarray(accepted));
    }
  }

  finish(streamId: number): void {
    if (this.failed || this.stopped.has(streamId)) return;
    const backlog = this.backlogs.get(streamId);
    if (backlog) {
      backlog.finish = true;
      return;
    }
    if (this.ensureOpen(streamId)) this.connection.write(streamId, EMPTY, true);
  }

  abortStream(streamId: number, code: number): void {
    try {
      this.connection.stopSending(streamId, code);
      if (isBidi(streamId)) this.connection.resetStream(streamId, code);
    } catch (error) {
      // The stream already ended inside the transport: nothing left to abort.
      this.options.logger.debug({ err: error, stream: streamId }, 'abort of a finished stream');
    }
  }

  sendDatagram(bytes: Uint8Array): void {
    // Unreliable by definition: a full queue or a peer without datagrams just drops it.
    this.connection.sendDatagram(bytes);
  }

  close(code: number, reason: string): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    // Give the last frames (Error, Goodbye) a few round trips to arrive, at most 1 s.
    const rtt = this.connection.stats().rttMs;
    const delay = Math.min(1000, Math.max(20, 4 * rtt));
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      this.connection.close(code, reason);
    }, delay);
  }

  /** Transport callback: a stream with a backlog can take more bytes. */
  drain(streamId: number): void {
    const backlog = this.backlogs.get(streamId);
    if (!backlog) return;
    // A head index, not shift(): V8's shift() copies the whole array once it holds more than ~16k elements, and a
    // slow consumer's backlog holds hundreds of thousands of frames, so draining it that way would be quadratic.
    const chunks = backlog.chunks;
    while (backlog.head < chunks.length) {
      const chunk = chunks[backlog.head]!;
      const accepted = this.connection.writeShared(streamId, chunk);
      this.backlogBytes -= accepted;
      if (accepted < chunk.length) {
        chunks[backlog.head] = chunk.subarray(accepted);
        // Drop the written slots once they are the larger part: amortised O(1) per chunk.
        if (backlog.head > chunks.length >> 1) {
          backlog.chunks = chunks.slice(backlog.head);
          backlog.head = 0;
        }
        return;
      }
      chunks[backlog.head++] = EMPTY;
    }
    this.backlogs.delete(streamId);
    if (backlog.finish) this.connection.write(streamId, EMPTY, true);
  }

  /** Transport callback: the peer sent STOP_SENDING; later frames for that stream are dropped. */
  stop(streamId: number): void {
    this.stopped.add(streamId);
    const backlog = this.backlogs.get(streamId);
    if (!backlog) return;
    for (let i = backlog.head; i < backlog.chunks.length; i++) this.backlogBytes -= backlog.chunks[i]!.length;
    this.backlogs.delete(streamId);
  }

  /** Transport callback: the connection is gone; release everything. */
  released(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.backlogs.clear();
    this.backlogBytes = 0;
  }

  /** Opens server uni streams in order up to `streamId`; false (and the connection failed) when impossible. */
  private ensureOpen(streamId: number): boolean {
    if (!isServerUni(streamId)) {
      if (!this.prioritised.has(streamId)) this.prioritise(streamId);
      return true;
    }
    if (streamId < this.nextUniId) return true;
    try {
      while (this.nextUniId <= streamId) {
        const opened = this.connection.openUni();
        this.nextUniId = opened + 4;
        this.prioritise(opened);
      }
      return true;
    } catch (error) {
      if (this.connection.state !== 'established') return false;
      this.fail(`cannot open server stream ${streamId}: ${(error as Error).message}`);
      return false;
    }
  }

  private prioritise(streamId: number): void {
    this.prioritised.add(streamId);
    try {
      this.connection.setPriority(streamId, isServerUni(streamId) ? ROOM_STREAM_URGENCY : CONTROL_URGENCY);
    } catch {
      // Not writable yet or any more; priority is only a hint.
    }
  }

  private enqueue(streamId: number, backlog: Backlog, bytes: Uint8Array): void {
    backlog.chunks.push(bytes);
    this.backlogBytes += bytes.length;
    if (this.backlogBytes > this.options.maxBacklogBytes)
      this.fail(`slow consumer: ${this.backlogBytes} bytes waiting (stream ${streamId})`);
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.released();
    this.options.logger.warn({ connection: this.connection.id, reason }, 'connection failed');
    this.onFailure(reason);
  }
}
