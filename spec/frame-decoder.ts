/**
 * Decoding a stream's bytes into frames (PROTOCOL.md 3, 13): FrameDecoder takes chunks of any size and returns
 * frames in order, enforcing the size limits from each header before buffering; an UploadChunk frame is followed
 * by `size` raw bytes its length does not count. Every failure is a FrameError (frame-errors.ts).
 */
import { FrameError, FramingError, PayloadError } from './frame-errors.js';
import { type FrameCode, type FrameName, type FrameSpec } from './frame-table.js';
import type { Frame, UploadChunk } from './messages.js';
import {
  COMPILED_BY_CODE,
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_UPLOAD_CHUNK_BYTES,
  UPLOAD_CHUNK_CODE,
  chunkTooLarge,
  decodeBytes,
  makeFrame,
  oversize,
  readU32,
  unknownType,
  utf8,
  type CompiledFrame,
} from './compiled-frames.js';

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

/** The u32 `size` member of UploadChunk metadata that is valid JSON (checked by the caller), or null. */
function validChunkSize(payloadBytes: Uint8Array): number | null {
  try {
    const size = (JSON.parse(utf8.decode(payloadBytes)) as { size?: unknown }).size;
    return typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= 0xffffffff
      ? size
      : null;
  } catch {
    return null;
  }
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
  /** Data bytes still to skip after an UploadChunk refused for a field other than its valid `size`. */
  private skipping = 0;
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
    if (this.skipping > 0) {
      const count = Math.min(this.skipping, this.buffered);
      this.take(count);
      this.skipping -= count;
      if (this.skipping > 0) return undefined;
    }
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
      // 13/chunk-bad-metadata: with a valid size the data can still be skipped, and only that frame is refused.
      const size =
        error instanceof PayloadError && error.kind === 'invalid-payload' && error.field !== 'size'
          ? validChunkSize(payloadBytes)
          : null;
      if (size === null || size > this.maxUploadChunkBytes) return this.fail(error as FrameError);
      const refused = error as PayloadError;
      this.skipping = size;
      throw new PayloadError('invalid-payload', refused.message, {
        frameCode: refused.frameCode,
        frameType: refused.frameType,
        field: refused.field,
        framingIntact: true,
      });
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
