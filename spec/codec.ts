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
import {
  chooseMarker,
  findLoneSurrogate,
  hasForgedMarker,
  hasUnicodeEscape,
  quoteLongIntegers,
} from './exact-json.js';
import { FrameError, FramingError, PayloadError } from './frame-errors.js';
import {
  FRAME_TABLE,
  describeCode,
  type FrameCode,
  type FrameCodeOf,
  type FrameName,
  type FrameSpec,
} from './frame-table.js';
import type { Frame, FramePayloads, UploadChunk } from './messages.js';
import { compileDecoder, type FieldDecoder } from './payload-decoding.js';
import { compileEncoder, type FieldEncoder } from './payload-encoding.js';
import { SchemaViolation } from './schema-violation.js';
import type { U64 } from './u64.js';

/** Bytes in a frame header: type (1) + payload length (4). */
export const FRAME_HEADER_BYTES = 5;

/** Largest payload a frame may carry: 16 MiB. A larger length is rejected from the header alone. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Largest UploadChunk data (our decision, PROTOCOL.md 13): 1 MiB. */
export const MAX_UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** Name of the frame type whose code is `C`. */
export type FrameNameOfCode<C extends FrameCode> = {
  [N in FrameName]: FrameCodeOf<N> extends C ? N : never;
}[FrameName];

/** A frame type given by name or by code. */
export type FrameTypeRef = FrameName | FrameCode;

/** The frame name a FrameTypeRef designates. */
export type FrameNameOf<T extends FrameTypeRef> = T extends FrameName
  ? T
  : T extends FrameCode
    ? FrameNameOfCode<T>
    : never;

/** Payload type of the frame a FrameTypeRef (name or code) designates. */
export type PayloadFor<T extends FrameTypeRef> = FramePayloads[FrameNameOf<T>];

/** A frame type's table row with its compiled payload decoder and encoder. */
interface CompiledFrame {
  readonly spec: FrameSpec;
  readonly decode: FieldDecoder;
  readonly encode: FieldEncoder;
}

const COMPILED_BY_CODE: (CompiledFrame | undefined)[] = new Array<CompiledFrame | undefined>(256).fill(
  undefined,
);
const COMPILED_BY_NAME = new Map<string, CompiledFrame>();
for (const spec of FRAME_TABLE) {
  const compiled: CompiledFrame = {
    spec,
    decode: compileDecoder(spec.schema),
    encode: compileEncoder(spec.schema),
  };
  COMPILED_BY_CODE[spec.code] = compiled;
  COMPILED_BY_NAME.set(spec.name, compiled);
}

const UPLOAD_CHUNK_CODE = 0x71;

function compiledFor(type: FrameTypeRef | number | string): CompiledFrame {
  const compiled = typeof type === 'number' ? COMPILED_BY_CODE[type] : COMPILED_BY_NAME.get(type);
  if (compiled !== undefined) return compiled;
  const label = typeof type === 'number' ? describeCode(type) : JSON.stringify(type);
  throw new FramingError('unknown-type', `unknown frame type ${label}`, {
    frameCode: typeof type === 'number' ? type : undefined,
    framingIntact: false,
  });
}

function payloadError(spec: FrameSpec, violation: SchemaViolation, framingIntact: boolean): PayloadError {
  const path = violation.fieldPath();
  const where = path === '' ? spec.name : `${spec.name}.${path}`;
  return new PayloadError('invalid-payload', `${where}: ${violation.describe()}`, {
    frameCode: spec.code,
    frameType: spec.name,
    field: path === '' ? undefined : path,
    framingIntact,
  });
}

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

/** Decodes payload JSON text of a known frame type; throws PayloadError. */
function decodeText(compiled: CompiledFrame, text: string, framingIntact: boolean): unknown {
  const spec = compiled.spec;
  let raw: unknown;
  let marker = 0;
  const escapes = hasUnicodeEscape(text);
  try {
    // One scan finds integer literals of 16+ digits; without any, the text is parsed as is.
    const candidate = chooseMarker(text, escapes);
    if (escapes && hasForgedMarker(text)) throw new SyntaxError('lone surrogate escape \\uDFFF');
    const quoted = quoteLongIntegers(text, candidate);
    if (quoted !== text) marker = candidate;
    raw = JSON.parse(quoted);
    // Lone surrogates can only come from \u escapes; the original's parser rejects them.
    if (escapes) {
      const where = findLoneSurrogate(raw);
      if (where !== undefined) throw new SyntaxError(`lone surrogate in a ${where}`);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PayloadError('invalid-json', `${spec.name}: invalid JSON payload: ${reason}`, {
      frameCode: spec.code,
      frameType: spec.name,
      framingIntact,
    });
  }
  try {
    return compiled.decode(raw, marker);
  } catch (error) {
    if (error instanceof SchemaViolation) throw payloadError(spec, error, framingIntact);
    throw error;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeBytes(compiled: CompiledFrame, bytes: Uint8Array, framingIntact: boolean): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const spec = compiled.spec;
    throw new PayloadError('invalid-json', `${spec.name}: payload is not valid UTF-8`, {
      frameCode: spec.code,
      frameType: spec.name,
      framingIntact,
    });
  }
  return decodeText(compiled, text, framingIntact);
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

function makeFrame(spec: FrameSpec, payload: unknown): Frame {
  return { code: spec.code, name: spec.name, payload } as Frame;
}

function unknownType(code: number): FramingError {
  return new FramingError('unknown-type', `unknown frame type ${describeCode(code)}`, {
    frameCode: code,
    framingIntact: false,
  });
}

function oversize(spec: FrameSpec, length: number, limit: number): FramingError {
  return new FramingError(
    'oversize',
    `${spec.name}: payload length ${length} exceeds the ${limit}-byte limit`,
    {
      frameCode: spec.code,
      frameType: spec.name,
      framingIntact: false,
    },
  );
}

function chunkTooLarge(size: number, limit: number): FramingError {
  return new FramingError(
    'chunk-too-large',
    `UploadChunk: size ${size} exceeds the ${limit}-byte chunk limit`,
    {
      frameCode: UPLOAD_CHUNK_CODE,
      frameType: 'UploadChunk',
      field: 'size',
      framingIntact: false,
    },
  );
}

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

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Limits of a FrameDecoder (defaults: the protocol's). */
export interface FrameDecoderOptions {
  /** Largest payload length accepted from a header (default MAX_PAYLOAD_BYTES, 16 MiB). */
  maxPayloadBytes?: number;
  /** Largest UploadChunk data accepted (default MAX_UPLOAD_CHUNK_BYTES, 1 MiB). */
  maxUploadChunkBytes?: number;
  /**
   * Frame codes that `nextOrRaw()` returns undecoded, as RawFrame (default none). UploadChunk cannot be one:
   * its data's extent is known only from its decoded payload.
   */
  rawCodes?: Iterable<number>;
}

/**
 * A frame returned undecoded by `FrameDecoder.nextOrRaw()`: header checked (known type, length within the
 * limit), payload bytes neither parsed nor validated. The payload is `source[start, end)`, and `source` may be a
 * pushed chunk: a reader that takes the range (e.g. peekRoomMessage) avoids creating a view per frame, which
 * for Buffers costs more than reading a small payload's fields.
 */
export class RawFrame {
  constructor(
    readonly code: FrameCode,
    readonly name: FrameName,
    readonly source: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The payload bytes (a new view of `source` on each access). */
  get payload(): Uint8Array {
    return this.source.subarray(this.start, this.end);
  }
}

/** The table of no raw codes. */
const NO_RAW_CODES = new Uint8Array(256);
/**
 * Raw-code tables by rawCodes array: a harness client has a decoder per server stream (thousands of clients,
 * nine streams each), and a table per decoder would cost more than the rest of the decoder.
 */
const rawTables = new WeakMap<Iterable<number>, Uint8Array>();

/** The raw-code table of a rawCodes option (validated; built once per array). */
function rawTableOf(rawCodes: Iterable<number> | undefined): Uint8Array {
  if (rawCodes === undefined) return NO_RAW_CODES;
  let table = rawTables.get(rawCodes);
  if (table !== undefined) return table;
  table = new Uint8Array(256);
  for (const code of rawCodes) {
    if (!Number.isInteger(code) || code < 0 || code > 255 || COMPILED_BY_CODE[code] === undefined)
      throw new RangeError(`rawCodes: ${code} is not a frame code`);
    if (code === UPLOAD_CHUNK_CODE) throw new RangeError('rawCodes: UploadChunk cannot be returned raw');
    table[code] = 1;
  }
  rawTables.set(rawCodes, table);
  return table;
}

/**
 * Incremental decoder for one stream's bytes. Feed chunks of any size with `push`, then
 * pull frames with `next()` until it returns undefined:
 *
 * ```ts
 * decoder.push(chunk);
 * for (;;) {
 *   let frame;
 *   try { frame = decoder.next(); } catch (e) {
 *     if (e instanceof FrameError && e.framingIntact) { reportBadFrame(e); continue; }
 *     throw e; // framing lost: drop the stream
 *   }
 *   if (frame === undefined) break;
 *   handle(frame);
 * }
 * ```
 *
 * `next()` throws FrameError in stream order. A PayloadError with `framingIntact` skips just
 * that frame; any other error is sticky (every later `next()` rethrows it, buffers are
 * released and later pushes are ignored). Limits are enforced from the header before any
 * payload is buffered, so the decoder never holds more than header + limit bytes of an
 * unfinished frame. Chunks are referenced, not copied, while they hold unfinished frames
 * (and UploadChunk `data` may alias them): do not modify a chunk after pushing it.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  /** Index in `chunks` of the first chunk with unread bytes. */
  private head = 0;
  /** Read position in chunks[head]. */
  private offset = 0;
  private buffered = 0;
  /** Decoded UploadChunk waiting for its `size` data bytes. */
  private pendingUpload: { spec: FrameSpec; payload: UploadChunk } | undefined = undefined;
  private failure: FrameError | undefined = undefined;
  private readonly maxPayloadBytes: number;
  private readonly maxUploadChunkBytes: number;
  /** rawCodes as a table indexed by frame code (1 = raw), shared by decoders of the same rawCodes array. */
  private readonly raw: Uint8Array;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    this.maxUploadChunkBytes = options.maxUploadChunkBytes ?? MAX_UPLOAD_CHUNK_BYTES;
    this.raw = rawTableOf(options.rawCodes);
  }

  /** Bytes received and not yet consumed by a returned frame (0 after a framing error). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The sticky framing error, once one occurred. */
  get error(): FrameError | undefined {
    return this.failure;
  }

  /** Appends received bytes (ignored after a framing error). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.failure !== undefined) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, or undefined when more bytes are needed. Throws FrameError. */
  next(): Frame | undefined {
    return this.read(false) as Frame | undefined;
  }

  /**
   * Like `next()`, but a frame whose code is one of the options' `rawCodes` comes back undecoded, as a
   * RawFrame (decode it with decodePayload, or read what you need from the bytes). Throws FrameError.
   */
  nextOrRaw(): Frame | RawFrame | undefined {
    return this.read(true);
  }

  private read(allowRaw: boolean): Frame | RawFrame | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.pendingUpload !== undefined) return this.takeUploadData();
    if (this.buffered === 0) return undefined;

    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    const code = chunk[at]!;
    const compiled = COMPILED_BY_CODE[code];
    if (compiled === undefined) return this.fail(unknownType(code));
    if (this.buffered < FRAME_HEADER_BYTES) return undefined;

    const length = chunk.length - at >= FRAME_HEADER_BYTES ? readU32(chunk, at + 1) : this.peekLength();
    if (length > this.maxPayloadBytes)
      return this.fail(oversize(compiled.spec, length, this.maxPayloadBytes));
    const total = FRAME_HEADER_BYTES + length;
    if (this.buffered < total) return undefined;

    let payloadBytes: Uint8Array;
    if (chunk.length - at >= total) {
      // The whole frame sits in one chunk: decode in place, no copy.
      this.offset = at + total;
      this.buffered -= total;
      if (this.offset === chunk.length) this.advanceChunk();
      if (allowRaw && this.raw[code])
        return new RawFrame(
          compiled.spec.code,
          compiled.spec.name,
          chunk,
          at + FRAME_HEADER_BYTES,
          at + total,
        );
      payloadBytes = chunk.subarray(at + FRAME_HEADER_BYTES, at + total);
    } else {
      this.skip(FRAME_HEADER_BYTES);
      payloadBytes = this.take(length);
    }

    if (code === UPLOAD_CHUNK_CODE) return this.startUpload(compiled, payloadBytes);
    if (allowRaw && this.raw[code])
      return new RawFrame(compiled.spec.code, compiled.spec.name, payloadBytes, 0, payloadBytes.length);
    return makeFrame(compiled.spec, decodeBytes(compiled, payloadBytes, true));
  }

  /**
   * Declares the end of the stream (FIN). Throws FramingError 'truncated' when an
   * unfinished frame (or UploadChunk data) remains.
   */
  end(): void {
    if (this.failure !== undefined) return;
    if (this.buffered === 0 && this.pendingUpload === undefined) return;
    const pending = this.pendingUpload;
    const code = pending !== undefined ? UPLOAD_CHUNK_CODE : this.chunks[this.head]![this.offset]!;
    const name = COMPILED_BY_CODE[code]?.spec.name;
    const what =
      pending !== undefined ? `UploadChunk data (${pending.payload.size} bytes)` : (name ?? 'frame');
    this.fail(
      new FramingError('truncated', `stream ended inside ${what} with ${this.buffered} bytes buffered`, {
        frameCode: code,
        frameType: name,
        framingIntact: false,
      }),
    );
  }

  private startUpload(compiled: CompiledFrame, payloadBytes: Uint8Array): Frame | undefined {
    let payload: UploadChunk;
    try {
      // Without a valid `size` the data's extent is unknown: framing is lost.
      payload = decodeBytes(compiled, payloadBytes, false) as UploadChunk;
    } catch (error) {
      return this.fail(error as FrameError);
    }
    if (payload.size > this.maxUploadChunkBytes)
      return this.fail(chunkTooLarge(payload.size, this.maxUploadChunkBytes));
    this.pendingUpload = { spec: compiled.spec, payload };
    return this.takeUploadData();
  }

  private takeUploadData(): Frame | undefined {
    const pending = this.pendingUpload!;
    const size = pending.payload.size;
    if (this.buffered < size) return undefined;
    this.pendingUpload = undefined;
    const data = this.take(size);
    return { code: pending.spec.code, name: 'UploadChunk', payload: pending.payload, data } as Frame;
  }

  private fail(error: FrameError): never {
    this.failure = error;
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.buffered = 0;
    this.pendingUpload = undefined;
    throw error;
  }

  private advanceChunk(): void {
    this.offset = 0;
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 64) {
      // Drop consumed chunk references now and then instead of shifting on every chunk.
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Length field of a header split across chunks. */
  private peekLength(): number {
    let length = 0;
    let chunkIndex = this.head;
    let at = this.offset + 1;
    for (let read = 0; read < 4; read++) {
      let chunk = this.chunks[chunkIndex]!;
      while (at >= chunk.length) {
        chunkIndex++;
        at = 0;
        chunk = this.chunks[chunkIndex]!;
      }
      length = length * 256 + chunk[at]!;
      at++;
    }
    return length;
  }

  private skip(count: number): void {
    this.buffered -= count;
    while (count > 0) {
      const chunk = this.chunks[this.head]!;
      const available = chunk.length - this.offset;
      if (available > count) {
        this.offset += count;
        return;
      }
      count -= available;
      this.advanceChunk();
    }
  }

  /** Consumes `count` buffered bytes: a view when they sit in one chunk, else a copy. */
  private take(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= count) {
      const view = first.subarray(this.offset, this.offset + count);
      this.skip(count);
      return view;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[this.head]!;
      const n = Math.min(chunk.length - this.offset, count - filled);
      out.set(chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.skip(n);
    }
    return out;
  }
}

/**
 * Decodes a complete byte string of frames at once (tests, tools). Throws the first
 * FrameError, including 'truncated' when the bytes end mid-frame.
 */
export function decodeFrames(bytes: Uint8Array): Frame[] {
  const decoder = new FrameDecoder();
  decoder.push(bytes);
  const frames: Frame[] = [];
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) frames.push(frame);
  decoder.end();
  return frames;
}
