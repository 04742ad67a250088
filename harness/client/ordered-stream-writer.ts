/**
 * Writes to a connection's streams in order. The transport takes what fits in the stream's flow-control window
 * now; the rest waits here, per stream, and is written when the stream drains, before anything written later.
 */
import type { QuicConnection } from '../../transport/index.js';

/** Per-stream queues of bytes the transport has not taken yet (none for most clients, most of the time). */
export class OrderedStreamWriter {
  private pending: Map<number, Uint8Array[]> | null = null;

  /** Writes bytes after everything queued for the stream, queueing what the transport does not take now. */
  write(connection: QuicConnection, streamId: number, bytes: Uint8Array): void {
    const queue = this.pending?.get(streamId);
    if (queue !== undefined) {
      queue.push(bytes);
      return;
    }
    const written = connection.write(streamId, bytes);
    if (written < bytes.length) {
      (this.pending ??= new Map()).set(streamId, [bytes.subarray(written)]);
    }
  }

  /** The stream can take more: writes what is queued for it, as far as it goes. */
  drain(connection: QuicConnection, streamId: number): void {
    const queue = this.pending?.get(streamId);
    if (queue === undefined) return;
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      const written = connection.write(streamId, head);
      if (written < head.length) {
        if (written > 0) queue[0] = head.subarray(written);
        return;
      }
      queue.shift();
    }
    this.pending?.delete(streamId);
  }

  /** Drops what is queued for a stream (the peer stopped it). */
  forget(streamId: number): void {
    this.pending?.delete(streamId);
  }

  /** Drops everything queued (the connection closed). */
  clear(): void {
    this.pending = null;
  }
}
