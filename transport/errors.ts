/**
 * Typed errors thrown by the transport. Runtime events on the wire (peer resets, closes,
 * timeouts) are never thrown: they arrive as connection callbacks. Only misuse of the API
 * and configuration problems throw.
 */

/** What kind of misuse or configuration problem a {@link TransportError} reports. */
export type TransportErrorCode =
  /** An argument or option has the wrong type or range. */
  | 'INVALID_ARGUMENT'
  /** The certificate, key or CA could not be loaded by BoringSSL. */
  | 'TLS_CONFIG'
  /** The UDP socket could not be bound. */
  | 'BIND_FAILED'
  /** The peer's stream limit (MAX_STREAMS) does not allow another stream now. */
  | 'STREAM_LIMIT'
  /** The stream id cannot be used that way by this side (wrong direction, never opened). */
  | 'STREAM_STATE'
  /** The connection is not established yet, or is closing/closed. */
  | 'CONNECTION_STATE'
  /** The endpoint is closed. */
  | 'ENDPOINT_CLOSED';

/** Error thrown by the transport API; `where` names the call or option at fault. */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly code: TransportErrorCode,
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
  }
}
