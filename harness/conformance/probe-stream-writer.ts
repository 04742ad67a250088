/**
 * ProbeStreamWriter: how a conformance probe puts bytes on its streams. What QUIC flow control does not take at
 * once is queued per stream and written when the stream drains, so a check can write any amount in one call.
 */
import type { QuicConnection } from '../../transport/index.js';
import type { ProbeRecording } from './probe-recording.js';

/** Writes a probe's bytes on its streams, queueing what flow control pushes back until the stream drains. */
export class ProbeStreamWriter {
  private readonly queued = new Map<number, { chunks: Uint8Array[]; fin: boolean }>();
  /** Streams this side finished (FIN) or never meant to write on again. */
  private readonly locallyFinished = new Set<number>();

  /** @param recording what the server did, read to stop writing on a stopped stream or a closed connection. */
  constructor(
    private readonly quic: QuicConnection,
    private readonly recording: ProbeRecording,
  ) {}

  /** Writes raw bytes on a stream (queued when flow control pushes back); `fin` finishes the stream. */
  write(streamId: number, bytes: Uint8Array, fin: boolean): void {
    if (this.recording.closed) return;
    if (fin) this.locallyFinished.add(streamId);
    const queue = this.queued.get(streamId);
    if (queue) {
      queue.chunks.push(bytes);
      queue.fin ||= fin;
      return;
    }
    const accepted = this.quic.write(streamId, bytes, fin);
    if (accepted === bytes.length) return;
    // Flow control pushed back: the rest goes out on drain. A stopped or closed stream takes nothing more.
    if (this.recording.stopSending.has(streamId) || this.quic.state !== 'established') return;
    this.queued.set(streamId, { chunks: [bytes.subarray(accepted)], fin });
  }

  /** Writes what was queued on a stream that can take more. */
  drain(streamId: number): void {
    const queue = this.queued.get(streamId);
    if (!queue) return;
    this.queued.delete(streamId);
    const chunks = queue.chunks;
    for (let i = 0; i < chunks.length; i++)
      this.write(streamId, chunks[i]!, queue.fin && i === chunks.length - 1);
  }

  /** Drops what was queued on a stream the server stopped. */
  discard(streamId: number): void {
    this.queued.delete(streamId);
  }

  /** True when this side finished the stream, or still has bytes queued on it (so it is not writable for now). */
  isFinishedOrQueued(streamId: number): boolean {
    return this.locallyFinished.has(streamId) || this.queued.has(streamId);
  }
}
