import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, encodeFrame, FRAME_HEADER_BYTES } from '../../spec/codec.js';
import type { RoomMessage } from '../../spec/messages.js';
import { RoomMessageSchema } from '../../spec/payload-schemas.js';
import { MAX_PEEK_DEPTH, peekRoomMessage } from '../../spec/room-message-peek.js';
import { objectArbitrary, stringArb } from './payload-arbitraries.js';

const utf8 = new TextEncoder();
const messageArb = objectArbitrary(RoomMessageSchema) as unknown as fc.Arbitrary<RoomMessage>;

function fieldsOf(message: RoomMessage): Pick<RoomMessage, 'message_id' | 'room_id' | 'nonce'> {
  return { message_id: message.message_id, room_id: message.room_id, nonce: message.nonce };
}

/** A nonce the peek must read itself (printable ASCII, nothing the encoder escapes), or null. */
function isPlainNonce(nonce: string | null): boolean {
  return nonce === null || /^[\x20-\x7e]*$/.test(nonce.replace(/["\\]/g, '\u0000'));
}

/** JSON text of a decoded value, integers exact (bigints as plain digits). */
function jsonOf(value: unknown, ws: () => string): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${ws()}${value.map((v) => jsonOf(v, ws)).join(`${ws()},${ws()}`)}${ws()}]`;
  const members = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${ws()}${JSON.stringify(k)}${ws()}:${ws()}${jsonOf(v, ws)}${ws()}`,
  );
  return `{${members.join(',')}}`;
}

/** Text that looks like the wanted fields, for strings and unknown members. */
const ADVERSARIAL = [
  '"message_id":1,',
  '{"message_id": 7, "room_id": 8, "nonce": "fake"}',
  '}, "room_id": 99, {',
  '\\"nonce\\":\\"x\\"',
  '[[{"nonce":null}]]',
  '"',
  '\\',
  '{{{{',
];

const adversarialValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...ADVERSARIAL),
  stringArb,
  fc
    .constantFrom(...ADVERSARIAL)
    .map((s) => ({ message_id: s, room_id: [s, 1.5e-3, -0, true], nonce: { nonce: s } })),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
);

/** The fast path's reading: ids and nonce at the edges of the frame table's member order, or undefined. */
function canonicalEdges(
  text: string,
): { message_id: number; room_id: number; nonce: string | null } | undefined {
  const match =
    /^\{"message_id":(0|[1-9]\d{0,14}),"room_id":(0|[1-9]\d{0,14})(?:,.*)?,"nonce":(null|"[\x20\x21\x23-\x5b\x5d-\x7e]*")\}$/s.exec(
      text,
    );
  if (!match) return undefined;
  return {
    message_id: Number(match[1]),
    room_id: Number(match[2]),
    nonce: match[3] === 'null' ? null : (match[3] as string).slice(1, -1),
  };
}

describe('peekRoomMessage', () => {
  it('reads the edges of the frame table layout without scanning the middle (fast path)', () => {
    // What the fast path cannot see is confined to the middle: garbage there, or a duplicated key there.
    const cases: Array<[string, unknown]> = [
      ['{"message_id":1,"room_id":2,"nonce":"x"}', { message_id: 1, room_id: 2, nonce: 'x' }],
      ['{"message_id":1,"room_id":2,"content":"a","nonce":null}', { message_id: 1, room_id: 2, nonce: null }],
      ['{"message_id":1,"room_id":2,not json at all,"nonce":"n"}', { message_id: 1, room_id: 2, nonce: 'n' }],
      ['{"message_id":1,"room_id":2,"message_id":3,"nonce":"n"}', { message_id: 1, room_id: 2, nonce: 'n' }],
    ];
    for (const [text, expected] of cases) {
      expect(peekRoomMessage(utf8.encode(text)), text).toEqual(expected);
      expect(canonicalEdges(text), text).toEqual(expected);
    }
    // Anything off the layout goes to the full scan, which refuses these.
    for (const text of [
      '{"message_id":1,"room_id":2,not json}',
      '{"message_id":1,"room_id":2,not json,"nonce":"a\\"b"}',
      '{"message_id":1,"room_id":2,not json,"nonce":"é"}',
      '{"message_id":1,"room_id":2,not json,"nonce":"x"} ',
      '{"message_id":01,"room_id":2,"nonce":null}',
      '{"message_id":1234567890123456,"room_id":2,not json,"nonce":null}',
      '{"message_id":1,"room_id":2,not json,"nonce":nul}',
    ]) {
      expect(peekRoomMessage(utf8.encode(text)), text).toBeUndefined();
    }
  });

  it('reads the ids and nonce of any encoded RoomMessage as the full decode does', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const payload = encodeFrame('RoomMessage', message).subarray(FRAME_HEADER_BYTES);
        const peeked = peekRoomMessage(payload);
        const decoded = decodePayload('RoomMessage', payload);
        if (isPlainNonce(message.nonce)) expect(peeked).toEqual(fieldsOf(decoded));
        else if (peeked !== undefined) expect(peeked).toEqual(fieldsOf(decoded));
      }),
      { numRuns: 500 },
    );
  });

  it('is exact above 2^53 and at the ends of the u64 range', () => {
    for (const id of [2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, Number.MAX_SAFE_INTEGER, 0]) {
      const text = `{"message_id":${id},"room_id":${id},"nonce":null,"sender":{"user_id":${2n ** 64n - 1n}}}`;
      expect(peekRoomMessage(utf8.encode(text))).toEqual({ message_id: id, room_id: id, nonce: null });
    }
  });

  it('ignores key order, whitespace, unknown members and look-alike text in strings and nested values', () => {
    const wsArb = fc.array(fc.constantFrom('', ' ', '\n', '\t', '\r\n  '), { minLength: 64, maxLength: 64 });
    const extraArb = fc.dictionary(
      fc.oneof(fc.constantFrom(...ADVERSARIAL), fc.string({ maxLength: 6 })),
      adversarialValueArb,
      { maxKeys: 3 },
    );
    const contentArb = fc.oneof(stringArb, fc.constantFrom(...ADVERSARIAL));
    fc.assert(
      fc.property(
        messageArb,
        contentArb,
        extraArb,
        wsArb,
        fc.infiniteStream(fc.nat()),
        (base, content, extra, spaces, order) => {
          const message = { ...base, content };
          const wanted = new Set(['message_id', 'room_id', 'nonce', ...Object.keys(message)]);
          const members = [
            ...Object.entries(message),
            ...Object.entries(extra).filter(([key]) => !wanted.has(key)),
          ];
          // Shuffle the members.
          const it = order[Symbol.iterator]();
          for (let i = members.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [members[i], members[j]] = [members[j]!, members[i]!];
          }
          let w = 0;
          const ws = (): string => spaces[w++ % spaces.length]!;
          const text = `${ws()}${jsonOf(Object.fromEntries(members), ws)}${ws()}`;
          const payload = utf8.encode(text);
          const decoded = decodePayload('RoomMessage', payload);
          const peeked = peekRoomMessage(payload);
          if (isPlainNonce(message.nonce)) expect(peeked).toEqual(fieldsOf(decoded));
          else if (peeked !== undefined) expect(peeked).toEqual(fieldsOf(decoded));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads top-level members only, whatever strings and nested objects contain', () => {
    const text =
      '{"content":"\\"message_id\\":1, } {\\"room_id\\":2}","sender":{"user_id":3,"message_id":4,"room_id":5,' +
      '"nonce":"inner"},"attachments":["\\"nonce\\":\\"a\\"","}"],"message_id":10,"timestamp":1,"reply_to":null,' +
      '"room_id":20,"nonce":"outer"}';
    expect(peekRoomMessage(utf8.encode(text))).toEqual({ message_id: 10, room_id: 20, nonce: 'outer' });
  });

  it('unescapes keys: an escaped wanted key counts, an escaped look-alike does not', () => {
    const text = '{"message\\u005fid":1,"room_\\"id":3,"\\u0072oom_id":2,"nonce\\n":"x","non\\u0063e":"y"}';
    expect(peekRoomMessage(utf8.encode(text))).toEqual({ message_id: 1, room_id: 2, nonce: 'y' });
  });

  it('treats an absent nonce as null, like the full decode', () => {
    const text = '{"message_id":1,"room_id":2}';
    expect(peekRoomMessage(utf8.encode(text))).toEqual({ message_id: 1, room_id: 2, nonce: null });
  });

  it.each([
    ['an escaped nonce', '{"message_id":1,"room_id":2,"nonce":"a\\nb"}'],
    ['a non-ASCII nonce', '{"message_id":1,"room_id":2,"nonce":"é"}'],
    ['a duplicated message_id', '{"message_id":1,"room_id":2,"message_id":3}'],
    ['a duplicated nonce', '{"room_id":2,"message_id":1,"nonce":null,"nonce":"x"}'],
    ['a negative id', '{"message_id":-1,"room_id":2}'],
    ['a fractional id', '{"message_id":1.0,"room_id":2}'],
    ['an exponent id', '{"message_id":1e3,"room_id":2}'],
    ['a leading zero', '{"message_id":01,"room_id":2}'],
    ['an id above 2^64-1', '{"message_id":18446744073709551616,"room_id":2}'],
    ['a 21-digit id', '{"message_id":100000000000000000000,"room_id":2}'],
    ['a string id', '{"message_id":"1","room_id":2}'],
    ['a numeric nonce', '{"message_id":1,"room_id":2,"nonce":5}'],
    ['a missing room_id', '{"message_id":1,"nonce":null}'],
    ['an empty object', '{}'],
    ['an array', '[{"message_id":1,"room_id":2}]'],
    ['trailing bytes', '{"message_id":1,"room_id":2} x'],
    ['a trailing comma', '{"message_id":1,"room_id":2,}'],
    ['a bad escape in a skipped string', '{"message_id":1,"room_id":2,"content":"\\x"}'],
    ['a bad \\u escape', '{"message_id":1,"room_id":2,"content":"\\u12g4"}'],
    ['a bad literal', '{"message_id":1,"room_id":2,"reply_to":nul}'],
    ['a bad number', '{"message_id":1,"room_id":2,"timestamp":-}'],
    ['an unclosed nested object', '{"message_id":1,"room_id":2,"sender":{"user_id":1}'],
    ['a missing colon', '{"message_id" 1,"room_id":2}'],
    [
      'too deep nesting',
      `{"message_id":1,"room_id":2,"x":${'['.repeat(MAX_PEEK_DEPTH)}${']'.repeat(MAX_PEEK_DEPTH)}}`,
    ],
  ])('gives up on %s', (_what, text) => {
    expect(peekRoomMessage(utf8.encode(text))).toBeUndefined();
  });

  it('accepts nesting up to MAX_PEEK_DEPTH', () => {
    const depth = MAX_PEEK_DEPTH - 1; // inside the top-level object
    const text = `{"x":${'['.repeat(depth)}${']'.repeat(depth)},"message_id":1,"room_id":2}`;
    expect(peekRoomMessage(utf8.encode(text))).toEqual({ message_id: 1, room_id: 2, nonce: null });
  });

  it('gives undefined for every truncation of a payload', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(), (message, cut) => {
        const payload = encodeFrame('RoomMessage', message).subarray(FRAME_HEADER_BYTES);
        expect(peekRoomMessage(payload.subarray(0, cut % payload.length))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on garbage, and never disagrees with JSON syntax or the full decode on mutated payloads', () => {
    const lenient = new TextDecoder();
    fc.assert(
      fc.property(
        messageArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x20, max: 0x7e })), { minLength: 1, maxLength: 3 }),
        (message, edits) => {
          const payload = encodeFrame('RoomMessage', message).slice(FRAME_HEADER_BYTES);
          for (const [at, byte] of edits) payload[at % payload.length] = byte;
          const peeked = peekRoomMessage(payload);
          let syntaxOk = true;
          try {
            JSON.parse(lenient.decode(payload));
          } catch {
            syntaxOk = false;
          }
          // Invalid JSON is refused, unless the error sits in the middle of the frame table's layout, which
          // the fast path does not read: then the answer is what the edges say.
          if (!syntaxOk && peeked !== undefined)
            expect(peeked).toEqual(canonicalEdges(lenient.decode(payload)));
          let decoded: RoomMessage | undefined;
          try {
            decoded = decodePayload('RoomMessage', payload);
          } catch {
            decoded = undefined;
          }
          if (peeked !== undefined && decoded !== undefined) expect(peeked).toEqual(fieldsOf(decoded));
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(() => peekRoomMessage(bytes)).not.toThrow();
      }),
    );
  });

  it('reads a payload given as a range of a larger buffer exactly as the same bytes alone', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          messageArb.map((m) => encodeFrame('RoomMessage', m).subarray(FRAME_HEADER_BYTES)),
          fc.uint8Array({ maxLength: 80 }),
        ),
        fc.uint8Array({ maxLength: 16 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.boolean(),
        (payload, before, after, asBuffer) => {
          const whole = new Uint8Array(before.length + payload.length + after.length);
          whole.set(before);
          whole.set(payload, before.length);
          whole.set(after, before.length + payload.length);
          const source = asBuffer ? Buffer.from(whole) : whole;
          const alone = peekRoomMessage(Uint8Array.from(payload));
          expect(peekRoomMessage(source, before.length, before.length + payload.length)).toEqual(alone);
        },
      ),
      { numRuns: 500 },
    );
    expect(peekRoomMessage(utf8.encode('{"message_id":1,"room_id":2,"nonce":null}'), 5, 3)).toBeUndefined();
    expect(peekRoomMessage(utf8.encode('{}'), 0, 9)).toBeUndefined();
  });

  it('reads a payload that is a plain Uint8Array view into a larger buffer', () => {
    const backing = new Uint8Array(64).fill(0x20);
    const text = utf8.encode('{"message_id":5,"room_id":6,"nonce":"n"}');
    backing.set(text, 10);
    expect(peekRoomMessage(backing.subarray(10, 10 + text.length))).toEqual({
      message_id: 5,
      room_id: 6,
      nonce: 'n',
    });
  });
});
