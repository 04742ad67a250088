/**
 * Schema-driven JSON serialization of payloads (PROTOCOL.md 3).
 *
 * One serializer is compiled per object schema from the schema data. It writes exactly the
 * schema's fields in schema order (unknown fields are not written, absent nullable fields
 * are written as `null`), checks each value's type and range as it goes (throwing a
 * SchemaViolation with the field path), and writes u64 bigints as plain JSON digits, so no
 * second pass or replacer is needed for values above 2^53.
 */
import { MAX_JSON_DEPTH, isWellFormedString } from './exact-json.js';
import type { FieldType, ObjectType } from './schema.js';
import { SchemaViolation, describeValue, prefixPath } from './schema-violation.js';
import { U64_MAX } from './u64.js';

/** A compiled serializer for one field type: value -> JSON text. */
export type FieldEncoder = (value: unknown) => string;

function u8(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff) return '' + v;
  throw new SchemaViolation('u8', describeValue(v));
}

function u32(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff) return '' + v;
  throw new SchemaViolation('u32', describeValue(v));
}

function u64(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return '' + v;
  } else if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) {
    return v.toString();
  }
  throw new SchemaViolation('u64', describeValue(v));
}

function num(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return '' + v;
  throw new SchemaViolation('number', describeValue(v));
}

function str(v: unknown): string {
  if (typeof v === 'string' && isWellFormedString(v)) return JSON.stringify(v);
  throw new SchemaViolation(
    'string',
    typeof v === 'string' ? 'string with a lone surrogate' : describeValue(v),
  );
}

function bool(v: unknown): string {
  if (v === true) return 'true';
  if (v === false) return 'false';
  throw new SchemaViolation('bool', describeValue(v));
}

function anyValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      return num(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (depth >= MAX_JSON_DEPTH)
        throw new SchemaViolation(`JSON nested at most ${MAX_JSON_DEPTH} deep`, 'deeper');
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          try {
            out += (i === 0 ? '' : ',') + anyValue(v[i], depth + 1);
          } catch (error) {
            throw prefixPath(error, `[${i}]`);
          }
        }
        return out + ']';
      }
      let out = '{';
      const obj = v as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const item = obj[key];
        // Like JSON.stringify: properties holding undefined are left out.
        if (item === undefined) continue;
        if (!isWellFormedString(key)) throw new SchemaViolation('well-formed object key', 'lone surrogate');
        try {
          out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + anyValue(item, depth + 1);
        } catch (error) {
          throw prefixPath(error, key);
        }
      }
      return out + '}';
    }
    default:
      throw new SchemaViolation('JSON value', describeValue(v));
  }
}

function any(v: unknown): string {
  return v === undefined ? 'null' : anyValue(v, 0);
}

const SCALAR_ENCODERS: Record<string, FieldEncoder> = { u8, u32, u64, number: num, string: str, bool, any };

function enumEncoder(name: string, values: readonly string[]): FieldEncoder {
  const expected = `${name} (${values.map((value) => JSON.stringify(value)).join(' | ')})`;
  return (v) => {
    if (typeof v === 'string' && values.includes(v)) return JSON.stringify(v);
    throw new SchemaViolation(expected, describeValue(v));
  };
}

function nullableEncoder(inner: FieldEncoder): FieldEncoder {
  return (v) => (v === null || v === undefined ? 'null' : inner(v));
}

function arrayEncoder(inner: FieldEncoder): FieldEncoder {
  return (v) => {
    if (!Array.isArray(v)) throw new SchemaViolation('array', describeValue(v));
    if (v.length === 0) return '[]';
    let i = 0;
    try {
      let out = '[' + inner(v[0]);
      for (i = 1; i < v.length; i++) out += ',' + inner(v[i]);
      return out + ']';
    } catch (error) {
      throw prefixPath(error, `[${i}]`);
    }
  };
}

/**
 * Generates the serializer of one object type: the JSON text is concatenated from
 * constant `"name":` fragments and each field's serializer, reading fields by literal name.
 */
function objectEncoder(type: ObjectType): FieldEncoder {
  const names = Object.keys(type.fields);
  const fieldEncoders = names.map((name) => compileEncoder(type.fields[name]!));
  const lines: string[] = [];
  lines.push('return function encode(v) {');
  lines.push(
    "  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new V('object', describe(v));",
  );
  lines.push(`  let k = ${JSON.stringify(names[0] ?? '')};`);
  lines.push('  try {');
  if (names.length === 0) lines.push("    return '{}';");
  names.forEach((name, i) => {
    const key = JSON.stringify(name);
    const fragment = JSON.stringify((i === 0 ? '{' : ',') + key + ':');
    if (i === 0) {
      lines.push(`    let s = ${fragment} + E[0](v[${key}]);`);
    } else {
      lines.push(`    k = ${key};`);
      lines.push(`    s += ${fragment} + E[${i}](v[${key}]);`);
    }
  });
  if (names.length > 0) lines.push("    return s + '}';");
  lines.push('  } catch (error) {');
  lines.push('    throw prefix(error, k);');
  lines.push('  }');
  lines.push('};');
  const factory = new Function('E', 'V', 'describe', 'prefix', lines.join('\n')) as (
    encoders: FieldEncoder[],
    violation: typeof SchemaViolation,
    describe: typeof describeValue,
    prefix: typeof prefixPath,
  ) => FieldEncoder;
  return factory(fieldEncoders, SchemaViolation, describeValue, prefixPath);
}

const compiledObjects = new WeakMap<ObjectType, FieldEncoder>();

/** The serializer of a field type, compiled from the schema data (cached per object schema). */
export function compileEncoder(type: FieldType): FieldEncoder {
  if (typeof type === 'string') {
    const scalar = SCALAR_ENCODERS[type];
    if (scalar === undefined) throw new Error(`schema: unknown scalar type ${type}`);
    return scalar;
  }
  switch (type.kind) {
    case 'nullable':
      return nullableEncoder(compileEncoder(type.of));
    case 'array':
      return arrayEncoder(compileEncoder(type.of));
    case 'enum':
      return enumEncoder(type.name, type.values);
    case 'object': {
      let encoder = compiledObjects.get(type);
      if (encoder === undefined) {
        encoder = objectEncoder(type);
        compiledObjects.set(type, encoder);
      }
      return encoder;
    }
  }
}
