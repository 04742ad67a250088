/**
 * The fates of PROTOCOL.md 14 as reusable expectations: connection closed, stream aborted, frame ignored, and
 * "the connection (and other clients) still work".
 */
import { compareU64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';

/** Bytes of a frame with an arbitrary type byte and payload (no validation: for hostile input). */
export function rawFrame(
  code: number,
  payload: string | Uint8Array = '{}',
  declaredLength?: number,
): Uint8Array {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = new Uint8Array(5 + body.length);
  out[0] = code;
  new DataView(out.buffer).setUint32(1, declaredLength ?? body.length);
  out.set(body, 5);
  return out;
}

/** A bare 5-byte header announcing `length` payload bytes (none follow). */
export function headerOnly(code: number, length: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = code;
  new DataView(out.buffer).setUint32(1, length);
  return out;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * The "connection closed" fate: the server closes with application error `code`; an Error frame with that code
 * should precede it (missing: warning, other code: failure).
 */
export async function expectClosedWith(
  ctx: CheckContext,
  probe: ProbeConnection,
  code: number,
  after: number,
  errorContext?: string,
): Promise<void> {
  const info = await probe.expectClose(
    ctx.timeoutMs,
    `Error ${code} on the control stream, then the connection closed with application error ${code}`,
  );
  const error = info.peerError;
  ensure(
    error !== null && error.isApp && error.code === code,
    `the connection closed with application error ${code}`,
    () => `control stream: ${probe.describeStream('control')}${probe.describeClose()}`,
  );
  const errors = probe.find('control', 'Error', (_p, item) => item.seq >= after);
  if (errors.length === 0) {
    ctx.warn(`no Error frame arrived before the close with code ${code} (PROTOCOL.md 14/error-then-fate)`);
    return;
  }
  const first = errors[0]!;
  if (first.frame?.name !== 'Error') return;
  ensure(first.frame.payload.code === code, `Error{code ${code}} before the close`, describeReceived(first));
  if (errorContext !== undefined && first.frame.payload.context !== errorContext)
    ctx.warn(
      `Error context is ${JSON.stringify(first.frame.payload.context)}, expected "${errorContext}" (4.8/error-context)`,
    );
}

/** Waits for Error `code` on the control stream received after `after`; warns if its context is not as expected. */
export async function expectErrorCode(
  ctx: CheckContext,
  probe: ProbeConnection,
  code: number,
  after: number,
  context?: { startsWith: string },
): Promise<void> {
  const errors = await probe.until(
    () => {
      const list = probe.find('control', 'Error', (_p, item) => item.seq >= after);
      return list.length > 0 ? list : undefined;
    },
    {
      timeoutMs: ctx.timeoutMs,
      expected: `Error{code ${code}} on the control stream`,
      actual: () => `control stream: ${probe.describeStream('control')}${probe.describeClose()}`,
    },
  );
  const first = errors[0]!;
  if (first.frame?.name !== 'Error') fail(`Error{code ${code}}`, describeReceived(first));
  ensure(
    first.frame.payload.code === code,
    `Error{code ${code}} on the control stream`,
    describeReceived(first),
  );
  const actualContext = first.frame.payload.context;
  if (context && !(actualContext ?? '').startsWith(context.startsWith))
    ctx.warn(
      `Error context is ${JSON.stringify(actualContext)}; expected it to start with "${context.startsWith}" (4.8/error-context)`,
    );
}

/** The "stream aborted" fate for a client stream: Error `code` naming the stream, and STOP_SENDING `code`. */
export async function expectStreamAborted(
  ctx: CheckContext,
  probe: ProbeConnection,
  streamId: number,
  code: number,
  after: number,
): Promise<void> {
  await expectErrorCode(ctx, probe, code, after, { startsWith: `stream ${streamId}` });
  await expectStopSendingCode(ctx, probe, streamId, code);
}

/**
 * Waits for STOP_SENDING on a client stream and compares its application error code with `code` (14/error-then-fate:
 * the Error's code). A code the transport could not see (the server sent the ACK of the stream's bytes with or after
 * STOP_SENDING, and quiche forgot the stream) is a warning, not a failure.
 */
export async function expectStopSendingCode(
  ctx: CheckContext,
  probe: ProbeConnection,
  streamId: number,
  code: number,
): Promise<void> {
  const stopCode = await probe.expectStopSending(
    streamId,
    ctx.timeoutMs,
    `STOP_SENDING with application error ${code} on stream ${streamId} (stream aborted)`,
  );
  if (stopCode === 'unknown') {
    ctx.warn(`STOP_SENDING on stream ${streamId} arrived, its code could not be seen (ACK sent with it)`);
    return;
  }
  ensure(
    stopCode === code,
    `STOP_SENDING with application error ${code} on stream ${streamId}`,
    `STOP_SENDING with ${stopCode}`,
  );
}

/**
 * The connections still work: each answers a Ping, and none is closed after a quiet period (a server that closes a
 * little after the violation is caught too).
 */
export async function expectAlive(ctx: CheckContext, ...probes: ProbeConnection[]): Promise<void> {
  await Promise.all(
    probes.map((probe) =>
      probe.ping(ctx.timeoutMs, `Pong from the server on ${probe.label}'s connection (it must survive)`),
    ),
  );
  await ctx.sleep(ctx.settleMs);
  for (const probe of probes)
    ensure(!probe.closed, `${probe.label}'s connection to stay open`, () => `${probe.describe()}`);
}

/** No Error frame arrived on the control stream after `after`. */
export function expectNoError(probe: ProbeConnection, after: number, why: string): void {
  const errors = probe.find('control', 'Error', (_p, item) => item.seq >= after);
  ensure(errors.length === 0, `no Error frame (${why})`, () => errors.map(describeReceived).join(', '));
}

/** True when two u64 values are equal. */
export function sameId(a: unknown, b: unknown): boolean {
  if ((typeof a !== 'number' && typeof a !== 'bigint') || (typeof b !== 'number' && typeof b !== 'bigint'))
    return false;
  return compareU64(a, b) === 0;
}
