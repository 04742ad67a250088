/**
 * The streams a simulated client writes: the control stream and one client uni stream per purpose (chat commands,
 * ACKs, uploads; PROTOCOL.md 5), each opened by its first frame and opened again after the server stopped it.
 * Writes keep their order per stream: what the flow-control window does not take now waits for the drain.
 * The bytes written are encoded frames that never change afterwards: queues here and in the transport keep them
 * by reference (QuicConnection.writeShared), with no copy per frame.
 */
import type { QuicConnection } from '../../transport/index.js';

/** The client's bidirectional control stream (its first stream). */
export const CONTROL_STREAM = 0;
const NO_STREAM = -1;

/** Which of the client's uni streams carries what, and the ordered writes to all of its streams. */
export class ClientStreams {
  private chatStream = NO_STREAM;
  private ackStream = NO_STREAM;
  private uploadStream = NO_STREAM;
  /** Per-stream queues of bytes the transport has not taken yet (none for most clients, most of the time). */
  private pending: Map<number, Uint8Array[]> | null = null;

  /** Writes `bytes` on the control stream. */
  control(connection: QuicConnection, bytes: Uint8Array): void {
    this.write(connection, CONTROL_STREAM, bytes);
  }

  /** Writes a chat command on the chat-command stream; false when no stream can be opened now. */
  chat(connection: QuicConnection, bytes: Uint8Array): boolean {
    if (this.chatStream === NO_STREAM) this.chatStream = openUni(connection);
    return this.writeOn(connection, this.chatStream, bytes);
  }

  /** Writes MessageDelivered/MessageRead on the ACK stream; false when no stream can be opened now. */
  ack(connection: QuicConnection, bytes: Uint8Array): boolean {
    if (this.ackStream === NO_STREAM) this.ackStream = openUni(connection);
    return this.writeOn(connection, this.ackStream, bytes);
  }

  /** Opens the upload stream unless it is open; false when it cannot be opened now. */
  openUpload(connection: QuicConnection): boolean {
    if (this.uploadStream === NO_STREAM) this.uploadStream = openUni(connection);
    return this.uploadStream !== NO_STREAM;
  }

  /** Writes an upload frame on the upload stream (opened by `openUpload`). */
  upload(connection: QuicConnection, bytes: Uint8Array): void {
    this.writeOn(connection, this.uploadStream, bytes);
  }

  /** The stream can take more: writes what waits for it. */
  drain(connection: QuicConnection, streamId: number): void {
    const queue = this.pending?.get(streamId);
    if (queue === undefined) return;
    while (queue.length > 0) {
      const head = queue[0] as Uint8Array;
      const written = connection.writeShared(streamId, head);
      if (written < head.length) {
        if (written > 0) queue[0] = head.subarray(written);
        return;
      }
      queue.shift();
    }
    this.pending?.delete(streamId);
  }

  /** The server stopped one of our uni streams (STOP_SENDING): its queue goes, and the next frame opens a new one. */
  stopped(streamId: number): void {
    this.pending?.delete(streamId);
    if (streamId === this.chatStream) this.chatStream = NO_STREAM;
    if (streamId === this.ackStream) this.ackStream = NO_STREAM;
    if (streamId === this.uploadStream) this.uploadStream = NO_STREAM;
  }

  /** The connection is gone: nothing is queued and no stream is open. */
  reset(): void {
    this.pending = null;
    this.chatStream = NO_STREAM;
    this.ackStream = NO_STREAM;
    this.uploadStream = NO_STREAM;
  }

  private writeOn(connection: QuicConnection, streamId: number, bytes: Uint8Array): boolean {
    if (streamId === NO_STREAM) return false;
    this.write(connection, streamId, bytes);
    return true;
  }

  /** Writes bytes after everything queued for the stream, queueing what the transport does not take now. */
  private write(connection: QuicConnection, streamId: number, bytes: Uint8Array): void {
    const queue = this.pending?.get(streamId);
    if (queue !== undefined) {
      queue.push(bytes);
      return;
    }
    const written = connection.writeShared(streamId, bytes);
    if (written < bytes.length) (this.pending ??= new Map()).set(streamId, [bytes.subarray(written)]);
  }
}

/** A new client uni stream, or NO_STREAM while the peer's stream limit is reached. */
function openUni(connection: QuicConnection): number {
  try {
    return connection.openUni();
  } catch {
    return NO_STREAM;
  }
}
