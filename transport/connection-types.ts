/**
 * The public types a connection reports: its side and lifecycle state, close causes and errors, and stats.
 */

/** Which end of the handshake this connection is. */
export type ConnectionSide = 'client' | 'server';

/**
 * Lifecycle: `handshaking` -> `established` -> `closing` (close sent or received; no more
 * events except `onClose`) -> `closed` (state freed). A connection may skip `established`.
 */
export type ConnectionState = 'handshaking' | 'established' | 'closing' | 'closed';

/** An error carried by a CONNECTION_CLOSE frame. */
export interface ConnectionError {
  /** true: application error (our `close(code)`); false: QUIC transport or TLS error (RFC 9000 §20.1). */
  isApp: boolean;
  code: number;
  reason: string;
}

/** Why a connection ended. */
export type CloseCause =
  /** `close()` was called on this side. */
  | 'local'
  /** The peer sent CONNECTION_CLOSE (see `peerError`). */
  | 'peer'
  /** No packet within the idle timeout. */
  | 'idle-timeout'
  /** The handshake did not finish within `handshakeTimeoutMs`. */
  | 'handshake-timeout'
  /** quiche closed it on a protocol or TLS failure it detected (see `localError`). */
  | 'transport-error'
  /** The endpoint was closed and the connection did not finish closing in time. */
  | 'endpoint-closed';

/** What `onClose` reports. */
export interface CloseInfo {
  cause: CloseCause;
  /** Whether the handshake had completed. */
  wasEstablished: boolean;
  /** The error this side sent, if any. */
  localError: ConnectionError | null;
  /** The error the peer sent, if any. */
  peerError: ConnectionError | null;
}

/** Counters and path estimates from quiche. */
export interface ConnectionStats {
  /** Smoothed RTT in whole milliseconds (the binding truncates; loopback shows 0). */
  rttMs: number;
  /** Congestion window, bytes. */
  cwnd: number;
  /** Estimated delivery rate, bytes/s. */
  deliveryRate: number;
  sentPackets: number;
  recvPackets: number;
  lostPackets: number;
  retransmittedPackets: number;
  sentBytes: number;
  recvBytes: number;
  lostBytes: number;
  /** The max_ack_delay the peer advertised, ms: our probe timeout includes it. */
  peerMaxAckDelayMs: number;
}
