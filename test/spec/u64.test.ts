import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  U64_MAX,
  canonicalU64,
  compareU64,
  isCanonicalU64,
  isU64,
  u64FromDigits,
  u64ToString,
} from '../../spec/u64.js';

describe('u64', () => {
  it('recognises u64 values in both representations', () => {
    expect(isU64(0)).toBe(true);
    expect(isU64(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isU64(Number.MAX_SAFE_INTEGER + 1)).toBe(false); // inexact as a number
    expect(isU64(U64_MAX)).toBe(true);
    expect(isU64(U64_MAX + 1n)).toBe(false);
    expect(isU64(-1)).toBe(false);
    expect(isU64(-1n)).toBe(false);
    expect(isU64(1.5)).toBe(false);
    expect(isU64('1')).toBe(false);
  });

  it('canonical form: number up to 2^53-1, bigint above', () => {
    expect(canonicalU64(5n)).toBe(5);
    expect(canonicalU64(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(canonicalU64(2n ** 53n)).toBe(2n ** 53n);
    expect(isCanonicalU64(5n)).toBe(false);
    expect(isCanonicalU64(2n ** 53n)).toBe(true);
  });

  it('parses digit strings exactly over the whole range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), (value) => {
        const parsed = u64FromDigits(value.toString());
        expect(parsed).toEqual(canonicalU64(value));
        expect(isCanonicalU64(parsed)).toBe(true);
        expect(u64ToString(parsed!)).toBe(value.toString());
      }),
      { numRuns: 300 },
    );
    expect(u64FromDigits('18446744073709551616')).toBeUndefined();
    expect(u64FromDigits('-1')).toBeUndefined();
    expect(u64FromDigits('-12345678901234567')).toBeUndefined();
  });

  it('compares across representations', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: 0n, max: U64_MAX }), (a, b) => {
        expect(compareU64(canonicalU64(a), canonicalU64(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});
