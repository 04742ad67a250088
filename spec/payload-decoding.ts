/**
 * Schema-driven payload decoding (PROTOCOL.md 3): turns the value JSON.parse produced into
 * the typed, canonical payload, or throws a SchemaViolation naming the field path.
 *
 * A decoder is compiled once per object schema from the schema data: field reads and the
 * output object literal are generated code, so V8 sees fixed property names and one object
 * shape per type. Only fields in the schema are copied: unknown fields are dropped.
 * Nullable fields decode `null` and absent alike to `null`. u64 fields decode to canonical
 * form (number up to 2^53-1, bigint above). `marker` is the code unit that starts marker
 * strings standing for long integer literals (exact-json.ts), or 0 when the text had none.
 */
import { MAX_JSON_DEPTH } from './exact-json.js';
import type { FieldType, JsonValue, ObjectType } from './schema.js';
import { SchemaViolation, describeValue, prefixPath } from './schema-violation.js';
import { u64FromDigits, type U64 } from './u64.js';

/** A compiled decoder for one field type; `marker` is the marker code unit, 0 for none. */
export type FieldDecoder = (value: unknown, marker: number) => unknown;

function u8(v: unknown, marker: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff) return v;
  throw new SchemaViolation('u8', describeValue(v, marker));
}

function u32(v: unknown, marker: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff) return v;
  throw new SchemaViolation('u32', describeValue(v, marker));
}

function u64(v: unknown, marker: number): U64 {
  // Numbers from plain JSON.parse are exact only up to 2^53-1; anything larger arrived as a
  // marker (16+ digit literal) or was written with a fraction/exponent and is not exact.
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
  } else if (marker !== 0 && typeof v === 'string' && v.charCodeAt(0) === marker) {
    const exact = u64FromDigits(v.slice(1));
    if (exact !== undefined) return exact;
  }
  throw new SchemaViolation('u64', describeValue(v, marker));
}

function num(v: unknown, marker: number): number {
  // JSON.parse turns out-of-range literals (1e400) into Infinity; the original rejects them.
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (marker !== 0 && typeof v === 'string' && v.charCodeAt(0) === marker) return Number(v.slice(1));
  throw new SchemaViolation('number', describeValue(v, marker));
}

function str(v: unknown, marker: number): string {
  if (typeof v === 'string' && (marker === 0 || v.charCodeAt(0) !== marker)) return v;
  throw new SchemaViolation('string', describeValue(v, marker));
}

function bool(v: unknown, marker: number): boolean {
  if (typeof v === 'boolean') return v;
  throw new SchemaViolation('bool', describeValue(v, marker));
}

/** Any JSON value: markers become exact numbers (bigint beyond the safe range); depth is bounded. */
function anyValue(v: unknown, marker: number, depth: number): JsonValue {
  if (v === undefined) return null;
  if (typeof v !== 'object' || v === null) {
    if (marker !== 0 && typeof v === 'string' && v.charCodeAt(0) === marker) {
      const digits = v.slice(1);
      const big = BigInt(digits);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new SchemaViolation('finite number', describeValue(v, marker));
    return v as JsonValue;
  }
  if (depth >= MAX_JSON_DEPTH)
    throw new SchemaViolation(`JSON nested at most ${MAX_JSON_DEPTH} deep`, 'deeper');
  if (Array.isArray(v)) {
    let i = 0;
    try {
      for (; i < v.length; i++) v[i] = anyValue(v[i], marker, depth + 1);
    } catch (error) {
      throw prefixPath(error, `[${i}]`);
    }
    return v as JsonValue[];
  }
  const obj = v as Record<string, unknown>;
  let at = '';
  try {
    for (const key in obj) {
      at = key;
      const item = obj[key];
      const decoded = anyValue(item, marker, depth + 1);
      // Only converted markers change identity; defineProperty keeps a "__proto__" key an own property.
      if (decoded !== item)
        Object.defineProperty(obj, key, {
          value: decoded,
          writable: true,
          enumerable: true,
          configurable: true,
        });
    }
  } catch (error) {
    throw prefixPath(error, at);
  }
  return obj as JsonValue;
}

function any(v: unknown, marker: number): JsonValue {
  return anyValue(v, marker, 0);
}

const SCALAR_DECODERS: Record<string, FieldDecoder> = { u8, u32, u64, number: num, string: str, bool, any };

function enumDecoder(name: string, values: readonly string[]): FieldDecoder {
  const expected = `${name} (${values.map((value) => JSON.stringify(value)).join(' | ')})`;
  return (v, marker) => {
    if (typeof v === 'string' && values.includes(v)) return v;
    throw new SchemaViolation(expected, describeValue(v, marker));
  };
}

function nullableDecoder(inner: FieldDecoder): FieldDecoder {
  return (v, marker) => (v === null || v === undefined ? null : inner(v, marker));
}

function arrayDecoder(inner: FieldDecoder): FieldDecoder {
  return (v, marker) => {
    if (!Array.isArray(v)) throw new SchemaViolation('array', describeValue(v, marker));
    const out = new Array<unknown>(v.length);
    let i = 0;
    try {
      for (; i < v.length; i++) out[i] = inner(v[i], marker);
    } catch (error) {
      throw prefixPath(error, `[${i}]`);
    }
    return out;
  };
}

/**
 * Generates the decoder of one object type. The generated function reads each field by
 * its literal name, decodes it with the field's decoder, tracks the current field name for
 * error paths, and returns a fresh object literal holding only the schema's fields.
 */
function objectDecoder(type: ObjectType): FieldDecoder {
  const names = Object.keys(type.fields);
  const fieldDecoders = names.map((name) => compileDecoder(type.fields[name]!));
  const lines: string[] = [];
  lines.push('return function decode(v, marker) {');
  lines.push(
    "  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new V('object', describe(v, marker));",
  );
  lines.push(`  let k = ${JSON.stringify(names[0] ?? '')};`);
  lines.push('  try {');
  names.forEach((name, i) => {
    const key = JSON.stringify(name);
    if (i > 0) lines.push(`    k = ${key};`);
    lines.push(`    const f${i} = D[${i}](v[${key}], marker);`);
  });
  lines.push(`    return { ${names.map((name, i) => `${JSON.stringify(name)}: f${i}`).join(', ')} };`);
  lines.push('  } catch (error) {');
  lines.push('    throw prefix(error, k);');
  lines.push('  }');
  lines.push('};');
  const factory = new Function('D', 'V', 'describe', 'prefix', lines.join('\n')) as (
    decoders: FieldDecoder[],
    violation: typeof SchemaViolation,
    describe: typeof describeValue,
    prefix: typeof prefixPath,
  ) => FieldDecoder;
  return factory(fieldDecoders, SchemaViolation, describeValue, prefixPath);
}

const compiledObjects = new WeakMap<ObjectType, FieldDecoder>();

/** The decoder of a field type, compiled from the schema data (object decoders are cached per schema object). */
export function compileDecoder(type: FieldType): FieldDecoder {
  if (typeof type === 'string') {
    const scalar = SCALAR_DECODERS[type];
    if (scalar === undefined) throw new Error(`schema: unknown scalar type ${type}`);
    return scalar;
  }
  switch (type.kind) {
    case 'nullable':
      return nullableDecoder(compileDecoder(type.of));
    case 'array':
      return arrayDecoder(compileDecoder(type.of));
    case 'enum':
      return enumDecoder(type.name, type.values);
    case 'object': {
      let decoder = compiledObjects.get(type);
      if (decoder === undefined) {
        decoder = objectDecoder(type);
        compiledObjects.set(type, decoder);
      }
      return decoder;
    }
  }
}
