import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, validatePayload } from '../../spec/codec.js';
import { EXAMPLE_PAYLOADS } from '../../spec/examples.js';
import { FrameError } from '../../spec/frame-errors.js';
import { FRAME_TABLE } from '../../spec/frame-table.js';
import type { FieldType, ObjectType } from '../../spec/schema.js';
import { objectArbitrary } from './payload-arbitraries.js';

/** A field reachable in a payload: its path segments (names and array indexes) and type. */
interface FieldPath {
  segments: (string | number)[];
  type: FieldType;
}

/** Every field path of an object schema; array elements appear as index 0. */
function fieldPaths(type: ObjectType, prefix: (string | number)[] = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [name, fieldType] of Object.entries(type.fields)) collect([...prefix, name], fieldType, out);
  return out;
}

function collect(segments: (string | number)[], type: FieldType, out: FieldPath[]): void {
  out.push({ segments, type });
  if (typeof type === 'string') return;
  if (type.kind === 'nullable') {
    // Fields inside a nullable object (hot_room_config) are reached when it is present.
    if (typeof type.of !== 'string' && type.of.kind === 'object') out.push(...fieldPaths(type.of, segments));
  } else if (type.kind === 'array') {
    collect([...segments, 0], type.of, out);
  } else if (type.kind === 'object') {
    out.push(...fieldPaths(type, segments));
  }
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Display name of a type in error messages (what follows "expected "). */
function expectedName(type: FieldType): string {
  if (typeof type === 'string') return type;
  if (type.kind === 'nullable') return expectedName(type.of);
  if (type.kind === 'enum') return `${type.name} (${type.values.map((v) => JSON.stringify(v)).join(' | ')})`;
  return type.kind;
}

/** A value of the wrong JSON type for `type` (never null, which nullable fields accept). */
function wrongValue(type: FieldType): unknown {
  if (typeof type === 'string') {
    if (type === 'string') return 5;
    if (type === 'bool') return 'yes';
    return 'x';
  }
  switch (type.kind) {
    case 'nullable':
      return wrongValue(type.of);
    case 'enum':
      return 'not-a-member';
    case 'array':
      return { length: 0 };
    case 'object':
      return [];
  }
}

/** Deep copy that, unlike structuredClone, does not preserve shared references. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clone(item)])) as T;
  }
  return value;
}

function parentOf(
  root: Record<string, unknown>,
  segments: readonly (string | number)[],
): Record<string, unknown> {
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) node = (node as Record<string | number, unknown>)[segment];
  return node as Record<string, unknown>;
}

/** JSON text that keeps bigints exact (written as digits). */
function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `\u0001big${item}` : item,
  ).replace(/"\\u0001big(\d+)"/g, '$1');
}

function rejection(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** A valid payload where every array has an element and every nullable object is present. */
function fullPayload(type: ObjectType, seed: number): Record<string, unknown> {
  const [payload] = fc.sample(objectArbitrary(type, { minArrayLength: 1, maxArrayLength: 2 }), {
    numRuns: 1,
    seed,
  });
  const filled = payload!;
  for (const [name, fieldType] of Object.entries(type.fields)) {
    if (typeof fieldType !== 'string' && fieldType.kind === 'nullable' && typeof fieldType.of !== 'string') {
      if (fieldType.of.kind === 'object' && filled[name] === null)
        filled[name] = fullPayload(fieldType.of, seed + 1);
    }
  }
  return filled;
}

describe('schema validation', () => {
  for (const spec of FRAME_TABLE) {
    const paths = fieldPaths(spec.schema);

    it(`${spec.name}: rejects a wrong type at every field path, naming it`, () => {
      // Every path, each in two different valid payloads (fixed seeds): deterministic and exhaustive.
      for (const path of paths) {
        if (path.type === 'any') continue;
        for (const seed of [1, 2]) {
          const payload = clone(fullPayload(spec.schema, seed));
          const where = formatPath(path.segments);
          parentOf(payload, path.segments)[path.segments.at(-1)!] = wrongValue(path.type);
          const expected = `${spec.name}.${where}: expected ${expectedName(path.type)}`;
          for (const error of [
            rejection(() => decodePayload(spec.name, toJsonText(payload))),
            rejection(() => validatePayload(spec.name, payload)),
          ]) {
            expect(error.kind, `${where} (seed ${seed})`).toBe('invalid-payload');
            expect(error.field, `${where} (seed ${seed})`).toBe(where);
            expect(error.message.startsWith(expected), `${error.message} starts with ${expected}`).toBe(true);
          }
        }
      }
    });

    it(`${spec.name}: rejects a missing required field and accepts a missing nullable one as null`, () => {
      const payload = fullPayload(spec.schema, 1);
      for (const path of paths) {
        const nullable = typeof path.type !== 'string' && path.type.kind === 'nullable';
        const mutated = clone(payload);
        const parent = parentOf(mutated, path.segments);
        const key = path.segments.at(-1)!;
        if (typeof key === 'number') continue; // array elements are not optional fields
        delete parent[key];
        const text = toJsonText(mutated);
        if (nullable || path.type === 'any') {
          parent[key] = null;
          expect(decodePayload(spec.name, text)).toEqual(mutated);
        } else {
          const error = rejection(() => decodePayload(spec.name, text));
          expect(error.field).toBe(formatPath(path.segments));
          expect(error.message).toBe(
            `${spec.name}.${formatPath(path.segments)}: missing required field (expected ${expectedName(path.type)})`,
          );
        }
      }
    });
  }

  it('range-checks u8, u32 and u64', () => {
    const cases: [string, string, string][] = [
      [
        'RoomPromoted',
        '{"room_id":1,"from_shard":256}',
        'RoomPromoted.from_shard: expected u8, got number 256',
      ],
      [
        'RoomPromoted',
        '{"room_id":1,"from_shard":-1}',
        'RoomPromoted.from_shard: expected u8, got number -1',
      ],
      [
        'AuthFailed',
        '{"code":4294967296,"message":""}',
        'AuthFailed.code: expected u32, got number 4294967296',
      ],
      ['AuthFailed', '{"code":1.5,"message":""}', 'AuthFailed.code: expected u32, got number 1.5'],
      ['Ping', '{"timestamp":-1}', 'Ping.timestamp: expected u64, got number -1'],
      ['Ping', '{"timestamp":2.5}', 'Ping.timestamp: expected u64, got number 2.5'],
      [
        'Ping',
        '{"timestamp":18446744073709551616}',
        'Ping.timestamp: expected u64, got number 18446744073709551616',
      ],
      [
        'Ping',
        '{"timestamp":-9007199254740993}',
        'Ping.timestamp: expected u64, got number -9007199254740993',
      ],
      ['Ping', '{"timestamp":1e20}', 'Ping.timestamp: expected u64, got number 100000000000000000000'],
      ['Ping', '{"timestamp":null}', 'Ping.timestamp: expected u64, got null'],
      ['Ping', '{"timestamp":"12345678901234567890"}', 'Ping.timestamp: expected u64, got string'],
    ];
    for (const [name, text, message] of cases) {
      expect(rejection(() => decodePayload(name as 'Ping', text)).message).toBe(message);
    }
    expect(decodePayload('RoomPromoted', '{"room_id":18446744073709551615,"from_shard":255}')).toEqual({
      room_id: 18446744073709551615n,
      from_shard: 255,
    });
  });

  it('rejects long integer literals where strings, bools and enums belong', () => {
    const text = '{"room_id":1,"content":12345678901234567890,"nonce":"n","reply_to":null,"attachments":[]}';
    expect(rejection(() => decodePayload('SendMessage', text)).message).toBe(
      'SendMessage.content: expected string, got number 12345678901234567890',
    );
  });

  it('reports paths inside arrays of objects', () => {
    const init = clone(EXAMPLE_PAYLOADS.RoomInit) as unknown as {
      recent_messages: { sender: { username: unknown } }[];
    };
    init.recent_messages[0]!.sender.username = null;
    expect(rejection(() => validatePayload('RoomInit', init)).message).toBe(
      'RoomInit.recent_messages[0].sender.username: expected string, got null',
    );
  });

  it('rejects non-finite numbers and overly deep any values', () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    // Refused by the depth scan before JSON.parse (PROTOCOL.md 17/json-depth).
    const error = rejection(() => decodePayload('ServerCommand', `{"command":"x","params":${deep}}`));
    expect(error.kind).toBe('invalid-json');
    expect(error.message).toMatch(/nested deeper than 128/);
    let value: unknown = [];
    for (let i = 0; i < 200; i++) value = [value];
    const built = rejection(() => validatePayload('ServerCommand', { command: 'x', params: value as never }));
    expect(built.kind).toBe('invalid-payload');
    expect(built.field?.startsWith('params[0][0]')).toBe(true);
    expect(rejection(() => validatePayload('ServerCommand', { command: 'x', params: Infinity })).field).toBe(
      'params',
    );
  });
});

describe('examples', () => {
  it('every example payload is valid and already canonical', () => {
    for (const spec of FRAME_TABLE) {
      const example = EXAMPLE_PAYLOADS[spec.name];
      expect(validatePayload(spec.name, example)).toEqual(example);
    }
  });

  it('every schema field appears in the examples (arrays non-empty, nullable objects present)', () => {
    for (const spec of FRAME_TABLE) {
      const example = EXAMPLE_PAYLOADS[spec.name] as unknown as Record<string, unknown>;
      for (const path of fieldPaths(spec.schema)) {
        const parent = parentOf(example, path.segments) as Record<string | number, unknown> | undefined;
        const key = path.segments.at(-1)!;
        expect(parent, `${spec.name}.${formatPath(path.segments)}`).toBeTypeOf('object');
        expect(parent![key], `${spec.name}.${formatPath(path.segments)}`).not.toBeUndefined();
      }
    }
  });
});
