/**
 * Each frame type of the table (frame-table.ts) with its compiled payload decoder and encoder, the protocol's size
 * limits, and the decoding steps and framing errors that the codec (codec.ts) and the stream decoder
 * (frame-decoder.ts) share. Every failure is a FrameError (frame-errors.ts).
 */
import {
  chooseMarker,
  findLoneSurrogate,
  hasForgedMarker,
  hasUnicodeEscape,
  quoteLongIntegers,
} from './exact-json.js';
import { FramingError, PayloadError } from './frame-errors.js';
import { MAX_JSON_DEPTH } from './exact-json.js';
import { exceedsJsonDepth } from './json-depth.js';
import {
  FRAME_TABLE,
  describeCode,
  type FrameCode,
  type FrameCodeOf,
  type FrameName,
  type FrameSpec,
} from './frame-table.js';
import type { Frame, FramePayloads } from './messages.js';
import { compileDecoder, type FieldDecoder } from './payload-decoding.js';
import { compileEncoder, type FieldEncoder } from './payload-encoding.js';
import { SchemaViolation } from './schema-violation.js';

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
export interface CompiledFrame {
  readonly spec: FrameSpec;
  readonly decode: FieldDecoder;
  readonly encode: FieldEncoder;
}

/** Compiled frame types by code (undefined: no such frame type). */
export const COMPILED_BY_CODE: (CompiledFrame | undefined)[] = new Array<CompiledFrame | undefined>(256).fill(
  undefined,
);
/** Compiled frame types by name. */
export const COMPILED_BY_NAME = new Map<string, CompiledFrame>();
for (const spec of FRAME_TABLE) {
  const compiled: CompiledFrame = {
    spec,
    decode: compileDecoder(spec.schema),
    encode: compileEncoder(spec.schema),
  };
  COMPILED_BY_CODE[spec.code] = compiled;
  COMPILED_BY_NAME.set(spec.name, compiled);
}

/** UploadChunk (0x71): followed by raw data its length does not count. */
export const UPLOAD_CHUNK_CODE = 0x71;

/** The compiled frame type of a name or code; throws FramingError 'unknown-type'. */
export function compiledFor(type: FrameTypeRef | number | string): CompiledFrame {
  const compiled = typeof type === 'number' ? COMPILED_BY_CODE[type] : COMPILED_BY_NAME.get(type);
  if (compiled !== undefined) return compiled;
  const label = typeof type === 'number' ? describeCode(type) : JSON.stringify(type);
  throw new FramingError('unknown-type', `unknown frame type ${label}`, {
    frameCode: typeof type === 'number' ? type : undefined,
    framingIntact: false,
  });
}

/** The PayloadError for a schema violation in a payload of `spec`. */
export function payloadError(
  spec: FrameSpec,
  violation: SchemaViolation,
  framingIntact: boolean,
): PayloadError {
  const path = violation.fieldPath();
  const where = path === '' ? spec.name : `${spec.name}.${path}`;
  return new PayloadError('invalid-payload', `${where}: ${violation.describe()}`, {
    frameCode: spec.code,
    frameType: spec.name,
    field: path === '' ? undefined : path,
    framingIntact,
  });
}

/** Decodes payload JSON text of a known frame type; throws PayloadError. */
export function decodeText(compiled: CompiledFrame, text: string, framingIntact: boolean): unknown {
  const spec = compiled.spec;
  let raw: unknown;
  let marker = 0;
  const escapes = hasUnicodeEscape(text);
  try {
    // Before JSON.parse builds it: deep nesting is refused even inside members the schema ignores.
    if (exceedsJsonDepth(text)) throw new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
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

/** Strict UTF-8 decoding (invalid bytes throw). */
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes payload bytes (UTF-8 JSON) of a known frame type; throws PayloadError. */
export function decodeBytes(compiled: CompiledFrame, bytes: Uint8Array, framingIntact: boolean): unknown {
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

/** A decoded frame of `spec` with its payload. */
export function makeFrame(spec: FrameSpec, payload: unknown): Frame {
  return { code: spec.code, name: spec.name, payload } as Frame;
}

/** FramingError for an unknown frame type code. */
export function unknownType(code: number): FramingError {
  return new FramingError('unknown-type', `unknown frame type ${describeCode(code)}`, {
    frameCode: code,
    framingIntact: false,
  });
}

/** FramingError for a payload length over `limit`. */
export function oversize(spec: FrameSpec, length: number, limit: number): FramingError {
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

/** FramingError for UploadChunk data over `limit`. */
export function chunkTooLarge(size: number, limit: number): FramingError {
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

/** The big-endian u32 at `at`. */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
