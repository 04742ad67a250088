/**
 * Nesting-depth check of a JSON text before it is parsed (PROTOCOL.md 17/json-depth, our decision).
 *
 * JSON.parse builds every nested array or object, even inside a member the schema then ignores, so a 16 MiB payload
 * of brackets costs seconds and gigabytes. The original's parser (serde_json) has a recursion limit of 128 too;
 * this scan refuses texts nested deeper than MAX_JSON_DEPTH (128, the same bound the schema decoder applies to `any`
 * values) in one pass over the characters, allocating nothing.
 */
import { MAX_JSON_DEPTH } from './exact-json.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** True when `text` nests arrays/objects deeper than `maxDepth` (brackets inside strings do not count). */
export function exceedsJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  // Deeper than maxDepth needs more than maxDepth opening brackets: most texts are ruled out by native indexOf
  // counting alone, which keeps the common case (a chat message) far cheaper than a character loop.
  if (
    text.length <= maxDepth ||
    countUpTo(text, '[', maxDepth + 1) + countUpTo(text, '{', maxDepth + 1) <= maxDepth
  )
    return false;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Occurrences of `ch` in `text`, counted up to `limit`. */
function countUpTo(text: string, ch: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(ch); at >= 0 && count < limit; at = text.indexOf(ch, at + 1)) count++;
  return count;
}

/** Index of the quote closing the string opened at `open` (text length when unterminated; JSON.parse reports it). */
function endOfString(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    // A quote preceded by an odd number of backslashes is escaped.
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if ((slashes & 1) === 0) return at;
  }
}
