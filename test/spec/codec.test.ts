import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  MAX_PAYLOAD_BYTES,
  MAX_UPLOAD_CHUNK_BYTES,
  RawFrame,
  decodeDatagram,
  decodeFrames,
  decodePayload,
  encodeDatagram,
  encodeFrame,
  encodePayload,
  encodeUploadChunk,
  validatePayload,
} from '../../spec/codec.js';
import { EXAMPLE_PAYLOADS } from '../../spec/examples.js';
import { FrameError, FramingError, PayloadError, type FrameErrorKind } from '../../spec/frame-errors.js';
import { FRAME_TABLE, type FrameCode, type FrameName } from '../../spec/frame-table.js';
import type { Frame, FramePayloads } from '../../spec/messages.js';
import { objectArbitrary } from './payload-arbitraries.js';

const utf8 = new TextEncoder();

/** A raw frame with an arbitrary payload text (bypasses the encoder's checks). */
function rawFrame(code: number, payload: string | Uint8Array, declaredLength?: number): Uint8Array {
  const body = typeof payload === 'string' ? utf8.encode(payload) : payload;
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  out[0] = code;
  new DataView(out.buffer).setUint32(1, declaredLength ?? body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits bytes at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  return chunks;
}

/** Feeds chunks to a decoder and collects every frame and error in order. */
function feed(decoder: FrameDecoder, chunks: readonly Uint8Array[]): (Frame | FrameError)[] {
  const out: (Frame | FrameError)[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (;;) {
      let frame: Frame | undefined;
      try {
        frame = decoder.next();
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        out.push(error);
        if (error.framingIntact) continue;
        return out;
      }
      if (frame === undefined) break;
      out.push(frame);
    }
  }
  return out;
}

function caught(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw new Error(`expected a FrameError, got ${String(error)}`);
  }
  throw new Error('expected a FrameError, nothing was thrown');
}

const frameNames = FRAME_TABLE.map((spec) => spec.name);

/** A generated frame: name, canonical payload, and data for UploadChunk. */
interface FrameSample {
  name: FrameName;
  payload: Record<string, unknown>;
  data?: Uint8Array;
}

/** Any frame (name + canonical payload), UploadChunk with matching data. */
const anyFrameArb: fc.Arbitrary<FrameSample> = fc
  .constantFrom(...frameNames)
  .chain((name): fc.Arbitrary<FrameSample> => {
    const spec = FRAME_TABLE.find((row) => row.name === name)!;
    if (name === 'UploadChunk') {
      return fc
        .tuple(objectArbitrary(spec.schema), fc.uint8Array({ maxLength: 64 }))
        .map(([payload, data]) => ({ name, payload: { ...payload, size: data.length }, data }));
    }
    return objectArbitrary(spec.schema).map((payload) => ({ name, payload }));
  });

function encodeAny(frame: {
  name: FrameName;
  payload: Record<string, unknown>;
  data?: Uint8Array;
}): Uint8Array {
  if (frame.data !== undefined) {
    const { upload_id, offset } = frame.payload as { upload_id: bigint | number; offset: bigint | number };
    return encodeUploadChunk({ upload_id, offset }, frame.data);
  }
  return encodeFrame(frame.name, frame.payload as never);
}

describe('round trip', () => {
  for (const spec of FRAME_TABLE) {
    it(`${spec.name}: decode(encode(x)) deep-equals x`, () => {
      fc.assert(
        fc.property(objectArbitrary(spec.schema), (payload) => {
          if (spec.name === 'UploadChunk') {
            const data = new Uint8Array((payload.size as number) % 97).fill(7);
            const meta = { upload_id: payload.upload_id as number, offset: payload.offset as number };
            const [frame] = decodeFrames(encodeUploadChunk(meta, data));
            expect(frame).toEqual({
              code: spec.code,
              name: spec.name,
              payload: { ...payload, size: data.length },
              data,
            });
            return;
          }
          const bytes = encodeFrame(spec.name, payload as never);
          expect(bytes[0]).toBe(spec.code);
          const frames = decodeFrames(bytes);
          expect(frames).toEqual([{ code: spec.code, name: spec.name, payload }]);
          // The JSON text alone decodes the same way.
          expect(decodePayload(spec.name, encodePayload(spec.name, payload as never))).toEqual(payload);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('accepts payloads typed generically by frame name (compile-time check) and by code', () => {
    const encodeTyped = <N extends 'Ping' | 'Pong'>(name: N, payload: FramePayloads[N]): Uint8Array =>
      encodeFrame(name, payload);
    expect(decodeFrames(encodeTyped('Pong', { timestamp: 3 }))).toEqual([
      { code: 0x06, name: 'Pong', payload: { timestamp: 3 } },
    ]);
    const decoded = decodePayload(0x05, '{"timestamp":4}');
    expect(decoded.timestamp).toBe(4);
  });

  it('decodes frames given by code the same as by name', () => {
    const byCode = encodeFrame(0x30, EXAMPLE_PAYLOADS.RoomMessage);
    expect(byCode).toEqual(encodeFrame('RoomMessage', EXAMPLE_PAYLOADS.RoomMessage));
  });

  it('drops unknown fields and decodes absent nullable fields to null', () => {
    const text = '{"room_id":5,"extra":{"deep":[1,2,3]},"zzz":"x"}';
    expect(decodePayload('Typing', text)).toEqual({ room_id: 5, user_id: null });
    expect(Object.keys(decodePayload('Typing', text))).toEqual(['room_id', 'user_id']);
  });

  it('ignores unknown fields added to any generated payload', () => {
    fc.assert(
      fc.property(
        anyFrameArb.filter((frame) => frame.data === undefined),
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).map((key) => `x_${key}`),
          fc.jsonValue(),
          {
            maxKeys: 3,
          },
        ),
        (frame, extra) => {
          const text = encodePayload(frame.name, frame.payload as never);
          const extraText = JSON.stringify(extra).slice(1, -1);
          const extended = extraText === '' ? text : `${text.slice(0, -1)},${extraText}}`;
          expect(decodePayload(frame.name, extended)).toEqual(frame.payload);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('encodes u64 bigints as plain JSON digits and keeps 2^64-1 exact', () => {
    const text = encodePayload('Ping', { timestamp: 18446744073709551615n });
    expect(text).toBe('{"timestamp":18446744073709551615}');
    expect(decodePayload('Ping', text)).toEqual({ timestamp: 18446744073709551615n });
    expect(decodePayload('Ping', '{"timestamp":9007199254740993}')).toEqual({ timestamp: 9007199254740993n });
    expect(decodePayload('Ping', '{"timestamp":9007199254740991}')).toEqual({ timestamp: 9007199254740991 });
    // Non-canonical input (a small bigint) decodes canonical.
    expect(decodePayload('Ping', encodePayload('Ping', { timestamp: 5n }))).toEqual({ timestamp: 5 });
  });

  it('returns standalone frames that later encodes do not overwrite', () => {
    const first = encodeFrame('Ping', { timestamp: 1 });
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 100; i++) encodeFrame('Ping', { timestamp: 999_999 + i });
    expect(first).toEqual(copy);
  });
});

describe('FrameDecoder chunking', () => {
  it('decodes any chunking of a stream of frames to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(anyFrameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const bytes = concat(frames.map(encodeAny));
          const whole = decodeFrames(bytes);
          expect(whole.map((frame) => frame.name)).toEqual(frames.map((frame) => frame.name));
          const decoder = new FrameDecoder();
          const pieces = feed(decoder, split(bytes, cuts));
          decoder.end();
          expect(pieces).toEqual(whole);
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a stream fed one byte at a time', () => {
    const bytes = concat([
      encodeFrame('RoomMessage', EXAMPLE_PAYLOADS.RoomMessage),
      encodeUploadChunk({ upload_id: 3, offset: 0 }, new Uint8Array([1, 2, 3])),
      encodeFrame('RoomInit', EXAMPLE_PAYLOADS.RoomInit),
    ]);
    const decoder = new FrameDecoder();
    const out = feed(
      decoder,
      Array.from(bytes, (byte) => Uint8Array.of(byte)),
    );
    expect(out.map((item) => (item instanceof FrameError ? item.kind : item.name))).toEqual([
      'RoomMessage',
      'UploadChunk',
      'RoomInit',
    ]);
    expect((out[1] as Extract<Frame, { name: 'UploadChunk' }>).data).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('does not copy UploadChunk data that sits whole in one pushed chunk', () => {
    const bytes = encodeUploadChunk({ upload_id: 1, offset: 0 }, Uint8Array.of(5, 6, 7));
    const decoder = new FrameDecoder();
    decoder.push(bytes);
    const frame = decoder.next() as Extract<Frame, { name: 'UploadChunk' }>;
    expect(frame.data).toEqual(Uint8Array.of(5, 6, 7));
    expect(frame.data.buffer).toBe(bytes.buffer);
    expect(frame.data.byteOffset).toBe(bytes.byteOffset + bytes.length - 3);
  });

  it('continues after a frame with invalid JSON or an invalid payload', () => {
    const decoder = new FrameDecoder();
    const out = feed(decoder, [
      concat([
        rawFrame(0x05, '{"timestamp":'),
        rawFrame(0x05, '{"timestamp":"soon"}'),
        rawFrame(0x05, '{"timestamp":7}'),
      ]),
    ]);
    expect(out.map((item) => (item instanceof FrameError ? item.kind : item.name))).toEqual([
      'invalid-json',
      'invalid-payload',
      'Ping',
    ]);
  });
});

describe('size limits', () => {
  it('decodes a payload of just under 16 MiB and rejects 16 MiB + 1 from the header alone', () => {
    const overhead = encodePayload('Goodbye', { reason: '' }).length;
    const reason = 'r'.repeat(MAX_PAYLOAD_BYTES - overhead - 1);
    const big = encodeFrame('Goodbye', { reason });
    expect(big.length).toBe(FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES - 1);
    const decoder = new FrameDecoder();
    for (let at = 0; at < big.length; at += 1 << 20) decoder.push(big.subarray(at, at + (1 << 20)));
    const frame = decoder.next();
    expect(frame?.name).toBe('Goodbye');
    expect((frame?.payload as { reason: string }).reason.length).toBe(reason.length);

    const oversize = new FrameDecoder();
    oversize.push(rawFrame(0x08, new Uint8Array(0), MAX_PAYLOAD_BYTES + 1));
    const error = caught(() => oversize.next());
    expect(error).toBeInstanceOf(FramingError);
    expect(error).toMatchObject({ kind: 'oversize', frameType: 'Goodbye', framingIntact: false });
    expect(oversize.bufferedBytes).toBe(0);
    // Further bytes are not buffered either, and the error is sticky.
    oversize.push(new Uint8Array(1 << 16));
    expect(oversize.bufferedBytes).toBe(0);
    expect(caught(() => oversize.next())).toBe(error);
  });

  it('refuses to encode a payload above 16 MiB', () => {
    const error = caught(() => encodeFrame('Goodbye', { reason: 'r'.repeat(MAX_PAYLOAD_BYTES) }));
    expect(error.kind).toBe('oversize');
  });

  it('accepts an UploadChunk of exactly 1 MiB and rejects 1 MiB + 1 before buffering its data', () => {
    const data = new Uint8Array(MAX_UPLOAD_CHUNK_BYTES).fill(9);
    const [frame] = decodeFrames(encodeUploadChunk({ upload_id: 1, offset: 0 }, data));
    expect(frame).toMatchObject({ name: 'UploadChunk', payload: { size: MAX_UPLOAD_CHUNK_BYTES } });
    expect((frame as Extract<Frame, { name: 'UploadChunk' }>).data.length).toBe(MAX_UPLOAD_CHUNK_BYTES);

    const decoder = new FrameDecoder();
    decoder.push(rawFrame(0x71, `{"upload_id":1,"offset":0,"size":${MAX_UPLOAD_CHUNK_BYTES + 1}}`));
    const error = caught(() => decoder.next());
    expect(error).toMatchObject({ kind: 'chunk-too-large', frameType: 'UploadChunk', field: 'size' });
    expect(error.framingIntact).toBe(false);
    expect(error.errorCode).toBe(1001);
    expect(decoder.bufferedBytes).toBe(0);
    expect(
      caught(() => encodeUploadChunk({ upload_id: 1, offset: 0 }, new Uint8Array(MAX_UPLOAD_CHUNK_BYTES + 1)))
        .kind,
    ).toBe('chunk-too-large');
  });
});

describe('random bytes', () => {
  const limits = { maxPayloadBytes: 48, maxUploadChunkBytes: 24 };
  const knownCodes = FRAME_TABLE.map((spec) => spec.code);
  /** Byte strings that often start like frames: a known code and a small length. */
  const frameLike = fc
    .tuple(fc.constantFrom(...knownCodes), fc.integer({ min: 0, max: 64 }), fc.uint8Array({ maxLength: 64 }))
    .map(([code, length, body]) => concat([rawFrame(code, new Uint8Array(0), length), body]));
  const streamArb = fc
    .array(fc.oneof(fc.uint8Array({ maxLength: 32 }), frameLike), { maxLength: 6 })
    .map((parts) => concat(parts));

  it('only ever produce FrameErrors and never buffer past the limits', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const decoder = new FrameDecoder(limits);
        for (const chunk of split(bytes, cuts)) {
          decoder.push(chunk);
          for (;;) {
            let frame: Frame | undefined;
            try {
              frame = decoder.next();
            } catch (error) {
              expect(error).toBeInstanceOf(FrameError);
              if ((error as FrameError).framingIntact) continue;
              break;
            }
            if (frame === undefined) break;
          }
          // An unfinished frame never holds more than header + payload limit, or the chunk limit.
          expect(decoder.bufferedBytes).toBeLessThan(
            Math.max(FRAME_HEADER_BYTES + limits.maxPayloadBytes, limits.maxUploadChunkBytes),
          );
        }
        try {
          decoder.end();
        } catch (error) {
          expect(error).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('only ever produce FrameErrors as datagrams and payloads', () => {
    fc.assert(
      fc.property(streamArb, fc.constantFrom(...frameNames), (bytes, name) => {
        for (const attempt of [() => decodeDatagram(bytes), () => decodePayload(name, bytes)]) {
          try {
            attempt();
          } catch (error) {
            expect(error).toBeInstanceOf(FrameError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('error kinds', () => {
  function expectKind(
    error: FrameError,
    kind: FrameErrorKind,
    framingIntact: boolean,
    errorCode: number,
  ): void {
    expect(error.kind).toBe(kind);
    expect(error.framingIntact).toBe(framingIntact);
    expect(error.errorCode).toBe(errorCode);
    expect(error).toBeInstanceOf(framingIntact ? PayloadError : FrameError);
  }

  it('unknown-type: an unknown type byte, detected from the first byte', () => {
    const decoder = new FrameDecoder();
    decoder.push(Uint8Array.of(0x18));
    const error = caught(() => decoder.next());
    expectKind(error, 'unknown-type', false, 1001);
    expect(error.frameCode).toBe(0x18);
    expect(error.message).toContain('0x18');
    expect(caught(() => encodeFrame(0x90 as FrameCode, {} as never)).kind).toBe('unknown-type');
  });

  it('truncated: end() inside a header, a payload, or UploadChunk data', () => {
    const frame = encodeFrame('Ping', { timestamp: 1 });
    for (const cut of [1, 4, frame.length - 1]) {
      const decoder = new FrameDecoder();
      decoder.push(frame.subarray(0, cut));
      expect(decoder.next()).toBeUndefined();
      const error = caught(() => decoder.end());
      expectKind(error, 'truncated', false, 1001);
      expect(error.frameType).toBe('Ping');
    }
    const chunk = encodeUploadChunk({ upload_id: 1, offset: 0 }, new Uint8Array(10));
    const decoder = new FrameDecoder();
    decoder.push(chunk.subarray(0, chunk.length - 1));
    expect(decoder.next()).toBeUndefined();
    expect(caught(() => decoder.end())).toMatchObject({ kind: 'truncated', frameType: 'UploadChunk' });
    expect(() => decodeFrames(frame.subarray(0, 3))).toThrow(FramingError);
  });

  it('invalid-json: malformed JSON, invalid UTF-8, a BOM, lone surrogates, empty payload', () => {
    for (const body of [
      '{"timestamp":1',
      '',
      'nul',
      '\uFEFF{"timestamp":1}',
      '{"timestamp":1,"x":"\\ud800"}',
      '{"timestamp":12345678901234567890,"x":"\\udfff1"}',
      '{"timestamp":1,"\\udc00":1}',
      '{"timestamp":1e400}',
    ]) {
      const error = caught(() => decodePayload('Ping', body));
      if (body === '{"timestamp":1e400}') {
        expectKind(error, 'invalid-payload', true, 1007);
        continue;
      }
      expectKind(error, 'invalid-json', true, 1007);
      expect(error.frameType).toBe('Ping');
    }
    const error = caught(() => decodeFrames(rawFrame(0x05, Uint8Array.of(0x7b, 0xff, 0x7d))));
    expectKind(error, 'invalid-json', true, 1007);
    expect(error.message).toContain('UTF-8');
  });

  it('invalid-payload: names the frame type and field path', () => {
    const error = caught(() =>
      decodePayload(
        'RoomMessage',
        '{"message_id":1,"room_id":1,"sender":{"user_id":"7","username":"a"},"content":"","timestamp":1,"attachments":[]}',
      ),
    );
    expectKind(error, 'invalid-payload', true, 1007);
    expect(error.message).toBe('RoomMessage.sender.user_id: expected u64, got string');
    expect(error.field).toBe('sender.user_id');
    expect(error.context).toBe('RoomMessage.sender.user_id');
  });

  it('invalid-payload on an UploadChunk loses framing (its data extent is unknown)', () => {
    const decoder = new FrameDecoder();
    decoder.push(rawFrame(0x71, '{"upload_id":1,"offset":0}'));
    const error = caught(() => decoder.next());
    expect(error).toMatchObject({ kind: 'invalid-payload', field: 'size', framingIntact: false });
  });

  it('wrong-category and trailing-bytes: datagrams carry exactly one datagram frame', () => {
    const typing = encodeDatagram('Typing', { room_id: 1, user_id: null });
    expect(decodeDatagram(typing)).toEqual({
      code: 0x80,
      name: 'Typing',
      payload: { room_id: 1, user_id: null },
    });
    expectKind(
      caught(() => decodeDatagram(encodeFrame('Ping', { timestamp: 1 }))),
      'wrong-category',
      false,
      1001,
    );
    expectKind(
      caught(() => decodeDatagram(concat([typing, Uint8Array.of(0)]))),
      'trailing-bytes',
      false,
      1001,
    );
    expectKind(
      caught(() => decodeDatagram(typing.subarray(0, typing.length - 1))),
      'truncated',
      false,
      1001,
    );
    expectKind(
      caught(() => decodeDatagram(typing.subarray(0, 3))),
      'truncated',
      false,
      1001,
    );
    expectKind(
      caught(() => decodeDatagram(Uint8Array.of(0x8f, 0, 0, 0, 2, 0x7b, 0x7d))),
      'unknown-type',
      false,
      1001,
    );
    expect(caught(() => encodeDatagram('Ping', { timestamp: 1 })).kind).toBe('wrong-category');
  });

  it('encodeUploadChunk rejects a size that disagrees with the data', () => {
    const error = caught(() => encodeUploadChunk({ upload_id: 1, offset: 0, size: 4 }, new Uint8Array(3)));
    expect(error).toMatchObject({ kind: 'invalid-payload', field: 'size' });
  });

  it('validatePayload returns the canonical copy and rejects bad values with the field path', () => {
    expect(validatePayload('Typing', { room_id: 2n, extra: true })).toEqual({ room_id: 2, user_id: null });
    const error = caught(() => validatePayload('Typing', { room_id: -1, user_id: null }));
    expect(error.message).toBe('Typing.room_id: expected u64, got number -1');
  });
});

describe('FrameDecoder raw codes', () => {
  /** Feeds chunks and collects nextOrRaw() results (stops at the first error). */
  function feedRaw(decoder: FrameDecoder, chunks: readonly Uint8Array[]): (Frame | RawFrame)[] {
    const out: (Frame | RawFrame)[] = [];
    for (const chunk of chunks) {
      decoder.push(chunk);
      for (let item = decoder.nextOrRaw(); item !== undefined; item = decoder.nextOrRaw()) out.push(item);
    }
    return out;
  }

  it('returns frames of the raw codes undecoded, others decoded, under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(anyFrameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const encoded = frames.map(encodeAny);
          const whole = decodeFrames(concat(encoded));
          const decoder = new FrameDecoder({ rawCodes: [0x30, 0x31] });
          const out = feedRaw(decoder, split(concat(encoded), cuts));
          decoder.end();
          expect(out).toHaveLength(frames.length);
          out.forEach((item, i) => {
            if (whole[i]!.code === 0x30 || whole[i]!.code === 0x31) {
              expect(item).toBeInstanceOf(RawFrame);
              const raw = item as RawFrame;
              expect({ code: raw.code, name: raw.name }).toEqual({
                code: whole[i]!.code,
                name: whole[i]!.name,
              });
              expect(Uint8Array.from(raw.payload)).toEqual(encoded[i]!.subarray(FRAME_HEADER_BYTES));
              expect(decodePayload(raw.code, raw.payload)).toEqual(whole[i]!.payload);
            } else {
              expect(item).toEqual(whole[i]);
            }
          });
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('next() still decodes every frame when raw codes are set', () => {
    const bytes = encodeFrame('RoomMessage', EXAMPLE_PAYLOADS.RoomMessage);
    const decoder = new FrameDecoder({ rawCodes: [0x30] });
    decoder.push(bytes);
    expect(decoder.next()).toEqual(decodeFrames(bytes)[0]);
  });

  it('does not parse a raw payload, but still checks the header', () => {
    const decoder = new FrameDecoder({ rawCodes: [0x30], maxPayloadBytes: 16 });
    decoder.push(rawFrame(0x30, 'not json'));
    const raw = decoder.nextOrRaw();
    expect(raw).toBeInstanceOf(RawFrame);
    expect(new TextDecoder().decode((raw as RawFrame).payload)).toBe('not json');
    decoder.push(rawFrame(0x30, 'x'.repeat(17)));
    expect(() => decoder.nextOrRaw()).toThrow(expect.objectContaining({ kind: 'oversize' }) as Error);
  });

  it('rejects UploadChunk and unknown codes as raw codes', () => {
    expect(() => new FrameDecoder({ rawCodes: [0x71] })).toThrow(RangeError);
    expect(() => new FrameDecoder({ rawCodes: [0x99] })).toThrow(RangeError);
    expect(() => new FrameDecoder({ rawCodes: [1.5] })).toThrow(RangeError);
  });
});
