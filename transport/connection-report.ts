/**
 * What a native connection reports, in the transport's terms: its counters and path estimates, and, once it is
 * closed, why (our own close, the peer's, an idle timeout, a transport error) with both sides' error frames.
 */
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import { TransportError } from './errors.js';
import type { CloseCause, CloseInfo, ConnectionStats } from './connection-types.js';
import { decodeError } from './quiche-errors.js';

/** Counters and path estimates of a connection (its first path). */
export function readConnectionStats(native: NativeConnection): ConnectionStats {
  const s = native.stats();
  const path = native.pathStats()[0];
  return {
    rttMs: path?.rtt ?? 0,
    cwnd: path?.cwnd ?? 0,
    deliveryRate: path?.deliveryRate ?? 0,
    sentPackets: s.sent,
    recvPackets: s.recv,
    lostPackets: s.lost,
    retransmittedPackets: s.retrans,
    sentBytes: s.sentBytes,
    recvBytes: s.recvBytes,
    lostBytes: s.lostBytes,
    peerMaxAckDelayMs: s.peerMaxAckDelay,
  };
}

/**
 * Why a closed connection closed. `ownCause` is the cause this side recorded when it closed or gave up (null when
 * quiche closed it on its own): then a peer error means the peer closed, an expired idle timer an idle timeout, and
 * anything else a transport error.
 */
export function readCloseInfo(
  native: NativeConnection,
  ownCause: CloseCause | null,
  wasEstablished: boolean,
): CloseInfo {
  const peerError = decodeError(native.peerError());
  const localError = decodeError(native.localError());
  let cause = ownCause;
  if (cause === null) {
    if (peerError !== null) cause = 'peer';
    else if (native.isTimedOut()) cause = 'idle-timeout';
    else cause = 'transport-error';
  }
  return { cause, wasEstablished, localError, peerError };
}

/** The error `whenEstablished` rejects with when the connection closed first. */
export function notEstablishedError(info: CloseInfo): TransportError {
  const detail = info.peerError ?? info.localError;
  const suffix =
    detail === null ? '' : ` (${detail.isApp ? 'app' : 'transport'} error ${detail.code} "${detail.reason}")`;
  return new TransportError(
    'CONNECTION_STATE',
    'whenEstablished',
    `closed before establishment: ${info.cause}${suffix}`,
  );
}
