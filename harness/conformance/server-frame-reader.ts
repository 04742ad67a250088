/**
 * Splits the bytes a server writes on one stream into frames, tolerating a broken server.
 *
 * Unlike the codec's FrameDecoder (which stops a stream at the first unknown type), this reader keeps going
 * whenever the length prefix allows it: a conformance probe wants to see *everything* a server sent, including
 * frames of unknown types and frames whose payload breaks its schema, so that each check can say exactly what it
 * saw. Only an oversize length or an unfinished frame at FIN ends the stream's framing.
 */
import {
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_UPLOAD_CHUNK_BYTES,
  decodePayload,
  describeCode,
  frameSpecByCode,
  type Frame,
} from '../../spec/index.js';

/** One frame (or framing failure) read from a server stream or datagram. */
export interface RawServerFrame {
  /** Type byte. */
  readonly code: number;
  /** Frame name, or `0xNN` for an unknown type. */
  readonly name: string;
  /** The decoded frame when its type is known and its payload valid. */
  readonly frame?: Frame;
  /** Why the frame could not be decoded (unknown type, bad payload, oversize, truncated). */
  readonly error?: string;
  /** Payload text (UTF-8, lossy), shortened; kept for reports. */
  readonly text: string;
  /** True when this failure ended the stream's framing (nothing after it can be read). */
  readonly framingLost: boolean;
}

const TEXT_LIMIT = 400;
const utf8 = new TextDecoder('utf-8');

/** Payload text for reports (lossy UTF-8, at most TEXT_LIMIT characters). */
export function previewText(bytes: Uint8Array): string {
  const text = utf8.decode(bytes.subarray(0, TEXT_LIMIT * 4));
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
}

/** Decodes one complete frame's payload (type and payload bytes known). Never throws. */
export function decodeServerFrame(code: number, payload: Uint8Array): RawServerFrame {
  const spec = frameSpecByCode(code);
  const text = previewText(payload);
  if (!spec)
    return {
      code,
      name: describeCode(code),
      error: `unknown frame type ${describeCode(code)}`,
      text,
      framingLost: false,
    };
  try {
    const decoded = decodePayload(spec.name, payload);
    return {
      code,
      name: spec.name,
      frame: { code, name: spec.name, payload: decoded } as Frame,
      text,
      framingLost: false,
    };
  } catch (error) {
    return { code, name: spec.name, error: (error as Error).message, text, framingLost: false };
  }
}

/** Decodes a datagram (exactly one frame). Never throws. */
export function decodeServerDatagram(bytes: Uint8Array): RawServerFrame {
  if (bytes.length < FRAME_HEADER_BYTES) {
    const code = bytes[0] ?? -1;
    return {
      code,
      name: code < 0 ? 'empty' : describeCode(code),
      error: `datagram of ${bytes.length} bytes`,
      text: '',
      framingLost: true,
    };
  }
  const code = bytes[0]!;
  const length = readU32(bytes, 1);
  const payload = bytes.subarray(FRAME_HEADER_BYTES);
  if (length !== payload.length) {
    return {
      code,
      name: describeCode(code),
      error: `datagram length field ${length} but ${payload.length} payload bytes`,
      text: previewText(payload),
      framingLost: true,
    };
  }
  return decodeServerFrame(code, payload);
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Incremental frame reader for one server stream. */
export class ServerFrameReader {
  private buffer = new Uint8Array(0);
  private lost = false;
  /** Raw bytes still to skip after an UploadChunk (a server should never send one, but framing must hold). */
  private skipBytes = 0;

  /** True once the framing of this stream is lost. */
  get framingLost(): boolean {
    return this.lost;
  }

  /** Appends bytes; returns every frame completed by them. */
  push(chunk: Uint8Array): RawServerFrame[] {
    if (this.lost || chunk.length === 0) return [];
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    const out: RawServerFrame[] = [];
    let at = 0;
    for (;;) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, this.buffer.length - at);
        this.skipBytes -= n;
        at += n;
        if (this.skipBytes > 0) break;
      }
      if (this.buffer.length - at < FRAME_HEADER_BYTES) break;
      const code = this.buffer[at]!;
      const length = readU32(this.buffer, at + 1);
      if (length > MAX_PAYLOAD_BYTES) {
        out.push({
          code,
          name: describeCode(code),
          error: `payload length ${length} exceeds ${MAX_PAYLOAD_BYTES}`,
          text: '',
          framingLost: true,
        });
        this.lost = true;
        this.buffer = new Uint8Array(0);
        return out;
      }
      if (this.buffer.length - at < FRAME_HEADER_BYTES + length) break;
      const payload = this.buffer.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
      const frame = decodeServerFrame(code, payload);
      out.push(frame);
      at += FRAME_HEADER_BYTES + length;
      if (frame.frame?.name === 'UploadChunk')
        this.skipBytes = Math.min(frame.frame.payload.size, MAX_UPLOAD_CHUNK_BYTES);
    }
    this.buffer = this.buffer.slice(at);
    return out;
  }

  /** The stream ended (FIN): an unfinished frame is reported as truncated. */
  end(): RawServerFrame | null {
    if (this.lost || (this.buffer.length === 0 && this.skipBytes === 0)) return null;
    const code = this.buffer[0] ?? -1;
    const failure: RawServerFrame = {
      code,
      name: code < 0 ? 'UploadChunk data' : describeCode(code),
      error: `stream ended inside a frame (${this.buffer.length} bytes buffered)`,
      text: previewText(this.buffer.subarray(FRAME_HEADER_BYTES)),
      framingLost: true,
    };
    this.lost = true;
    this.buffer = new Uint8Array(0);
    return failure;
  }
}
