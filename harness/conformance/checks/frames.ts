/**
 * Framing violations on every client stream type (PROTOCOL.md 3, 5, 14): an unknown type, an oversize length, a
 * truncated frame, an invalid JSON payload and a frame of the wrong range, each on the control stream and on the
 * chat-command, ACK and upload streams; plus the stream classification rules and bad datagrams. Each check also
 * proves that what must survive (the connection, the stream, a bystander's connection) does.
 */
import { createHash } from 'node:crypto';
import { ERROR_CODES, MAX_PAYLOAD_BYTES, encodeDatagram, encodeFrame } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, type ConformanceCheck } from '../check.js';
import type { ProbeConnection } from '../probe-connection.js';
import {
  concatBytes,
  expectAlive,
  expectClosedWith,
  expectErrorCode,
  expectNoError,
  expectStreamAborted,
  headerOnly,
  rawFrame,
} from './fates.js';

/** Client unidirectional stream classes. */
export type UniClass = 'chat-commands' | 'acks' | 'uploads';

/** Framing violations of PROTOCOL.md 14, each checked on every client stream kind. */
export type ViolationKind = 'unknown-type' | 'oversize' | 'truncated' | 'invalid-payload' | 'wrong-stream';

/** The bytes of one violation, and whether the stream is finished right after them (truncation). */
export interface Violation {
  readonly bytes: (ctx: CheckContext) => Uint8Array;
  readonly fin: boolean;
}

/** How to exercise one client uni stream class. */
interface UniClassSpec {
  /** A valid first frame that classifies the stream. */
  readonly opener: (ctx: CheckContext) => Uint8Array;
  /** An unassigned code inside the class's range. */
  readonly unknownCode: number;
  /** A valid frame of another class. */
  readonly wrongRange: (ctx: CheckContext) => Uint8Array;
  /** Code of a frame of the class used for oversize/invalid/truncated frames. */
  readonly code: number;
  /** Shows that the stream still works after a frame was ignored (what is expected, and the wait). */
  readonly stillReads: (ctx: CheckContext, probe: ProbeConnection, streamId: number) => Promise<void>;
}

const X_SHA256 = createHash('sha256').update('x').digest('hex');

function uploadStart(): Uint8Array {
  return encodeFrame('UploadStart', {
    room_id: 1,
    filename: 'conformance.txt',
    mime_type: 'text/plain',
    size: 1,
    checksum: X_SHA256,
  });
}

const UNI_CLASSES: Readonly<Record<UniClass, UniClassSpec>> = {
  'chat-commands': {
    opener: () => encodeFrame('JoinRoom', { room_id: 1 }),
    unknownCode: 0x18,
    wrongRange: () =>
      encodeFrame('MessageDelivered', { message_id: 1, room_id: 1, delivered_at: Date.now() }),
    code: 0x10,
    async stillReads(ctx, probe, streamId) {
      const nonce = ctx.nonce('still');
      const after = probe.mark;
      probe.write(
        streamId,
        encodeFrame('SendMessage', {
          room_id: 1,
          content: 'still here',
          nonce,
          reply_to: null,
          attachments: [],
        }),
      );
      await probe.expectFrame('control', 'MessageAck', {
        timeoutMs: ctx.timeoutMs,
        after,
        what: `MessageAck for a valid SendMessage sent on stream ${streamId} after the ignored frame (the stream survives)`,
        match: (p) => p.nonce === nonce,
      });
    },
  },
  acks: {
    opener: () => encodeFrame('MessageDelivered', { message_id: 1, room_id: 1, delivered_at: Date.now() }),
    unknownCode: 0x63,
    wrongRange: (ctx) =>
      encodeFrame('SendMessage', {
        room_id: 1,
        content: 'wrong stream',
        nonce: ctx.nonce('w'),
        reply_to: null,
        attachments: [],
      }),
    code: 0x60,
    async stillReads(ctx, probe, streamId) {
      // ACK frames get no reply: a second bad frame answered by a second Error shows the stream is still read.
      const after = probe.mark;
      probe.write(streamId, rawFrame(0x61, '{"message_id":'));
      await expectErrorCode(ctx, probe, ERROR_CODES.INVALID_MESSAGE, after);
    },
  },
  uploads: {
    opener: uploadStart,
    unknownCode: 0x75,
    wrongRange: () => encodeFrame('JoinRoom', { room_id: 1 }),
    code: 0x70,
    async stillReads(ctx, probe, streamId) {
      const before = probe.find('control', 'UploadAck').length;
      probe.write(streamId, uploadStart());
      await probe.until(() => probe.find('control', 'UploadAck').length > before, {
        timeoutMs: ctx.timeoutMs,
        expected: `UploadAck for a valid UploadStart sent on stream ${streamId} after the ignored frame (the stream survives)`,
        actual: () => probe.describe(),
      });
    },
  },
};

/** Each violation on the control stream. */
export const CONTROL_VIOLATIONS: Readonly<Record<ViolationKind, Violation>> = {
  'unknown-type': { bytes: () => rawFrame(0x0a, '{}'), fin: false },
  oversize: { bytes: () => headerOnly(0x05, MAX_PAYLOAD_BYTES + 1), fin: false },
  truncated: { bytes: () => rawFrame(0x05, '{"timest', 40), fin: true },
  'invalid-payload': { bytes: () => rawFrame(0x05, '{"timestamp":'), fin: false },
  'wrong-stream': {
    bytes: (ctx) =>
      encodeFrame('SendMessage', {
        room_id: 1,
        content: 'x',
        nonce: ctx.nonce('c'),
        reply_to: null,
        attachments: [],
      }),
    fin: false,
  },
};

/** Each violation on a classified client uni stream of `cls` (after its valid first frame). */
export function uniViolations(cls: UniClass): Readonly<Record<ViolationKind, Violation>> {
  const spec = UNI_CLASSES[cls];
  return {
    'unknown-type': { bytes: () => rawFrame(spec.unknownCode, '{}'), fin: false },
    oversize: { bytes: () => headerOnly(spec.code, MAX_PAYLOAD_BYTES + 1), fin: false },
    truncated: { bytes: () => rawFrame(spec.code, '{"room_id":1,', 60), fin: true },
    'invalid-payload': { bytes: () => rawFrame(spec.code, '{"room_id":1,"oops"'), fin: false },
    'wrong-stream': { bytes: (ctx) => spec.wrongRange(ctx), fin: false },
  };
}

/** "a chat-commands stream" / "an acks stream". */
export function aStream(cls: UniClass): string {
  return `${cls === 'chat-commands' ? 'a' : 'an'} ${cls} stream`;
}

/** Opens a client uni stream of `cls` with a valid first frame; returns its id. */
export function openClassified(ctx: CheckContext, probe: ProbeConnection, cls: UniClass): number {
  const streamId = probe.openUni();
  probe.write(streamId, UNI_CLASSES[cls].opener(ctx));
  return streamId;
}

/** A logged-in probe and a bystander (another client that must not be affected). */
export async function probeAndBystander(
  ctx: CheckContext,
  label: string,
): Promise<[ProbeConnection, ProbeConnection]> {
  return [await ctx.login(label), await ctx.login('bystander')];
}

function controlChecks(): ConformanceCheck[] {
  const closes = (
    id: string,
    title: string,
    rules: string[],
    bytes: (ctx: CheckContext) => Uint8Array,
    fin = false,
  ): ConformanceCheck => ({
    id,
    title,
    rules,
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'violator');
      const after = probe.mark;
      probe.write('control', bytes(ctx), fin);
      await expectClosedWith(ctx, probe, ERROR_CODES.INVALID_FRAME, after);
      await expectAlive(ctx, bystander);
    },
  });
  return [
    closes(
      '14/unknown-type/control',
      'Unknown type 0x0A on the control stream: Error 1001, connection closed with 1001; others unaffected',
      ['14/unknown-type', '3/unknown-type', '14/error-then-fate'],
      CONTROL_VIOLATIONS['unknown-type'].bytes,
    ),
    closes(
      '14/oversize/control',
      'A header announcing 16 MiB + 1 on the control stream: Error 1001, connection closed with 1001',
      ['14/oversize', '3/max-payload'],
      CONTROL_VIOLATIONS.oversize.bytes,
    ),
    closes(
      '14/truncated/control',
      'FIN on the control stream in the middle of a frame: Error 1001, connection closed with 1001',
      ['14/truncated', '3/truncated', '6.1/transitions'],
      CONTROL_VIOLATIONS.truncated.bytes,
      true,
    ),
    {
      id: '14/invalid-payload/control',
      title: 'Invalid JSON in a Ping: Error 1007 naming Ping, frame ignored, the connection survives',
      rules: ['14/invalid-payload', '3/invalid-payload', '14/one-error'],
      async run(ctx) {
        const [probe, bystander] = await probeAndBystander(ctx, 'bad-json');
        const after = probe.mark;
        probe.write('control', CONTROL_VIOLATIONS['invalid-payload'].bytes(ctx));
        await expectErrorCode(ctx, probe, ERROR_CODES.INVALID_MESSAGE, after, { startsWith: 'Ping' });
        await expectAlive(ctx, probe, bystander);
      },
    },
    closes(
      '14/wrong-stream/control',
      'SendMessage (a chat command) on the control stream: Error 1001, connection closed with 1001',
      ['14/wrong-stream', '5/control-ranges'],
      CONTROL_VIOLATIONS['wrong-stream'].bytes,
    ),
  ];
}

function uniChecks(cls: UniClass): ConformanceCheck[] {
  const spec = UNI_CLASSES[cls];
  const violations = uniViolations(cls);
  const aborted = (
    id: string,
    title: string,
    rules: string[],
    bytes: (ctx: CheckContext) => Uint8Array,
  ): ConformanceCheck => ({
    id,
    title,
    rules,
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'violator');
      const streamId = openClassified(ctx, probe, cls);
      const after = probe.mark;
      probe.write(streamId, bytes(ctx));
      await expectStreamAborted(ctx, probe, streamId, ERROR_CODES.INVALID_FRAME, after);
      await expectAlive(ctx, probe, bystander);
    },
  });
  const hex = (code: number): string => `0x${code.toString(16).padStart(2, '0')}`;
  return [
    aborted(
      `14/unknown-type/${cls}`,
      `Unknown type ${hex(spec.unknownCode)} on ${aStream(cls)}: Error 1001, STOP_SENDING 1001, connection survives`,
      ['14/unknown-type', '3/unknown-type', '14/error-then-fate'],
      violations['unknown-type'].bytes,
    ),
    aborted(
      `14/oversize/${cls}`,
      `A header announcing 16 MiB + 1 on ${aStream(cls)}: Error 1001, STOP_SENDING 1001, connection survives`,
      ['14/oversize', '3/max-payload'],
      violations.oversize.bytes,
    ),
    {
      id: `14/truncated/${cls}`,
      title: `FIN in the middle of a frame on ${aStream(cls)}: Error 1001 naming the stream, connection survives`,
      rules: ['14/truncated', '3/truncated'],
      async run(ctx) {
        const [probe, bystander] = await probeAndBystander(ctx, 'truncator');
        const streamId = openClassified(ctx, probe, cls);
        const after = probe.mark;
        probe.write(streamId, violations.truncated.bytes(ctx), true);
        await expectErrorCode(ctx, probe, ERROR_CODES.INVALID_FRAME, after, {
          startsWith: `stream ${streamId}`,
        });
        await expectAlive(ctx, probe, bystander);
      },
    },
    {
      id: `14/invalid-payload/${cls}`,
      title: `Invalid JSON on ${aStream(cls)}: Error 1007, frame ignored, the stream and connection survive`,
      rules: ['14/invalid-payload', '3/invalid-payload', '14/one-error'],
      async run(ctx) {
        const [probe, bystander] = await probeAndBystander(ctx, 'bad-json');
        const streamId = openClassified(ctx, probe, cls);
        const after = probe.mark;
        probe.write(streamId, violations['invalid-payload'].bytes(ctx));
        await expectErrorCode(ctx, probe, ERROR_CODES.INVALID_MESSAGE, after);
        await spec.stillReads(ctx, probe, streamId);
        ensure(
          !probe.stopSending.has(streamId),
          `no STOP_SENDING on stream ${streamId}`,
          `STOP_SENDING ${probe.stopSending.get(streamId)}`,
        );
        await expectAlive(ctx, probe, bystander);
      },
    },
    aborted(
      `14/wrong-stream/${cls}`,
      `A frame of another range on ${aStream(cls)}: Error 1001, STOP_SENDING 1001, connection survives`,
      ['14/wrong-stream', '5/client-uni-same-range'],
      violations['wrong-stream'].bytes,
    ),
  ];
}

const STREAM_RULE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '5/client-uni-classify',
    title: 'A client uni stream whose first frame is Ping (no uni class): Error 1001, STOP_SENDING 1001',
    rules: ['5/client-uni-classify', '14/wrong-stream'],
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'classify');
      const streamId = probe.openUni();
      const after = probe.mark;
      probe.write(streamId, encodeFrame('Ping', { timestamp: 1 }));
      await expectStreamAborted(ctx, probe, streamId, ERROR_CODES.INVALID_FRAME, after);
      await expectAlive(ctx, probe, bystander);
    },
  },
  {
    id: '5/client-uni-direction',
    title: 'MessageAck (server-only) sent by the client on an ACK stream: Error 1001, STOP_SENDING 1001',
    rules: ['5/client-uni-direction', '14/wrong-stream'],
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'direction');
      const streamId = probe.openUni();
      const after = probe.mark;
      probe.write(streamId, encodeFrame('MessageAck', { nonce: 'n', message_id: 1, timestamp: 1 }));
      await expectStreamAborted(ctx, probe, streamId, ERROR_CODES.INVALID_FRAME, after);
      await expectAlive(ctx, probe, bystander);
    },
  },
  {
    id: '5/extra-bidi',
    title:
      'A second client bidi stream: STOP_SENDING and RESET_STREAM 1001, Error 1001; the connection survives',
    rules: ['5/extra-bidi', '14/extra-bidi'],
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'extra-bidi');
      const streamId = probe.openBidi();
      const after = probe.mark;
      probe.write(streamId, encodeFrame('Ping', { timestamp: 2 }));
      await expectStreamAborted(ctx, probe, streamId, ERROR_CODES.INVALID_FRAME, after);
      const reset = await probe.until(() => probe.resets.get(streamId), {
        timeoutMs: ctx.timeoutMs,
        expected: `RESET_STREAM 1001 on bidi stream ${streamId}`,
      });
      ensure(
        reset === ERROR_CODES.INVALID_FRAME,
        `RESET_STREAM with 1001 on stream ${streamId}`,
        `RESET_STREAM with ${reset}`,
      );
      await expectAlive(ctx, probe, bystander);
    },
  },
  {
    id: '14/bad-datagram',
    title:
      'Malformed, wrong-type, invalid and non-member datagrams are dropped silently; the connection survives',
    rules: ['14/bad-datagram', '11/datagram-invalid', '5/datagram-types'],
    async run(ctx) {
      const probe = await ctx.login('bad-datagrams');
      const after = probe.mark;
      const bad = [
        rawFrame(0x90, '{}'),
        rawFrame(0x80, '{"room_id":1}', 40),
        rawFrame(0x80, '{"room_id":'),
        encodeFrame('SendMessage', { room_id: 1, content: 'x', nonce: 'd', reply_to: null, attachments: [] }),
        encodeDatagram('Typing', { room_id: ctx.freshRoomId(), user_id: null }),
        concatBytes(encodeDatagram('Typing', { room_id: 1, user_id: null }), new Uint8Array([0])),
        new Uint8Array([0x80, 0]),
      ];
      for (const bytes of bad) probe.sendDatagram(bytes);
      await ctx.sleep(ctx.settleMs);
      await expectAlive(ctx, probe);
      expectNoError(probe, after, 'bad datagrams are dropped silently (11/datagram-invalid)');
    },
  },
];

export const FRAME_CHECKS: readonly ConformanceCheck[] = [
  ...controlChecks(),
  ...uniChecks('chat-commands'),
  ...uniChecks('acks'),
  ...uniChecks('uploads'),
  ...STREAM_RULE_CHECKS,
];
