/**
 * fast-check generators of hostile client input: byte sequences mixing valid frames, unknown types, oversize and
 * truncated headers, invalid JSON, payloads of the wrong shape, frames of the wrong range and plain noise. The
 * robustness checks replay a seeded sample of them on every client stream type and as datagrams.
 */
import fc from 'fast-check';
import {
  EXAMPLE_PAYLOADS,
  FRAME_TABLE,
  MAX_PAYLOAD_BYTES,
  encodeFrame,
  type FrameName,
  type FramePayloads,
} from '../../spec/index.js';

/** Where a hostile sequence is sent. */
export type HostileTarget = 'control' | 'chat-commands' | 'acks' | 'uploads' | 'datagram';

/** One generated sequence: the pieces (each one datagram, or concatenated on a stream) and whether to FIN. */
export interface HostileSequence {
  readonly pieces: readonly Uint8Array[];
  readonly fin: boolean;
}

/** Codes inside category ranges that no frame uses, plus codes outside every range. */
const UNASSIGNED_CODES = [
  0x0a, 0x0f, 0x18, 0x2f, 0x39, 0x4f, 0x53, 0x5f, 0x63, 0x6f, 0x75, 0x7f, 0x85, 0x8f, 0x90, 0xa0, 0xfe,
];

/** Frame names a client is never expected to send at the server (the server's side must refuse them). */
const ALL_NAMES = FRAME_TABLE.map((spec) => spec.name);

/** Valid-looking frames that could hurt the run itself (close our connection on purpose, hijack users). */
const EXCLUDED: ReadonlySet<FrameName> = new Set(['Goodbye', 'Auth']);

function frameBytes(code: number, payload: Uint8Array, declared = payload.length): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = code;
  new DataView(out.buffer).setUint32(1, declared);
  out.set(payload, 5);
  return out;
}

const text = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));

/** A valid frame of any type except the excluded ones, with its example payload. */
const validFrame = fc
  .constantFrom(...ALL_NAMES.filter((name) => !EXCLUDED.has(name) && name !== 'UploadChunk'))
  .map((name) => encodeFrame(name, EXAMPLE_PAYLOADS[name] as FramePayloads[typeof name]));

const unknownType = fc
  .tuple(fc.constantFrom(...UNASSIGNED_CODES), fc.uint8Array({ maxLength: 24 }))
  .map(([code, payload]) => frameBytes(code, payload));

const oversize = fc
  .tuple(
    fc.constantFrom(...FRAME_TABLE.map((spec) => spec.code)),
    fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: 0xffffffff }),
  )
  .map(([code, length]) => frameBytes(code, new Uint8Array(0), length));

const truncated = fc
  .tuple(validFrame, fc.integer({ min: 1, max: 4 }))
  .map(([frame, cut]) => frame.subarray(0, Math.max(1, frame.length - cut)));

const invalidJson = fc
  .tuple(
    fc.constantFrom(...FRAME_TABLE.map((spec) => spec.code)),
    fc.oneof(
      fc.string({ maxLength: 24 }).map(text),
      fc.uint8Array({ maxLength: 24 }),
      fc.constant(text('{"a":')),
    ),
  )
  .map(([code, payload]) => frameBytes(code, payload));

const wrongShape = fc
  .tuple(fc.constantFrom(...FRAME_TABLE.map((spec) => spec.code)), fc.constantFrom(...ALL_NAMES))
  .map(([code, other]) =>
    frameBytes(
      code,
      text(
        JSON.stringify(EXAMPLE_PAYLOADS[other], (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
      ),
    ),
  );

const noise = fc.uint8Array({ minLength: 1, maxLength: 32 });

/** Any hostile piece. */
export const hostilePiece: fc.Arbitrary<Uint8Array> = fc.oneof(
  validFrame,
  unknownType,
  oversize,
  truncated,
  invalidJson,
  wrongShape,
  noise,
);

/** A hostile sequence for a target. */
export function hostileSequence(target: HostileTarget): fc.Arbitrary<HostileSequence> {
  const pieces = fc.array(hostilePiece, { minLength: 1, maxLength: target === 'datagram' ? 6 : 5 });
  return fc.record({
    pieces,
    fin: target === 'datagram' || target === 'control' ? fc.constant(false) : fc.boolean(),
  });
}

/** A reproducible sample of hostile sequences. */
export function sampleHostile(target: HostileTarget, seed: number, runs: number): HostileSequence[] {
  return fc.sample(hostileSequence(target), { seed: seed + target.length * 7919, numRuns: runs });
}
