/**
 * JSON text -> values with exact u64 integers (PROTOCOL.md 1 and 3).
 *
 * JSON.parse turns integer literals above 2^53 into inexact doubles. One scan over the text
 * (quoteLongIntegers) finds integer literals of 16 or more digits outside strings; when there
 * is none the text goes to plain JSON.parse unchanged (the fast path). Otherwise each such
 * literal is rewritten as a *marker string*, a marker code unit followed by the literal's
 * digits, the result is parsed with JSON.parse, and the schema-driven decoder turns markers
 * back into exact numbers.
 *
 * The marker must be a code unit no string in the payload can start with:
 * - U+009F (a C1 control, keeps one-byte strings one-byte so JSON.parse stays fast) when the
 *   text has no `\u` escape and no raw U+009F: then no string can hold it;
 * - otherwise U+DFFF, a lone low surrogate: text decoded from UTF-8 cannot hold it raw, and a
 *   `"\uDFFF` escape (a lone surrogate, invalid anyway) is rejected before parsing.
 *
 * Strings must be well-formed Unicode, as in the original (its JSON parser rejects lone
 * surrogate escapes): lone surrogates can only enter through `\u` escapes, so the check
 * runs only when the text contains one.
 */

/** Marker code unit used when the text has `\u` escapes or a raw U+009F: a lone low surrogate. */
export const SURROGATE_MARKER = 0xdfff;

/** Marker code unit used otherwise: U+009F, which then cannot occur in the text. */
export const LATIN1_MARKER = 0x9f;

const LATIN1_MARKER_CHAR = String.fromCharCode(LATIN1_MARKER);

/** Deepest nesting of arrays/objects in walked JSON values (serde_json's default recursion limit). */
export const MAX_JSON_DEPTH = 128;

/** True when the text contains a `\u` escape (lone surrogates and forged markers need one). */
export function hasUnicodeEscape(text: string): boolean {
  return text.indexOf('\\u') !== -1;
}

/** The marker code unit for a text (see module doc); `escapes` is hasUnicodeEscape(text). */
export function chooseMarker(text: string, escapes: boolean): number {
  return escapes || text.indexOf(LATIN1_MARKER_CHAR) !== -1 ? SURROGATE_MARKER : LATIN1_MARKER;
}

const FORGED_MARKER = /"\\u[dD][fF][fF][fF]/;

/** True when the text contains a `"\uDFFF` escape: a lone low surrogate that could forge a marker. */
export function hasForgedMarker(text: string): boolean {
  return FORGED_MARKER.test(text);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Index of the quote closing the string opened at `open`, skipping escaped quotes; n-1 when
 * unterminated (JSON.parse then reports the error). indexOf skips string content natively.
 */
function stringEnd(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 92 /* \ */) backslashes++;
    if ((backslashes & 1) === 0) return close;
    close = text.indexOf('"', close + 1);
  }
  return text.length - 1;
}

/**
 * Rewrites each integer literal of 16+ digits outside strings (no fraction, no exponent,
 * no leading zero: those stay as they are and JSON.parse judges them) as a marker string.
 * Returns the text unchanged when there is none.
 */
export function quoteLongIntegers(text: string, marker: number = SURROGATE_MARKER): string {
  const markerChar = String.fromCharCode(marker);
  const n = text.length;
  let out = '';
  let last = 0;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i) + 1;
      continue;
    }
    if (c !== 45 /* - */ && !isDigit(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 45) i++;
    const digitsStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    const digitsEnd = i;
    let integer = true;
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      integer = false;
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    c = text.charCodeAt(i);
    if (i < n && (c === 101 || c === 69) /* e E */) {
      integer = false;
      i++;
      c = text.charCodeAt(i);
      if (c === 43 || c === 45) i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    if (integer && digitsEnd - digitsStart >= 16 && text.charCodeAt(digitsStart) !== 48 /* 0 */) {
      out += text.slice(last, start) + '"' + markerChar + text.slice(start, digitsEnd) + '"';
      last = digitsEnd;
    }
    if (i === start) i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** True when `value` is a marker string produced by quoteLongIntegers with `marker`. */
export function isMarker(value: unknown, marker: number): value is string {
  return marker !== 0 && typeof value === 'string' && value.charCodeAt(0) === marker;
}

type WellFormed = { isWellFormed(): boolean };

/**
 * Finds a string (value or key) with a lone surrogate in a parsed JSON value; U+DFFF
 * marker strings (the only marker used when the text has escapes) are skipped. Returns a description of where, or undefined when all are
 * well-formed. Throws RangeError past MAX_JSON_DEPTH (callers map it to a typed error).
 */
export function findLoneSurrogate(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') {
    return value.charCodeAt(0) !== SURROGATE_MARKER && !(value as unknown as WellFormed).isWellFormed()
      ? 'string value'
      : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) throw new RangeError(`JSON nesting deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findLoneSurrogate(item, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key in value) {
    if (!(key as unknown as WellFormed).isWellFormed()) return 'object key';
    const found = findLoneSurrogate((value as Record<string, unknown>)[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** True when a string is well-formed Unicode (no lone surrogates). */
export function isWellFormedString(value: string): boolean {
  return (value as unknown as WellFormed).isWellFormed();
}
