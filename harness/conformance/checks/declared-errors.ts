/**
 * The protocol-level half of the framing checks (PROTOCOL.md 14/declared-error): each violation of section 14 that
 * frames.ts checks with its exact code and fate (reference level, our decision) is checked here again for what any
 * implementation must do: answer it with an Error frame carrying a declared code (1000-1010), or close with one,
 * and go on serving other connections. A foreign server that picks another code or fate fails only the reference
 * checks; one that stays silent, sends an undeclared code, or stops serving others fails these.
 */
import { ERROR_CODES, encodeFrame } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';
import { expectAlive } from './fates.js';
import {
  aStream,
  CONTROL_VIOLATIONS,
  openClassified,
  probeAndBystander,
  uniViolations,
  type UniClass,
  type ViolationKind,
} from './frames.js';

/** The declared error codes of the wire format. */
const DECLARED_CODES: ReadonlySet<number> = new Set(Object.values(ERROR_CODES));

const DECLARED = 'an Error frame with a declared code (1000-1010) on the control stream';

/**
 * Waits for the server's answer to a violation sent after `after`: the first Error frame must carry a declared
 * code (returned); a close with a declared application code and no Error frame passes with a warning (null).
 */
async function expectDeclaredAnswer(
  ctx: CheckContext,
  probe: ProbeConnection,
  after: number,
): Promise<number | null> {
  const errors = (): ReturnType<ProbeConnection['find']> =>
    probe.find('control', 'Error', (_p, item) => item.seq >= after);
  await probe.until(() => errors().length > 0 || probe.closed, {
    timeoutMs: ctx.timeoutMs,
    expected: DECLARED,
    allowClosed: true,
    actual: () => `control stream: ${probe.describeStream('control')}${probe.describeClose()}`,
  });
  const first = errors()[0];
  if (first !== undefined) {
    if (first.frame?.name !== 'Error') fail(DECLARED, describeReceived(first));
    const code = first.frame.payload.code;
    ensure(DECLARED_CODES.has(code), DECLARED, `Error{code ${code}}: not a declared code`);
    return code;
  }
  const info = await probe.expectClose(ctx.timeoutMs);
  const peer = info.peerError;
  ensure(
    peer !== null && peer.isApp && DECLARED_CODES.has(peer.code),
    `${DECLARED}, or a close with a declared application error code`,
    () => `no Error frame${probe.describeClose()}`,
  );
  ctx.warn(`no Error frame arrived before the close with code ${peer.code} (PROTOCOL.md 14/declared-error)`);
  return null;
}

/**
 * Whatever fate the server chose: if it aborted the offending client stream, its STOP_SENDING carries the Error's
 * code (14/error-then-fate). A STOP_SENDING whose code the transport could not see is not judged.
 */
function expectStopMatchesError(probe: ProbeConnection, streamId: number, code: number): void {
  const stopCode = probe.stoppedCode(streamId);
  if (typeof stopCode !== 'number') return;
  ensure(
    stopCode === code,
    `STOP_SENDING on stream ${streamId} with the Error's code ${code} (14/error-then-fate)`,
    `STOP_SENDING with ${stopCode} after Error{code ${code}}`,
  );
}

/** Where a violation was sent: the probe's mark before it, and the client stream it broke (none: control). */
interface ViolationSent {
  readonly after: number;
  readonly streamId?: number;
}

/** A protocol-level check: `violate` breaks a rule on the probe's connection. */
function declaredErrorCheck(
  id: string,
  title: string,
  rules: string[],
  violate: (ctx: CheckContext, probe: ProbeConnection) => ViolationSent,
): ConformanceCheck {
  return {
    id: `14/declared-error/${id}`,
    title,
    rules: ['14/declared-error', ...rules],
    async run(ctx) {
      const [probe, bystander] = await probeAndBystander(ctx, 'declared');
      const { after, streamId } = violate(ctx, probe);
      const code = await expectDeclaredAnswer(ctx, probe, after);
      await expectAlive(ctx, bystander);
      if (code !== null && streamId !== undefined) expectStopMatchesError(probe, streamId, code);
    },
  };
}

const KINDS: readonly ViolationKind[] = [
  'unknown-type',
  'oversize',
  'truncated',
  'invalid-payload',
  'wrong-stream',
];
const UNI_CLASSES: readonly UniClass[] = ['chat-commands', 'acks', 'uploads'];

/** In words, for titles. */
const KIND_WORDS: Readonly<Record<ViolationKind, string>> = {
  'unknown-type': 'An unknown frame type',
  oversize: 'A header announcing 16 MiB + 1',
  truncated: 'A FIN in the middle of a frame',
  'invalid-payload': 'Invalid JSON',
  'wrong-stream': 'A frame not allowed on the stream',
};

function controlCheck(kind: ViolationKind): ConformanceCheck {
  const violation = CONTROL_VIOLATIONS[kind];
  return declaredErrorCheck(
    `${kind}/control`,
    `${KIND_WORDS[kind]} on the control stream is answered with a declared error code; others unaffected`,
    [`14/${kind}`],
    (ctx, probe) => {
      const after = probe.mark;
      probe.write('control', violation.bytes(ctx), violation.fin);
      return { after };
    },
  );
}

function uniCheck(kind: ViolationKind, cls: UniClass): ConformanceCheck {
  const violation = uniViolations(cls)[kind];
  return declaredErrorCheck(
    `${kind}/${cls}`,
    `${KIND_WORDS[kind]} on ${aStream(cls)} is answered with a declared error code; others unaffected`,
    [`14/${kind}`],
    (ctx, probe) => {
      const streamId = openClassified(ctx, probe, cls);
      const after = probe.mark;
      probe.write(streamId, violation.bytes(ctx), violation.fin);
      return { after, streamId };
    },
  );
}

/** Every protocol-level twin of the framing checks. */
export const DECLARED_ERROR_CHECKS: readonly ConformanceCheck[] = [
  ...KINDS.map(controlCheck),
  ...UNI_CLASSES.flatMap((cls) => KINDS.map((kind) => uniCheck(kind, cls))),
  declaredErrorCheck(
    'uni-classify',
    'A client uni stream whose first frame is Ping (no uni class) is answered with a declared error code',
    ['5/client-uni-classify'],
    (_ctx, probe) => {
      const streamId = probe.openUni();
      const after = probe.mark;
      probe.write(streamId, encodeFrame('Ping', { timestamp: 1 }));
      return { after, streamId };
    },
  ),
  declaredErrorCheck(
    'uni-direction',
    'MessageAck (server-only) sent by the client on a uni stream is answered with a declared error code',
    ['5/client-uni-direction'],
    (_ctx, probe) => {
      const streamId = probe.openUni();
      const after = probe.mark;
      probe.write(streamId, encodeFrame('MessageAck', { nonce: 'n', message_id: 1, timestamp: 1 }));
      return { after, streamId };
    },
  ),
];
