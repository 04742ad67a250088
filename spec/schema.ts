/**
 * The small schema language payloads are described in (PROTOCOL.md section 4).
 *
 * Schemas are plain data: the codec's validation, the property tests' generators and the
 * protocol prose all read the same description instead of repeating it.
 */
import type { U64 } from './u64.js';

/** Scalar field types. `number` is any finite JSON number; `any` is any JSON value. */
export type ScalarType = 'u8' | 'u32' | 'u64' | 'number' | 'string' | 'bool' | 'any';

/** A field that may be `null` or absent on the wire; both decode to `null`. */
export interface NullableType {
  readonly kind: 'nullable';
  readonly of: FieldType;
}

/** A JSON array whose every element has type `of`. */
export interface ArrayType {
  readonly kind: 'array';
  readonly of: FieldType;
}

/** A string restricted to a fixed set of values; `name` names the enumeration (e.g. `room_type`). */
export interface EnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: readonly string[];
}

/** A nested JSON object with named fields (e.g. `UserInfo`). */
export interface ObjectType {
  readonly kind: 'object';
  readonly name: string;
  readonly fields: ObjectFields;
}

/** Any type a payload field can have. */
export type FieldType = ScalarType | NullableType | ArrayType | EnumType | ObjectType;

/** Field name -> type; key order is the order the encoder writes fields in. */
export type ObjectFields = { readonly [field: string]: FieldType };

/** Any JSON value, as decoded: integers beyond the safe range decode to bigint (exact). */
export type JsonValue =
  null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Marks a field as nullable (null or absent on the wire, `null` when decoded). */
export function nullable<const T extends FieldType>(of: T): { readonly kind: 'nullable'; readonly of: T } {
  return { kind: 'nullable', of };
}

/** An array of `of`. */
export function arrayOf<const T extends FieldType>(of: T): { readonly kind: 'array'; readonly of: T } {
  return { kind: 'array', of };
}

/** A named string enumeration. */
export function enumOf<const V extends readonly string[]>(
  name: string,
  values: V,
): { readonly kind: 'enum'; readonly name: string; readonly values: V } {
  return { kind: 'enum', name, values };
}

/** A named nested object. */
export function objectOf<const F extends ObjectFields>(
  name: string,
  fields: F,
): { readonly kind: 'object'; readonly name: string; readonly fields: F } {
  return { kind: 'object', name, fields };
}

/** The decoded TypeScript type of a field type (used to check messages.ts against the schema data). */
export type Infer<T> = T extends 'u8' | 'u32' | 'number'
  ? number
  : T extends 'u64'
    ? U64
    : T extends 'string'
      ? string
      : T extends 'bool'
        ? boolean
        : T extends 'any'
          ? JsonValue
          : T extends { readonly kind: 'nullable'; readonly of: infer O }
            ? Infer<O> | null
            : T extends { readonly kind: 'array'; readonly of: infer O }
              ? Infer<O>[]
              : T extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
                ? V
                : T extends { readonly kind: 'object'; readonly fields: infer F }
                  ? InferFields<F>
                  : never;

/** The decoded TypeScript type of an object's fields. */
export type InferFields<F> = { -readonly [K in keyof F]: Infer<F[K]> };
