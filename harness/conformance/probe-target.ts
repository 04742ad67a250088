/**
 * Where a conformance probe connects and how: the target's endpoint and address, the client options per ALPN,
 * each probe's options, and the error a probe raises when the QUIC handshake fails.
 */
import type { ClientOptions, CloseInfo, QuicEndpoint } from '../../transport/index.js';

/** Where the probe connects, and with which client options (one options object per ALPN). */
export interface ProbeTarget {
  readonly endpoint: QuicEndpoint;
  /** IP literal. */
  readonly host: string;
  readonly port: number;
  /** Human-readable target for reports. */
  readonly label: string;
  /** Client options for an ALPN; the same object for the same ALPN so its TLS context is built once. */
  clientOptions(alpn: string): ClientOptions;
}

/** A probe could not complete the QUIC handshake. */
export class ProbeConnectError extends Error {
  constructor(
    message: string,
    readonly closeInfo: CloseInfo | null,
  ) {
    super(message);
    this.name = 'ProbeConnectError';
  }
}

/** Options of one probe connection. */
export interface ProbeOptions {
  readonly alpn: string;
  /** Name for reports (e.g. "alice"). */
  readonly label: string;
  /** Shard count to assume until a HelloAck says otherwise. */
  readonly defaultNumShards: number;
}
