/**
 * The frame codec (PROTOCOL.md 3, 11, 13): frames to bytes and back.
 *
 * Wire format: type (1 byte) | length (u32 big-endian, payload bytes only) | payload
 * (UTF-8 JSON). An UploadChunk frame is followed by exactly `size` raw bytes that its
 * length does not count. A datagram carries exactly one frame.
 *
 * Every failure is a FrameError (frame-errors.ts); nothing else escapes.
 */
import { Buffer } from 'node:buffer';
import { FramingError, PayloadError } from './frame-errors.js';
import { describeCode, type FrameName, type FrameSpec } from './frame-table.js';
import type { Frame, FramePayloads, UploadChunk } from './messages.js';
import { SchemaViolation } from './schema-violation.js';
import type { U64 } from './u64.js';
import {
  COMPILED_BY_CODE,
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_UPLOAD_CHUNK_BYTES,
  UPLOAD_CHUNK_CODE,
  compiledFor,
  decodeBytes,
  decodeText,
  makeFrame,
  oversize,
  payloadError,
  readU32,
  unknownType,
  type CompiledFrame,
  type FrameTypeRef,
  type PayloadFor,
} from './compiled-frames.js';

export {
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_UPLOAD_CHUNK_BYTES,
  type FrameNameOf,
  type FrameNameOfCode,
  type FrameTypeRef,
  type PayloadFor,
} from './compiled-frames.js';
export * from './frame-decoder.js';

// ---------------------------------------------------------------------------------------
// Payloads

/** JSON text of a payload, checked against its schema as it is written (throws PayloadError). */
export function encodePayload<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): string;
export function encodePayload<N extends FrameName>(type: N, payload: FramePayloads[N]): string;
export function encodePayload(type: FrameTypeRef, payload: unknown): string {
  const compiled = compiledFor(type);
  try {
    return compiled.encode(payload);
  } catch (error) {
    if (error instanceof SchemaViolation) throw payloadError(compiled.spec, error, true);
    throw error;
  }
}

/**
 * Decodes and validates a payload (UTF-8 bytes or JSON text) of the given frame type into
 * its canonical typed form; throws PayloadError (or FramingError for an unknown type).
 */
export function decodePayload<T extends FrameTypeRef>(type: T, payload: Uint8Array | string): PayloadFor<T>;
export function decodePayload(type: FrameTypeRef, payload: Uint8Array | string): unknown {
  const compiled = compiledFor(type);
  return typeof payload === 'string'
    ? decodeText(compiled, payload, true)
    : decodeBytes(compiled, payload, true);
}

/**
 * Checks an in-memory value against a frame type's schema and returns its canonical typed
 * copy (unknown fields dropped, absent nullable fields null, u64 canonical). Throws
 * PayloadError naming the field path. Bigints are accepted for u64 fields.
 */
export function validatePayload<T extends FrameTypeRef>(type: T, value: unknown): PayloadFor<T>;
export function validatePayload(type: FrameTypeRef, value: unknown): unknown {
  const compiled = compiledFor(type);
  return decodeText(compiled, encodePayloadUnchecked(compiled, value), true);
}

function encodePayloadUnchecked(compiled: CompiledFrame, value: unknown): string {
  try {
    return compiled.encode(value);
  } catch (error) {
    if (error instanceof SchemaViolation) throw payloadError(compiled.spec, error, true);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Encoding frames

function frameBytes(spec: FrameSpec, text: string, trailing: number): Uint8Array {
  const length = Buffer.byteLength(text);
  if (length > MAX_PAYLOAD_BYTES) {
    throw new FramingError(
      'oversize',
      `${spec.name}: payload of ${length} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
      {
        frameCode: spec.code,
        frameType: spec.name,
        framingIntact: true,
      },
    );
  }
  // allocUnsafe slices Node's shared pool for small frames: the bytes are never reused or
  // overwritten, so one encoded frame can be queued on many streams at once.
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length + trailing);
  out[0] = spec.code;
  out.writeUInt32BE(length, 1);
  out.write(text, FRAME_HEADER_BYTES, length, 'utf8');
  // A plain Uint8Array view: callers compare and copy frames as Uint8Array, not Buffer.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Encodes one frame: 5-byte header and UTF-8 JSON payload, checked against the schema as it
 * is written. The result is an immutable standalone copy (possibly a slice of Node's
 * buffer pool, so `byteOffset` may be non-zero): encode a room frame once and send the same
 * bytes to every member. Throws PayloadError for a payload that breaks its schema.
 * For UploadChunk this writes the frame alone: the caller must send exactly `size` data
 * bytes right after it (encodeUploadChunk does both).
 */
export function encodeFrame<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): Uint8Array;
export function encodeFrame<N extends FrameName>(type: N, payload: FramePayloads[N]): Uint8Array;
export function encodeFrame(type: FrameTypeRef, payload: unknown): Uint8Array {
  const compiled = compiledFor(type);
  return frameBytes(compiled.spec, encodePayloadUnchecked(compiled, payload), 0);
}

/** UploadChunk metadata for encodeUploadChunk; `size` defaults to the data length and must equal it. */
export interface UploadChunkMeta {
  upload_id: U64;
  offset: U64;
  size?: number;
}

/**
 * Encodes an UploadChunk frame followed by its raw bytes (our decision, PROTOCOL.md 13).
 * Throws FramingError 'chunk-too-large' above 1 MiB, PayloadError if `size` disagrees with the data.
 */
export function encodeUploadChunk(meta: UploadChunkMeta, data: Uint8Array): Uint8Array {
  const compiled = COMPILED_BY_CODE[UPLOAD_CHUNK_CODE]!;
  if (data.length > MAX_UPLOAD_CHUNK_BYTES) {
    throw new FramingError(
      'chunk-too-large',
      `UploadChunk: ${data.length} bytes exceeds the ${MAX_UPLOAD_CHUNK_BYTES}-byte chunk limit`,
      { frameCode: UPLOAD_CHUNK_CODE, frameType: 'UploadChunk', field: 'size', framingIntact: true },
    );
  }
  if (meta.size !== undefined && meta.size !== data.length) {
    throw new PayloadError(
      'invalid-payload',
      `UploadChunk.size: ${meta.size} but ${data.length} data bytes`,
      {
        frameCode: UPLOAD_CHUNK_CODE,
        frameType: 'UploadChunk',
        field: 'size',
        framingIntact: true,
      },
    );
  }
  const chunk: UploadChunk = { upload_id: meta.upload_id, offset: meta.offset, size: data.length };
  const out = frameBytes(compiled.spec, encodePayloadUnchecked(compiled, chunk), data.length);
  out.set(data, out.length - data.length);
  return out;
}

/** Encodes a datagram: exactly one frame of the datagram category (0x80-0x8F). */
export function encodeDatagram<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): Uint8Array;
export function encodeDatagram<N extends FrameName>(type: N, payload: FramePayloads[N]): Uint8Array;
export function encodeDatagram(type: FrameTypeRef, payload: unknown): Uint8Array {
  const compiled = compiledFor(type);
  if (compiled.spec.category !== 'datagram') throw wrongCategory(compiled.spec.code);
  return frameBytes(compiled.spec, encodePayloadUnchecked(compiled, payload), 0);
}

function wrongCategory(code: number): FramingError {
  return new FramingError(
    'wrong-category',
    `${describeCode(code)} is not a datagram frame type (0x80-0x8F)`,
    {
      frameCode: code,
      frameType: COMPILED_BY_CODE[code]?.spec.name,
      framingIntact: false,
    },
  );
}

// ---------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes a datagram: exactly one complete frame of the datagram category, no trailing
 * bytes. Throws FrameError ('truncated', 'trailing-bytes', 'unknown-type', 'wrong-category',
 * 'oversize', 'invalid-json', 'invalid-payload').
 */
export function decodeDatagram(bytes: Uint8Array): Frame {
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new FramingError('truncated', `datagram of ${bytes.length} bytes is shorter than a frame header`, {
      frameCode: bytes.length > 0 ? bytes[0] : undefined,
      framingIntact: false,
    });
  }
  const code = bytes[0]!;
  const compiled = COMPILED_BY_CODE[code];
  if (compiled === undefined) throw unknownType(code);
  const spec = compiled.spec;
  if (spec.category !== 'datagram') throw wrongCategory(code);
  const length = readU32(bytes, 1);
  if (length > MAX_PAYLOAD_BYTES) throw oversize(spec, length, MAX_PAYLOAD_BYTES);
  const end = FRAME_HEADER_BYTES + length;
  if (end !== bytes.length) {
    const kind = end > bytes.length ? 'truncated' : 'trailing-bytes';
    throw new FramingError(kind, `${spec.name}: datagram holds ${bytes.length} bytes, frame needs ${end}`, {
      frameCode: code,
      frameType: spec.name,
      framingIntact: false,
    });
  }
  return makeFrame(spec, decodeBytes(compiled, bytes.subarray(FRAME_HEADER_BYTES, end), true));
}
