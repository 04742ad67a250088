/**
 * quiche's errors as the binding reports them (messages like "StreamStopped(7)"), turned into codes and values.
 */
import type { ConnectionError } from './connection-types.js';

/**
 * `onStopSending` code when the peer stopped a stream but quiche no longer holds the code: quiche collects a
 * stopped stream as soon as everything sent on it is acknowledged (typically STOP_SENDING and the ACK of the data
 * arrive together), and afterwards only reports that the stream does not exist. Never a valid QUIC error code.
 */
export const STOP_SENDING_CODE_UNKNOWN = -1;

/** quiche's error for a stream it no longer knows (here: one of ours it collected after a STOP_SENDING). */
export function isCollectedStreamError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith('InvalidStreamState');
}

/** The error code in quiche's StreamStopped(code) / StreamReset(code) error, or null for other errors. */
export function errorCodeIn(err: unknown, kind: 'StreamStopped' | 'StreamReset'): number | null {
  const message = err instanceof Error ? err.message : String(err);
  const match = message.startsWith(kind) ? /\((\d+)\)/.exec(message) : null;
  return match === null ? null : Number(match[1]);
}

/** A CONNECTION_CLOSE error as quiche reports it, decoded. */
export function decodeError(
  error: { isApp: boolean; errorCode: number; reason: Uint8Array } | null,
): ConnectionError | null {
  if (error === null) return null;
  return { isApp: error.isApp, code: error.errorCode, reason: Buffer.from(error.reason).toString('utf8') };
}
