/**
 * The server under test: `host:port` parsing and resolution, TLS policy (CA file or insecure), and the client
 * endpoint every probe of a run shares.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { QuicEndpoint, type ClientOptions } from '../../transport/index.js';
import type { ProbeTarget } from './probe-connection.js';

/** A `host:port` that cannot be used. */
export class TargetSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetSyntaxError';
  }
}

/** Host and port as given. */
export interface HostAndPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` (throws TargetSyntaxError). */
export function parseHostPort(text: string): HostAndPort {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!match) throw new TargetSyntaxError(`--target: expected host:port (or [ipv6]:port), got "${text}"`);
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new TargetSyntaxError(`--target: port must be 1-65535, got "${match[2]}"`);
  return { host: match[1]!, port };
}

/** An address of a host name, IPv4 first (servers commonly listen on 127.0.0.1, not ::1). */
async function resolveHost(host: string): Promise<string> {
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!chosen) throw new Error(`no address for ${host}`);
  return chosen.address;
}

/** TLS and ALPN policy of the probes. */
export interface ClientPolicy {
  /** PEM of the CA to verify the server against; null: do not verify (insecure). */
  readonly ca: string | null;
  /** TLS server name (SNI and name check); null for none. */
  readonly serverName: string | null;
  /** Handshake timeout, ms. */
  readonly handshakeTimeoutMs: number;
}

/** A resolved target with its client endpoint. Close it when the run is over. */
export class ResolvedTarget implements ProbeTarget {
  private readonly optionsByAlpn = new Map<string, ClientOptions>();

  private constructor(
    readonly endpoint: QuicEndpoint,
    readonly host: string,
    readonly port: number,
    readonly label: string,
    private readonly policy: ClientPolicy,
  ) {
    // A probe's callbacks never throw; should one ever, it must fail a check, not the process.
    endpoint.onError = () => undefined;
  }

  /** Resolves the host (DNS names are looked up) and binds a client endpoint. */
  static async open(target: HostAndPort, policy: ClientPolicy): Promise<ResolvedTarget> {
    const address = isIP(target.host) !== 0 ? target.host : await resolveHost(target.host);
    const bindHost = isIP(address) === 6 ? '::' : '0.0.0.0';
    const loopback = address === '127.0.0.1' || address === '::1';
    const endpoint = await QuicEndpoint.bind({ host: loopback ? address : bindHost });
    const shown = target.host.includes(':') ? `[${target.host}]` : target.host;
    return new ResolvedTarget(endpoint, address, target.port, `${shown}:${target.port}`, policy);
  }

  clientOptions(alpn: string): ClientOptions {
    let options = this.optionsByAlpn.get(alpn);
    if (!options) {
      options = {
        alpn: [alpn],
        insecure: this.policy.ca === null,
        handshakeTimeoutMs: this.policy.handshakeTimeoutMs,
        // Probes are short-lived; an idle server is noticed by the per-wait timeouts anyway.
        idleTimeoutMs: 60_000,
        // Checks compare STOP_SENDING codes: look for them after every packet, before quiche forgets the stream.
        stopProbeIntervalMs: 0,
      };
      if (this.policy.ca !== null) options.ca = this.policy.ca;
      if (this.policy.serverName !== null) options.serverName = this.policy.serverName;
      this.optionsByAlpn.set(alpn, options);
    }
    return options;
  }

  /** Closes the client endpoint (all probes). */
  close(): Promise<void> {
    return this.endpoint.close({ timeoutMs: 300 });
  }
}
