/**
 * Why a connection attempt failed before AuthOk, as a reason a user can count and act on. A load run reports
 * failures by reason (summary.json `connectFailures`), so a storm of 18,000 failures says whether the server
 * refused them, timed out, or rejected the TLS handshake.
 */
import type { CloseInfo, ConnectionError } from '../../transport/index.js';

/** The reasons a connect can fail for; each has a fixed meaning (see REASON_TEXT). */
export type ConnectFailureReason =
  | 'handshake-timeout'
  | 'refused'
  | 'tls'
  | 'auth-failed'
  | 'no-hello-ack'
  | 'no-auth-ok'
  | 'server-closed'
  | 'idle-timeout'
  | 'transport-error'
  | 'local-error'
  | 'aborted';

/** What one reason means, for readers of summary.json and the console. */
export const CONNECT_FAILURE_TEXT: Record<ConnectFailureReason, string> = {
  'handshake-timeout': 'QUIC handshake did not complete in time (no answer, or the server was too slow)',
  refused: 'the server refused the connection (QUIC CONNECTION_REFUSED: at its connection limit?)',
  tls: 'TLS handshake failed (certificate, CA, ALPN or SNI)',
  'auth-failed': 'the server answered Auth with AuthFailed',
  'no-hello-ack': 'QUIC connected but no HelloAck arrived in time',
  'no-auth-ok': 'HelloAck arrived but no AuthOk in time',
  'server-closed': 'the server closed the connection before AuthOk',
  'idle-timeout': 'the connection went silent before AuthOk (QUIC idle timeout)',
  'transport-error': 'this side closed the connection on a QUIC protocol error',
  'local-error': 'the connection could not be started here (socket or TLS configuration)',
  aborted: 'the harness closed the attempt (run ending)',
};

/** A failed connect: its reason and a detail line (codes, limits). */
export interface ConnectFailure {
  reason: ConnectFailureReason;
  detail: string;
}

/** QUIC transport error CONNECTION_REFUSED (RFC 9000 §20.1). */
const CONNECTION_REFUSED = 0x2;
/** QUIC CRYPTO_ERROR range: 0x100 + TLS alert (RFC 9000 §20.1). */
const CRYPTO_ERROR_FIRST = 0x100;
const CRYPTO_ERROR_LAST = 0x1ff;

/** TLS alerts (RFC 8446 §6) a failed QUIC handshake commonly carries. */
const TLS_ALERTS: Record<number, string> = {
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  80: 'internal_error',
  109: 'missing_extension',
  112: 'unrecognized_name (SNI)',
  116: 'certificate_required',
  120: 'no_application_protocol (ALPN)',
};

function isCryptoError(error: ConnectionError | null): boolean {
  return (
    error !== null && !error.isApp && error.code >= CRYPTO_ERROR_FIRST && error.code <= CRYPTO_ERROR_LAST
  );
}

function tlsDetail(error: ConnectionError, side: 'server' | 'client'): string {
  const alert = error.code - CRYPTO_ERROR_FIRST;
  const name = TLS_ALERTS[alert] ?? 'unknown alert';
  const by = side === 'server' ? 'the server sent' : 'this side sent';
  return `${by} TLS alert ${alert} ${name}${error.reason ? `: ${error.reason}` : ''}`;
}

function errorText(error: ConnectionError): string {
  const kind = error.isApp ? 'application' : 'transport';
  return `${kind} code 0x${error.code.toString(16)}${error.reason ? ` "${error.reason}"` : ''}`;
}

/** Classifies the close of a connection that never reached AuthOk. */
export function classifyClose(info: CloseInfo): ConnectFailure {
  const { peerError, localError } = info;
  if (peerError !== null && isCryptoError(peerError))
    return { reason: 'tls', detail: tlsDetail(peerError, 'server') };
  if (localError !== null && isCryptoError(localError))
    return { reason: 'tls', detail: tlsDetail(localError, 'client') };
  if (peerError !== null && !peerError.isApp && peerError.code === CONNECTION_REFUSED) {
    return { reason: 'refused', detail: `server closed with ${errorText(peerError)}` };
  }
  switch (info.cause) {
    case 'handshake-timeout':
      return {
        reason: 'handshake-timeout',
        detail: 'no QUIC handshake completion within the connect timeout',
      };
    case 'idle-timeout':
      return {
        reason: 'idle-timeout',
        detail: `nothing heard within the idle timeout (${info.wasEstablished ? 'after' : 'during'} the QUIC handshake)`,
      };
    case 'endpoint-closed':
    case 'local':
      return { reason: 'aborted', detail: `closed by this side (${info.cause})` };
    case 'peer':
      return {
        reason: 'server-closed',
        detail:
          peerError === null ? 'server closed the connection' : `server closed with ${errorText(peerError)}`,
      };
    case 'transport-error':
      return {
        reason: 'transport-error',
        detail:
          localError === null ? 'QUIC protocol error' : `this side closed with ${errorText(localError)}`,
      };
  }
}

/** One line describing why a connection closed. */
export function describeClose(info: CloseInfo): string {
  const error = info.peerError ?? info.localError;
  const detail =
    error === null
      ? ''
      : ` (${error.isApp ? 'application' : 'transport'} error ${error.code}${error.reason ? `: ${error.reason}` : ''})`;
  return `${info.cause}${detail}`;
}
