/**
 * Who a connection is: username validation and the user id derived from it (tokens: token-verifier.ts).
 *
 * user_id is FNV-1a 64 of the UTF-8 username (decisions.md): two servers given the same name agree on the id,
 * which lets the harness predict ids, and values above 2^53 exercise the u64 path of every client.
 */
import { canonicalU64, type U64 } from '../spec/index.js';

/** Maximum username length in Unicode code points, after trimming. */
export const MAX_USERNAME_LENGTH = 50;

/** Result of validating a username. */
export type UsernameCheck = { ok: true; username: string } | { ok: false; reason: string };

/**
 * Validates a username: trimmed, 1 to 50 code points. Returns the trimmed name, which is the one the server uses.
 * Code points (not UTF-16 units, not bytes) so that an emoji counts as one character, as a person would count.
 */
export function validateUsername(raw: string): UsernameCheck {
  const username = raw.trim();
  let length = 0;
  for (const _ of username) length++;
  if (length === 0) return { ok: false, reason: 'username is empty' };
  if (length > MAX_USERNAME_LENGTH)
    return { ok: false, reason: `username is longer than ${MAX_USERNAME_LENGTH} characters (${length})` };
  return { ok: true, username };
}

const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
const textEncoder = new TextEncoder();

/**
 * FNV-1a 64-bit hash of bytes, as a canonical U64.
 * Computed on two 32-bit halves: the prime 0x100000001b3 = 2^40 + 0x1b3, so hash * prime = hash * 0x1b3 + (hash << 40).
 */
export function fnv1a64(bytes: Uint8Array): U64 {
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ (bytes[i] as number)) >>> 0; // XOR yields int32; keep the word unsigned
    // lo * 0x1b3 fits in 2^41, exact in a double; split into the low 32 bits and the carry.
    const loProduct = lo * 0x1b3;
    const carry = Math.floor(loProduct / 0x1_0000_0000);
    const newLo = loProduct >>> 0;
    // hi * 0x1b3 (mod 2^32) + carry + (lo << 8) (the 2^40 term shifted into the high word), all mod 2^32.
    const newHi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    hi = newHi;
    lo = newLo;
  }
  if (hi < 0x200000) return hi * 0x1_0000_0000 + lo; // < 2^53: exact as a number
  return canonicalU64((BigInt(hi) << 32n) | BigInt(lo));
}

/** The user id of a (validated, trimmed) username: FNV-1a 64 of its UTF-8 bytes. */
export function userIdForUsername(username: string): U64 {
  return fnv1a64(textEncoder.encode(username));
}
