/**
 * Targeted read of a RoomMessage payload (0x30): only message_id, room_id and nonce, without building the
 * whole value. For receivers that need just those fields per message (the load harness) and read far more
 * messages than anything else.
 *
 * One pass over the JSON text checks the JSON grammar (strings, escapes, numbers, literals, nesting) and
 * materialises only the top-level values of the three keys; everything else (sender, content, attachments,
 * unknown fields) is skipped. Key order, whitespace and look-alike text inside strings or nested objects do
 * not matter: only keys of the top-level object count.
 *
 * Anything the scan is not sure about gives undefined, never a wrong answer, and the caller falls back to
 * the full decode (decodePayload): a nonce with escapes or non-ASCII characters, a duplicated
 * wanted key, a u64 field that is not a plain digit string in range, JSON syntax errors, nesting deeper than
 * MAX_PEEK_DEPTH.
 *
 * It is not a validation: the other fields are not checked against the schema, and skipped strings are not
 * checked for raw control characters or valid UTF-8. A payload the full decode rejects may peek fine.
 *
 * Fast path. Both known servers (ours and the original) write RoomMessage members in the order of the frame
 * table: `{"message_id":<digits>,"room_id":<digits>,` ... `,"nonce":"<ascii>"}` (or `"nonce":null}`). When
 * a payload has exactly those edges, the three values are read there and the middle (sender, content, ...)
 * is not scanned at all: about 10x cheaper than the scan. For valid JSON without duplicated keys the answer
 * is the one the scan gives (the edges can only be top-level members: the first two open the object, and
 * the last quote pair before the closing brace cannot sit inside a string, since neither quote is escaped).
 * What the fast path does not notice is confined to the middle: a JSON syntax error there, or a duplicate
 * of a wanted key there (the edge value wins). Receivers that must know (the harness) fully decode a
 * sample of the payloads instead (see harness/client/sim-client.ts).
 */
import { Buffer } from 'node:buffer';
import { u64FromDigits, type U64 } from './u64.js';

/** The fields of a RoomMessage that peekRoomMessage extracts (a full RoomMessage has this shape too). */
export interface PeekedRoomMessage {
  readonly message_id: U64;
  readonly room_id: U64;
  /** null for `"nonce": null` or no nonce at all (as the full decode makes it). */
  readonly nonce: string | null;
}

/** Nesting (objects and arrays, the top-level object included) beyond which peekRoomMessage gives up. */
export const MAX_PEEK_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Which of the wanted keys a top-level key is. */
const KEY_OTHER = 0;
const KEY_MESSAGE_ID = 1;
const KEY_ROOM_ID = 2;
const KEY_NONCE = 3;

/** Failure marker of the scanning helpers (positions are >= 0). */
const FAIL = -1;

/**
 * True while the payload being scanned has no backslash: then every string ends at the next quote, found by
 * the native indexOf. Set by peekRoomMessage for its payload (the scan is synchronous, nothing interleaves).
 */
let noEscapes = false;

/**
 * message_id, room_id and nonce of a RoomMessage payload (UTF-8 JSON, frame header excluded), or undefined
 * when the payload is not a JSON object with them in plain form (then decode it fully). Never throws.
 * The payload is `bytes[start, end)` (default: all of `bytes`), so a reader need not create a view per frame.
 */
export function peekRoomMessage(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): PeekedRoomMessage | undefined {
  if (start < 0 || end > bytes.length || start > end) return undefined;
  return peekCanonicalLayout(bytes, start, end) ?? scanRoomMessage(bytes, start, end);
}

/** `{"message_id":` */
const MESSAGE_ID_PREFIX = asciiBytes('{"message_id":');
/** `,"room_id":` */
const ROOM_ID_INFIX = asciiBytes(',"room_id":');
/** `,"nonce":` */
const NONCE_INFIX = asciiBytes(',"nonce":');
/** `null}` */
const NULL_END = asciiBytes('null}');
/** Most digits a u64 read on the fast path may have: 15 digits are exact as a double. */
const FAST_DIGITS = 15;

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether `expected` sits at `at`, wholly inside payload[start, end). */
function hasBytesAt(
  payload: Uint8Array,
  start: number,
  end: number,
  at: number,
  expected: Uint8Array,
): boolean {
  if (at < start || at + expected.length > end) return false;
  for (let k = 0; k < expected.length; k++) if (payload[at + k] !== expected[k]) return false;
  return true;
}

/** Index just after the digits peekDigits last read (saves returning a pair). */
let digitsEnd = 0;

/** The JSON integer of at most FAST_DIGITS digits at `at`, before `end` (no sign, leading zero or fraction), or -1. */
function peekDigits(payload: Uint8Array, at: number, end: number): number {
  let value = 0;
  let i = at;
  const limit = Math.min(end, at + FAST_DIGITS + 1);
  for (; i < limit; i++) {
    const c = payload[i] as number;
    if (c < DIGIT_0 || c > DIGIT_9) break;
    value = value * 10 + (c - DIGIT_0);
  }
  const length = i - at;
  if (length === 0 || length > FAST_DIGITS || (length > 1 && payload[at] === DIGIT_0)) return -1;
  digitsEnd = i;
  return value;
}

/** The fast path (module comment): the three values at the edges of the frame table's layout, or undefined. */
function peekCanonicalLayout(payload: Uint8Array, start: number, end: number): PeekedRoomMessage | undefined {
  if (!hasBytesAt(payload, start, end, start, MESSAGE_ID_PREFIX)) return undefined;
  const messageId = peekDigits(payload, start + MESSAGE_ID_PREFIX.length, end);
  if (messageId < 0 || !hasBytesAt(payload, start, end, digitsEnd, ROOM_ID_INFIX)) return undefined;
  const roomId = peekDigits(payload, digitsEnd + ROOM_ID_INFIX.length, end);
  // The room id must be followed by more members: `{"message_id":1,"room_id":2}` has no nonce edge.
  if (roomId < 0 || digitsEnd >= end || payload[digitsEnd] !== COMMA) return undefined;
  const middleStart = digitsEnd;
  if (payload[end - 1] !== CLOSE_BRACE) return undefined;
  let nonce: string | null;
  let nonceInfixAt: number;
  if (payload[end - 2] === QUOTE) {
    let open = end - 3;
    for (; open > middleStart; open--) {
      const c = payload[open] as number;
      if (c === QUOTE) break;
      // Escapes, control and non-ASCII characters: the scan decides.
      if (c === BACKSLASH || c < 0x20 || c >= 0x80) return undefined;
    }
    nonceInfixAt = open - NONCE_INFIX.length;
    if (nonceInfixAt < middleStart || !hasBytesAt(payload, start, end, nonceInfixAt, NONCE_INFIX))
      return undefined;
    nonce = latin1(payload, open + 1, end - 2);
  } else {
    nonceInfixAt = end - NULL_END.length - NONCE_INFIX.length;
    if (nonceInfixAt < middleStart || !hasBytesAt(payload, start, end, end - NULL_END.length, NULL_END))
      return undefined;
    if (!hasBytesAt(payload, start, end, nonceInfixAt, NONCE_INFIX)) return undefined;
    nonce = null;
  }
  return { message_id: messageId, room_id: roomId, nonce };
}

/** payload[start, end) as a string of one char per byte (Latin-1: each byte is one char, whatever it is). */
function latin1(payload: Uint8Array, start: number, end: number): string {
  const buffer =
    payload instanceof Buffer ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return buffer.toString('latin1', start, end);
}

/** The general path: one pass over the whole JSON text (module comment). */
function scanRoomMessage(payload: Uint8Array, from: number, to: number): PeekedRoomMessage | undefined {
  // Scanned as Latin-1 text, one char per byte: every structural (ASCII) char sits where its byte does (UTF-8
  // sequences never contain ASCII bytes), and the native string searches do the skipping.
  const text = latin1(payload, from, to);
  const end = text.length;
  let i = skipWhitespace(text, 0);
  if (i >= end || text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  noEscapes = !text.includes('\\');
  i = skipWhitespace(text, i + 1);
  let messageId: U64 | undefined;
  let roomId: U64 | undefined;
  let nonce: string | null | undefined;
  for (;;) {
    // `{}` fails here too: the ids are missing.
    if (i >= end || text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = scanString(text, i);
    if (keyEnd === FAIL) return undefined;
    const key = wantedKey(text, i + 1, keyEnd - 1);
    i = skipWhitespace(text, keyEnd);
    if (i >= end || text.charCodeAt(i) !== COLON) return undefined;
    i = skipWhitespace(text, i + 1);
    if (key === KEY_OTHER) {
      i = skipValue(text, i, 1);
      if (i === FAIL) return undefined;
    } else if (key === KEY_NONCE) {
      if (nonce !== undefined) return undefined;
      if (text.charCodeAt(i) === QUOTE) {
        const close = scanString(text, i);
        if (close === FAIL) return undefined;
        nonce = asciiString(text, i + 1, close - 1);
        if (nonce === undefined) return undefined;
        i = close;
      } else {
        if (!text.startsWith('null', i)) return undefined;
        nonce = null;
        i += 4;
      }
    } else {
      const digitsEnd = scanDigits(text, i);
      if (digitsEnd === FAIL) return undefined;
      const value = u64Of(text, i, digitsEnd);
      if (value === undefined) return undefined;
      if (key === KEY_MESSAGE_ID) {
        if (messageId !== undefined) return undefined;
        messageId = value;
      } else {
        if (roomId !== undefined) return undefined;
        roomId = value;
      }
      i = digitsEnd;
    }
    i = skipWhitespace(text, i);
    const c = text.charCodeAt(i); // NaN past the end
    if (c === CLOSE_BRACE) break;
    if (c !== COMMA) return undefined;
    i = skipWhitespace(text, i + 1);
  }
  if (skipWhitespace(text, i + 1) !== end) return undefined;
  if (messageId === undefined || roomId === undefined) return undefined;
  return { message_id: messageId, room_id: roomId, nonce: nonce ?? null };
}

function skipWhitespace(text: string, i: number): number {
  const end = text.length;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** KEY_* of the key in text[start, end) (between its quotes, escapes checked by scanString). */
function wantedKey(text: string, start: number, end: number): number {
  if (!noEscapes) {
    for (let i = start; i < end; i++) {
      // A key with escapes may still spell a wanted one: unescape it (rare, may allocate). Raw bytes
      // >= 0x80 are part of UTF-8 sequences, never of a wanted (ASCII) key.
      if (text.charCodeAt(i) === BACKSLASH) return unescapedKey(text, start, end);
    }
  }
  const length = end - start;
  if (length === 10 && text.startsWith('message_id', start)) return KEY_MESSAGE_ID;
  if (length === 7 && text.startsWith('room_id', start)) return KEY_ROOM_ID;
  if (length === 5 && text.startsWith('nonce', start)) return KEY_NONCE;
  return KEY_OTHER;
}

function unescapedKey(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 0x80) return KEY_OTHER;
  const key: unknown = JSON.parse(text.slice(start - 1, end + 1)); // valid: scanString checked it
  return key === 'message_id'
    ? KEY_MESSAGE_ID
    : key === 'room_id'
      ? KEY_ROOM_ID
      : key === 'nonce'
        ? KEY_NONCE
        : KEY_OTHER;
}

/**
 * Position after the JSON string opening at `i` (a quote), or FAIL. Escapes are checked; raw control
 * characters (invalid JSON, but no change to where the string ends) are not.
 */
function scanString(text: string, i: number): number {
  if (noEscapes) {
    const close = text.indexOf('"', i + 1);
    return close < 0 ? FAIL : close + 1;
  }
  const end = text.length;
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    const e = text.charCodeAt(i + 1);
    if (e === 0x75 /* u */) {
      for (let k = 2; k < 6; k++) if (!isHexDigit(text.charCodeAt(i + k))) return FAIL;
      i += 6;
      continue;
    }
    // " \ / b f n r t
    if (
      e !== QUOTE &&
      e !== BACKSLASH &&
      e !== 0x2f &&
      e !== 0x62 &&
      e !== 0x66 &&
      e !== 0x6e &&
      e !== 0x72 &&
      e !== 0x74
    )
      return FAIL;
    i += 2;
  }
  return FAIL;
}

function isHexDigit(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** text[start, end) when it is plain ASCII (then the Latin-1 text is the string itself), else undefined. */
function asciiString(text: string, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH || c >= 0x80) return undefined;
  }
  return text.slice(start, end);
}

/** Position after a JSON integer of digits only (no sign, fraction, exponent) at `i`, or FAIL. */
function scanDigits(text: string, i: number): number {
  const start = i;
  i = skipDigitRun(text, i);
  if (i === start) return FAIL;
  if (text.charCodeAt(start) === DIGIT_0 && i - start > 1) return FAIL; // leading zero: not JSON
  const c = text.charCodeAt(i);
  if (c === 0x2e /* . */ || c === 0x65 /* e */ || c === 0x45 /* E */) return FAIL;
  return i;
}

/** Canonical u64 of the digits in text[start, end), or undefined above 2^64-1. */
function u64Of(text: string, start: number, end: number): U64 | undefined {
  const length = end - start;
  if (length <= 15) {
    // At most 15 digits: exact as a double.
    let n = 0;
    for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - DIGIT_0);
    return n;
  }
  if (length > 20) return undefined;
  return u64FromDigits(text.slice(start, end));
}

/** Position after the JSON value at `i` (inside `depth` containers), or FAIL. */
function skipValue(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return scanString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipContainer(text, i, depth + 1);
  if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) return skipNumber(text, i);
  if (c === 0x74 /* t */) return text.startsWith('true', i) ? i + 4 : FAIL;
  if (c === 0x66 /* f */) return text.startsWith('false', i) ? i + 5 : FAIL;
  if (c === 0x6e /* n */) return text.startsWith('null', i) ? i + 4 : FAIL;
  return FAIL;
}

function skipContainer(text: string, i: number, depth: number): number {
  if (depth > MAX_PEEK_DEPTH) return FAIL;
  const isObject = text.charCodeAt(i) === OPEN_BRACE;
  const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === close) return i + 1;
  for (;;) {
    if (isObject) {
      if (text.charCodeAt(i) !== QUOTE) return FAIL;
      i = scanString(text, i);
      if (i === FAIL) return FAIL;
      i = skipWhitespace(text, i);
      if (text.charCodeAt(i) !== COLON) return FAIL;
      i = skipWhitespace(text, i + 1);
    }
    i = skipValue(text, i, depth);
    if (i === FAIL) return FAIL;
    i = skipWhitespace(text, i);
    const c = text.charCodeAt(i);
    if (c === close) return i + 1;
    if (c !== COMMA) return FAIL;
    i = skipWhitespace(text, i + 1);
  }
}

/** Position after a JSON number at `i` (full grammar: sign, fraction, exponent), or FAIL. */
function skipNumber(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  if (text.charCodeAt(i) === DIGIT_0) i++;
  else {
    const start = i;
    i = skipDigitRun(text, i);
    if (i === start) return FAIL;
  }
  if (text.charCodeAt(i) === 0x2e /* . */) {
    const start = ++i;
    i = skipDigitRun(text, i);
    if (i === start) return FAIL;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45 /* e E */) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS /* + - */) i++;
    const start = i;
    i = skipDigitRun(text, i);
    if (i === start) return FAIL;
  }
  return i;
}

function skipDigitRun(text: string, i: number): number {
  const end = text.length;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) break;
    i++;
  }
  return i;
}
