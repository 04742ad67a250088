/**
 * What a conformance probe records of the server (every frame, or framing failure, with its stream and arrival),
 * how checks select streams, and how received frames and bytes are described in reports.
 */
import type { RawServerFrame } from './server-frame-reader.js';

/** A frame (or framing failure) the probe received, with where and when. */
export interface ReceivedFrame extends RawServerFrame {
  /** Arrival order on this connection. */
  readonly seq: number;
  /** Arrival time, performance.now() ms. */
  readonly at: number;
  /** QUIC stream id, or 'datagram'. */
  readonly streamId: number | 'datagram';
}

/** A stream given by id, or the control stream. */
export type StreamRef = number | 'control';

/**
 * Where to look for frames: one stream, every stream ('any'), every stream of a kind ('shard', 'hot-room'), or
 * the datagrams.
 */
export type StreamSelector = StreamRef | 'any' | 'shard' | 'hot-room' | 'datagram';

/** Human-readable description of a received frame, e.g. `Error{"code":1001,...}`. */
export function describeReceived(item: RawServerFrame): string {
  if (item.error !== undefined)
    return `${item.name}(invalid: ${item.error}${item.text ? `; payload ${item.text}` : ''})`;
  const text = item.text.length > 160 ? `${item.text.slice(0, 160)}…` : item.text;
  return `${item.name}${text}`;
}

/** Bytes as short hex for reports. */
export function hexPreview(bytes: Uint8Array, limit = 48): string {
  const hex = Buffer.from(bytes.subarray(0, limit)).toString('hex');
  return bytes.length > limit ? `${hex}… (${bytes.length} bytes)` : hex;
}
