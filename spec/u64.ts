/**
 * Unsigned 64-bit integers on the wire (PROTOCOL.md section 1).
 *
 * Ids and timestamps are u64 written as plain JSON numbers; values above 2^53 occur
 * (user ids are 64-bit hashes), so a JS number cannot hold every value exactly.
 * Canonical form: a number when the value is <= Number.MAX_SAFE_INTEGER, a bigint above.
 */

/** An unsigned 64-bit integer: a number up to 2^53-1, a bigint above (canonical form). */
export type U64 = number | bigint;

/** Largest u64 value, 2^64 - 1. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** True when `value` is a u64 in either representation (integer, 0 <= value <= 2^64-1). */
export function isU64(value: unknown): value is U64 {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  if (typeof value === 'bigint') return value >= 0n && value <= U64_MAX;
  return false;
}

/** True when `value` is a u64 in canonical form (number when safe, bigint only above 2^53-1). */
export function isCanonicalU64(value: unknown): value is U64 {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  if (typeof value === 'bigint') return value > MAX_SAFE_BIGINT && value <= U64_MAX;
  return false;
}

/** Canonical form of a u64 given as number or bigint; the caller guarantees `isU64(value)`. */
export function canonicalU64(value: U64): U64 {
  if (typeof value === 'bigint' && value <= MAX_SAFE_BIGINT) return Number(value);
  return value;
}

/** Canonical u64 from a decimal digit string, or undefined when it is not a u64 (sign, range). */
export function u64FromDigits(digits: string): U64 | undefined {
  if (digits.length < 16) {
    // At most 15 digits: always a safe integer, no bigint needed.
    const n = Number(digits);
    return Number.isSafeInteger(n) && n >= 0 && digits.charCodeAt(0) !== 45 /* - */ ? n : undefined;
  }
  if (digits.charCodeAt(0) === 45 /* - */) return undefined;
  const big = BigInt(digits);
  if (big > U64_MAX) return undefined;
  return big <= MAX_SAFE_BIGINT ? Number(big) : big;
}

/** Compares two u64 values of either representation numerically (-1, 0, 1). */
export function compareU64(a: U64, b: U64): -1 | 0 | 1 {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Decimal text of a u64 (for logs, keys and error contexts). */
export function u64ToString(value: U64): string {
  return typeof value === 'number' ? String(value) : value.toString();
}

/**
 * A u64 as a JS number: exact up to 2^53 - 1, rounded above. For ids the harness uses as map keys and
 * counters, where ids past 2^53 do not occur in practice and rounding is acceptable.
 */
export function u64ToNumber(value: U64): number {
  return typeof value === 'number' ? value : Number(value);
}
