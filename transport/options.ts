/**
 * Transport knobs, their defaults (those of the original garou server where it has one)
 * and their validation.
 */
import { TransportError } from './errors.js';
import { SWEEP_INTERVAL_MS } from './send-timing.js';

/** PEM text, as a string or as the bytes of a PEM file. */
export type Pem = string | Uint8Array;

/** Knobs shared by servers and clients. Every field is optional. */
export interface TransportOptions {
  /** ALPN protocols offered (client) or accepted (server), most preferred first. Default `['chat']`. */
  alpn?: string[];
  /** Idle timeout in ms; the smaller of both sides' values applies. Default 300 000. */
  idleTimeoutMs?: number;
  /** Handshake must complete within this many ms, or the connection closes. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Streams the peer may open concurrently, per direction type. Default 100 each. */
  maxStreamsBidi?: number;
  maxStreamsUni?: number;
  /** Initial flow-control window per stream, bytes. Default 1 MiB. */
  streamWindow?: number;
  /** Initial flow-control window per connection, bytes. Default 10 MiB. */
  connectionWindow?: number;
  /** Enable QUIC datagrams (RFC 9221). Default true. */
  datagrams?: boolean;
  /** Datagrams held by quiche per direction before new ones are dropped. Default 1024 each. */
  datagramRecvQueue?: number;
  datagramSendQueue?: number;
  /** Largest UDP payload we send, bytes. Default 1350. */
  maxUdpPayload?: number;
  /**
   * Bytes per stream the transport queues before handing them to quiche (at each flush,
   * as far as flow control and the congestion window allow). A write beyond this is
   * refused in part; see `QuicConnection.write`. At least 1024. Default 256 KiB.
   */
  streamWriteBuffer?: number;
  /** Congestion controller. Default 'cubic'. */
  congestionControl?: 'cubic' | 'reno' | 'bbr';
  /**
   * How long an acknowledgement may wait for data to ride with, ms (quiche itself acks every packet at once).
   * When a packet arrives and we have nothing to send, the send is held back until this much later, the next
   * write, a second packet, or a timer, whichever comes first: chat traffic then sends one packet per delivery
   * instead of a packet plus a bare ACK. The advertised max_ack_delay is this plus 10 ms unless
   * `advertisedMaxAckDelayMs` says otherwise. 0 = ack at once. Default 25.
   */
  ackDelayMs?: number;
  /**
   * The max_ack_delay transport parameter we advertise, ms (RFC 9000 §18.2): the longest we promise to keep an
   * acknowledgement waiting. The peer adds it (doubled at each backoff) to its probe timeout, so a larger value
   * makes the peer probe less when this endpoint's event loop stalls, and makes it wait longer before it resends a
   * packet that really was lost. At least ackDelayMs, below 2^14. Default ackDelayMs + 10 (the slack covers a
   * timer that fires late on a busy event loop).
   */
  advertisedMaxAckDelayMs?: number;
  /**
   * Least time between two probes of a connection's idle sending streams for a peer's STOP_SENDING, ms. quiche
   * forgets a stopped stream (and its code) once our RESET_STREAM answering it is acknowledged, so a peer that
   * needs the code (a conformance probe) sets 0: probe after every packet. Default 100.
   */
  stopProbeIntervalMs?: number;
}

/** Server-side options: a certificate is required. */
export interface ServerOptions extends TransportOptions {
  /** Certificate chain, PEM (leaf first). */
  cert: Pem;
  /** Private key of the leaf certificate, PEM. */
  key: Pem;
  /**
   * Most connections (handshaking or established) this server keeps at once. A client
   * beyond it receives CONNECTION_CLOSE with transport error CONNECTION_REFUSED (0x2).
   * Default 10 000.
   */
  maxConnections?: number;
  /**
   * Answer new clients with a stateless Retry first and allocate state only once they
   * echo a token proving they own their address (costs one round trip). Default false.
   */
  retry?: boolean;
}

/** Client-side options. */
export interface ClientOptions extends TransportOptions {
  /**
   * TLS server name (SNI and certificate name check). Default: none, which sends no SNI
   * and checks the chain only. IP literals never match a certificate name in BoringSSL,
   * so pass 'localhost' (or the DNS name) to check the name.
   */
  serverName?: string;
  /** Trusted CA certificates, PEM. Default: the system store of BoringSSL. */
  ca?: Pem;
  /** Skip server certificate verification entirely. Default false. */
  insecure?: boolean;
}

/** All transport knobs with defaults applied. */
export type ResolvedTransportOptions = Required<TransportOptions>;

/** Default advertised max_ack_delay beyond the endpoint's own ack delay, ms. */
export const ACK_DELAY_SLACK_MS = 10;

/** RFC 9000 §18.2: a max_ack_delay of 2^14 ms or more is invalid. */
const MAX_ACK_DELAY_LIMIT_MS = 2 ** 14 - 1;

const DEFAULTS: Omit<ResolvedTransportOptions, 'advertisedMaxAckDelayMs'> = {
  alpn: ['chat'],
  idleTimeoutMs: 300_000,
  handshakeTimeoutMs: 10_000,
  maxStreamsBidi: 100,
  maxStreamsUni: 100,
  streamWindow: 1024 * 1024,
  connectionWindow: 10 * 1024 * 1024,
  datagrams: true,
  datagramRecvQueue: 1024,
  datagramSendQueue: 1024,
  maxUdpPayload: 1350,
  streamWriteBuffer: 256 * 1024,
  congestionControl: 'cubic',
  ackDelayMs: 25,
  stopProbeIntervalMs: SWEEP_INTERVAL_MS,
};

function checkInteger(where: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      where,
      `expected an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

/** Applies defaults and validates every knob; `where` prefixes error locations. */
export function resolveTransportOptions(options: TransportOptions, where: string): ResolvedTransportOptions {
  const o: ResolvedTransportOptions = { ...DEFAULTS, advertisedMaxAckDelayMs: 0 };
  for (const key of Object.keys(DEFAULTS) as (keyof TransportOptions)[]) {
    const value = options[key];
    if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  }
  if (
    !Array.isArray(o.alpn) ||
    o.alpn.length === 0 ||
    o.alpn.some((p) => typeof p !== 'string' || p.length === 0)
  ) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `${where}.alpn`,
      'expected a non-empty array of non-empty strings',
    );
  }
  checkInteger(`${where}.idleTimeoutMs`, o.idleTimeoutMs, 0, 2 ** 31);
  checkInteger(`${where}.handshakeTimeoutMs`, o.handshakeTimeoutMs, 1, 2 ** 31);
  checkInteger(`${where}.maxStreamsBidi`, o.maxStreamsBidi, 0, 2 ** 30);
  checkInteger(`${where}.maxStreamsUni`, o.maxStreamsUni, 0, 2 ** 30);
  checkInteger(`${where}.streamWindow`, o.streamWindow, 0, 2 ** 40);
  checkInteger(`${where}.connectionWindow`, o.connectionWindow, 0, 2 ** 40);
  checkInteger(`${where}.datagramRecvQueue`, o.datagramRecvQueue, 1, 2 ** 24);
  checkInteger(`${where}.datagramSendQueue`, o.datagramSendQueue, 1, 2 ** 24);
  checkInteger(`${where}.maxUdpPayload`, o.maxUdpPayload, 1200, 65527);
  checkInteger(`${where}.streamWriteBuffer`, o.streamWriteBuffer, 1024, 2 ** 40);
  checkInteger(`${where}.ackDelayMs`, o.ackDelayMs, 0, 10_000);
  // Advertising less than we hold back would make the peer's probe timer fire while our ACK is still due.
  o.advertisedMaxAckDelayMs = options.advertisedMaxAckDelayMs ?? o.ackDelayMs + ACK_DELAY_SLACK_MS;
  checkInteger(
    `${where}.advertisedMaxAckDelayMs`,
    o.advertisedMaxAckDelayMs,
    o.ackDelayMs,
    MAX_ACK_DELAY_LIMIT_MS,
  );
  checkInteger(`${where}.stopProbeIntervalMs`, o.stopProbeIntervalMs, 0, 60_000);
  if (typeof o.datagrams !== 'boolean') {
    throw new TransportError('INVALID_ARGUMENT', `${where}.datagrams`, 'expected a boolean');
  }
  if (!['cubic', 'reno', 'bbr'].includes(o.congestionControl)) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `${where}.congestionControl`,
      `unknown "${String(o.congestionControl)}"`,
    );
  }
  return o;
}
