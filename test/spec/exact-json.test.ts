import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LATIN1_MARKER,
  SURROGATE_MARKER,
  chooseMarker,
  hasForgedMarker,
  hasUnicodeEscape,
  isMarker,
  quoteLongIntegers,
} from '../../spec/exact-json.js';

const M = String.fromCharCode(SURROGATE_MARKER);

describe('quoteLongIntegers', () => {
  it('quotes integer literals of 16+ digits outside strings only', () => {
    expect(quoteLongIntegers('{"a":12345678901234567,"b":"12345678901234567"}')).toBe(
      `{"a":"${M}12345678901234567","b":"12345678901234567"}`,
    );
    expect(quoteLongIntegers('[-12345678901234567, 123456789012345]')).toBe(
      `["${M}-12345678901234567", 123456789012345]`,
    );
    expect(quoteLongIntegers('{"k\\"12345678901234567":1}')).toBe('{"k\\"12345678901234567":1}');
    expect(quoteLongIntegers('["\\\\",12345678901234567]')).toBe(`["\\\\","${M}12345678901234567"]`);
  });

  it('leaves fractions, exponents and leading zeros for JSON.parse to judge', () => {
    for (const text of [
      '[1.2345678901234567]',
      '[12345678901234567.0]',
      '[1e12345678901234567]',
      '[01234567890123456]',
    ]) {
      expect(quoteLongIntegers(text)).toBe(text);
    }
  });

  it('parses to the same values, with markers exactly where long integers were', () => {
    const valueArb = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.stringMatching(/^[0-9"\\]{0,24}$/),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.stringMatching(/^[0-9a-z"\\]{0,20}$/), tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    /** JSON text with bigints written as plain digits. */
    const toText = (value: unknown): string =>
      JSON.stringify(value, (_k, x: unknown) => (typeof x === 'bigint' ? `\u0001${x}` : x)).replace(
        /"\\u0001(-?\d+)"/g,
        '$1',
      );
    const isLong = (x: bigint): boolean => (x < 0n ? -x : x).toString().length >= 16;
    /** What the parse of the quoted text must give: long integers as markers, other numbers as numbers. */
    const expected = (x: unknown): unknown => {
      if (typeof x === 'bigint') return isLong(x) ? `${M}${x}` : Number(x);
      if (typeof x === 'number') {
        // Doubles that print as 16+ digit integers are long integer literals too.
        const text = JSON.stringify(x);
        return /^-?[1-9]\d{15,}$/.test(text) ? `${M}${text}` : Object.is(x, -0) ? 0 : x;
      }
      if (Array.isArray(x)) return x.map(expected);
      if (typeof x === 'object' && x !== null) {
        return Object.fromEntries(Object.entries(x).map(([k, item]) => [k, expected(item)]));
      }
      return x;
    };
    const normalizeZero = (x: unknown): unknown => {
      if (typeof x === 'number') return Object.is(x, -0) ? 0 : x;
      if (Array.isArray(x)) return x.map(normalizeZero);
      if (typeof x === 'object' && x !== null) {
        return Object.fromEntries(Object.entries(x).map(([k, item]) => [k, normalizeZero(item)]));
      }
      return x;
    };
    fc.assert(
      fc.property(valueArb, (value) => {
        const parsed = JSON.parse(quoteLongIntegers(toText(value))) as unknown;
        expect(normalizeZero(parsed)).toEqual(expected(value));
      }),
      { numRuns: 300 },
    );
  });
});

describe('markers', () => {
  it('uses the one-byte marker only when no string can contain it', () => {
    expect(chooseMarker('{"a":"x"}', false)).toBe(LATIN1_MARKER);
    expect(chooseMarker('{"a":"x\u009f"}', false)).toBe(SURROGATE_MARKER);
    expect(chooseMarker('{"a":"\\u0041"}', true)).toBe(SURROGATE_MARKER);
    expect(hasUnicodeEscape('{"a":"\\u0041"}')).toBe(true);
    expect(hasUnicodeEscape('{"a":"\\\\"}')).toBe(false);
    const L = String.fromCharCode(LATIN1_MARKER);
    expect(quoteLongIntegers('[12345678901234567]', LATIN1_MARKER)).toBe(`["${L}12345678901234567"]`);
  });

  it('detects forged surrogate markers and recognises markers', () => {
    expect(hasForgedMarker('{"a":"\\uDFFF1"}')).toBe(true);
    expect(hasForgedMarker('{"a":"\\udfff1"}')).toBe(true);
    expect(hasForgedMarker('{"a":"x\\udfff1"}')).toBe(false);
    expect(isMarker(`${M}123`, SURROGATE_MARKER)).toBe(true);
    expect(isMarker(`${M}123`, 0)).toBe(false);
    expect(isMarker('123', SURROGATE_MARKER)).toBe(false);
  });
});
