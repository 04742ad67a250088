/**
 * fast-check arbitraries generated from the schema data: a new frame type or field gets
 * coverage without touching the tests. Values are canonical (what the decoder produces),
 * so decode(encode(x)) must deep-equal x.
 */
import fc from 'fast-check';
import type { FieldType, JsonValue, ObjectType } from '../../spec/schema.js';
import { canonicalU64, U64_MAX, type U64 } from '../../spec/u64.js';

/** u64 values the codec must treat exactly: around 2^53 and at the ends of the range. */
export const U64_EDGES: readonly U64[] = [
  0,
  1,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MAX_SAFE_INTEGER, // 2^53 - 1
  2n ** 53n,
  2n ** 53n + 1n,
  10n ** 16n, // 17 digits
  2n ** 63n,
  U64_MAX - 1n,
  U64_MAX, // 2^64 - 1
];

/** Strings that stress the exact-integer path and escaping (digits inside strings, quotes, escapes). */
const TRICKY_STRINGS = [
  '',
  '12345678901234567890',
  '"18446744073709551615"',
  'x\\"12345678901234567890\\',
  '\\',
  '\u0000\u001f\n',
  '💬 astral 𝌆',
  '\uDBFF\uDFFF',
];

const u64Arb: fc.Arbitrary<U64> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...U64_EDGES) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: U64_MAX }).map(canonicalU64) },
  { weight: 3, arbitrary: fc.nat() },
);

/** Strings: full Unicode (astral planes included, never lone surrogates), empty and tricky ones. */
export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
);

// -0 encodes as 0; the canonical form is 0.
const numberArb = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));

/** JSON values in canonical decoded form: integers beyond +-2^53 only as bigint. */
const jsonValueArb: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    numberArb.filter((n) => !Number.isInteger(n) || Number.isSafeInteger(n)),
    fc.bigInt().filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)),
    stringArb,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(stringArb, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Options for payloadArbitrary. */
export interface ArbitraryOptions {
  /** Smallest array length (1 makes every nested field reachable). Default 0. */
  minArrayLength?: number;
  /** Largest array length. Default 4. */
  maxArrayLength?: number;
}

/** Arbitrary of canonical decoded values of a field type, derived from the schema. */
export function fieldArbitrary(type: FieldType, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  if (typeof type === 'string') {
    switch (type) {
      case 'u8':
        return fc.integer({ min: 0, max: 0xff });
      case 'u32':
        return fc.oneof(fc.constantFrom(0, 0xffff_ffff), fc.integer({ min: 0, max: 0xffff_ffff }));
      case 'u64':
        return u64Arb;
      case 'number':
        return numberArb;
      case 'string':
        return stringArb;
      case 'bool':
        return fc.boolean();
      case 'any':
        return jsonValueArb;
    }
  }
  switch (type.kind) {
    case 'nullable':
      return fc.option(fieldArbitrary(type.of, options), { nil: null });
    case 'array':
      return fc.array(fieldArbitrary(type.of, options), {
        minLength: options.minArrayLength ?? 0,
        maxLength: options.maxArrayLength ?? 4,
      });
    case 'enum':
      return fc.constantFrom(...type.values);
    case 'object':
      return objectArbitrary(type, options);
  }
}

/** Arbitrary of an object type: every schema field present (nullable ones sometimes null). */
export function objectArbitrary(
  type: ObjectType,
  options: ArbitraryOptions = {},
): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, fieldType] of Object.entries(type.fields))
    fields[name] = fieldArbitrary(fieldType, options);
  return fc.record(fields);
}
