/**
 * A listening endpoint's answer to a long-header datagram for no known connection: a Version Negotiation for an
 * unsupported version, nothing for what is not a full-sized Initial, CONNECTION_REFUSED over the connection limit,
 * a Retry (and then the token's check) when address validation is on, and otherwise a new quiche connection for the
 * endpoint to track. Holds the listener's TLS config and knobs and its count of connections.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type { Config, Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import { newConnectionId } from './connection-ids.js';
import { TransportError } from './errors.js';
import { resolveTransportOptions } from './options.js';
import type { ResolvedTransportOptions, ServerOptions } from './options.js';
import { CID_LENGTH } from './packet-header.js';
import type { HostPort } from './packet-io.js';
import type { PacketOutput } from './packet-output.js';
import { buildServerConfig } from './quiche-config.js';
import { RetryTokens } from './retry-token.js';

/** @internal The endpoint's counters this module adds to (a subset of EndpointStats). */
export interface AdmissionCounters {
  packetsDropped: number;
  connectionsRefused: number;
  retriesSent: number;
  versionNegotiationsSent: number;
}

/** @internal A connection quiche accepted, for the endpoint to track. */
export interface AdmittedConnection {
  readonly native: NativeConnection;
  /** Our connection id. */
  readonly scid: Buffer;
  readonly remote: HostPort;
  /** The client came back with a valid Retry token, so it already addresses our connection id. */
  readonly retried: boolean;
}

const CONNECTION_REFUSED = 0x2;
/** RFC 9000 §14.1: a server MUST discard an Initial in a datagram smaller than this. */
const MIN_INITIAL_DATAGRAM = 1200;
const textEncoder = new TextEncoder();

/** @internal See the module comment. */
export class ServerAdmission {
  readonly config: Config;
  readonly options: ResolvedTransportOptions;
  readonly maxConnections: number;
  /** Server connections not yet closed (draining ones no longer count). */
  connections = 0;
  private readonly retry: RetryTokens | null;

  /** Throws TLS_CONFIG / INVALID_ARGUMENT on bad options (as QuicEndpoint.listen). */
  constructor(
    options: ServerOptions,
    private readonly output: PacketOutput,
    private readonly counters: AdmissionCounters,
  ) {
    const resolved = resolveTransportOptions(options, 'listen');
    const maxConnections = options.maxConnections ?? 10_000;
    if (!Number.isInteger(maxConnections) || maxConnections < 0) {
      throw new TransportError(
        'INVALID_ARGUMENT',
        'listen.maxConnections',
        `expected an integer >= 0, got ${maxConnections}`,
      );
    }
    this.config = buildServerConfig(options, resolved);
    this.options = resolved;
    this.maxConnections = maxConnections;
    this.retry = options.retry === true ? new RetryTokens() : null;
  }

  /**
   * Answers a long-header datagram from `host`:`port` for no known connection; returns the connection to track, or
   * null when the datagram was answered statelessly or dropped (counted either way).
   */
  admit(data: Buffer, host: string, port: number, local: HostPort): AdmittedConnection | null {
    let header;
    try {
      header = quiche.Header.fromSlice(data, CID_LENGTH);
    } catch {
      this.counters.packetsDropped++;
      return null;
    }
    if (!quiche.versionIsSupported(header.version)) {
      if (header.version === 0) {
        this.counters.packetsDropped++;
        return null;
      }
      this.output.sendStateless(host, port, (out) => quiche.negotiateVersion(header.scid, header.dcid, out));
      this.counters.versionNegotiationsSent++;
      return null;
    }
    if (header.ty !== quiche.Type.Initial || data.length < MIN_INITIAL_DATAGRAM) {
      this.counters.packetsDropped++;
      return null;
    }
    const remote = { host, port };
    if (this.connections >= this.maxConnections) {
      this.refuse(data, remote, local);
      return null;
    }
    let scid: Buffer;
    let odcid: Buffer | null = null;
    if (this.retry !== null) {
      const token = header.token;
      if (token === undefined || token.length === 0) {
        const newScid = newConnectionId();
        const minted = this.retry.mint(header.dcid, host);
        this.output.sendStateless(host, port, (out) =>
          quiche.retry(header.scid, header.dcid, newScid, minted, header.version, out),
        );
        this.counters.retriesSent++;
        return null;
      }
      odcid = this.retry.validate(token, host);
      if (odcid === null || header.dcid.length !== CID_LENGTH) {
        this.counters.packetsDropped++;
        return null;
      }
      scid = Buffer.from(header.dcid);
    } else {
      scid = newConnectionId();
    }
    const native = quiche.Connection.accept(scid, odcid, local, remote, this.config);
    return { native, scid, remote, retried: odcid !== null };
  }

  /**
   * Over the connection limit: answer with CONNECTION_CLOSE (CONNECTION_REFUSED). The
   * close must follow the server's first flight, or the client cannot decrypt it; the
   * throwaway connection is then dropped without being tracked.
   */
  private refuse(data: Buffer, remote: HostPort, local: HostPort): void {
    const native = quiche.Connection.accept(newConnectionId(), null, local, remote, this.config);
    try {
      native.recv(data, { from: remote, to: local });
      this.output.sendAll(native);
      native.close(false, CONNECTION_REFUSED, textEncoder.encode('server at connection limit'));
      this.output.sendAll(native);
    } catch {
      // Nothing more to tell a client whose Initial quiche rejected.
    }
    this.counters.connectionsRefused++;
  }
}
