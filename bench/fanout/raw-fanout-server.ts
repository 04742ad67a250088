/**
 * The fan-out bench's baseline: a plain transport server (no protocol, no rooms) that writes one pre-encoded
 * RoomMessage frame to a server uni stream of each of its first N connections, one write() call per frame, as fast
 * as the transport's backpressure allows. Frames received across all clients per second is the transport's raw
 * one-way frame rate for that fan-out width, the ceiling the reference server's fan-out is compared with.
 */
import {
  QuicEndpoint,
  type CertificateAndKey,
  type HostPort,
  type QuicConnection,
} from '../../transport/index.js';

/**
 * A transport endpoint on 127.0.0.1 (any port) listening with the reference server's transport settings (100
 * streams of each kind, datagrams on): a baseline's side of a comparison runs the same QUIC configuration.
 */
export async function listenLikeTheServer(tls: CertificateAndKey): Promise<QuicEndpoint> {
  const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1', port: 0 });
  endpoint.listen({
    cert: tls.cert,
    key: tls.key,
    maxConnections: 100_000,
    maxStreamsBidi: 100,
    maxStreamsUni: 100,
    datagrams: true,
  });
  return endpoint;
}

/** One connection being written to. */
class RawTarget {
  /** Part of a frame the transport refused; written first on drain. */
  pending: Uint8Array | null = null;

  constructor(
    readonly connection: QuicConnection,
    readonly streamId: number,
  ) {}
}

/** A transport-only server that floods its connections with a fixed frame on demand. */
export class RawFanoutServer {
  private readonly connections: QuicConnection[] = [];
  private targets: RawTarget[] = [];
  private running = false;

  private constructor(
    private readonly endpoint: QuicEndpoint,
    private readonly frame: Uint8Array,
  ) {
    endpoint.onConnection = (connection) => {
      this.connections.push(connection);
    };
  }

  /**
   * Listens on 127.0.0.1 (any port) with the reference server's transport settings (100 streams of each kind,
   * datagrams on), so both sides of the comparison run the same QUIC configuration.
   */
  static async start(tls: CertificateAndKey, frame: Uint8Array): Promise<RawFanoutServer> {
    return new RawFanoutServer(await listenLikeTheServer(tls), frame);
  }

  /** The bound address. */
  get address(): HostPort {
    return this.endpoint.localAddress;
  }

  /** Established connections so far. */
  get connectionCount(): number {
    return this.connections.length;
  }

  /** Waits until `n` connections completed the handshake on this side (a client knows a little earlier). */
  async whenConnected(n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.connections.length < n) {
      if (performance.now() > deadline)
        throw new Error(`only ${this.connections.length} of ${n} baseline connections`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Starts writing to the first `n` connections (each gets a new uni stream) until `stop()`. */
  start(n: number): void {
    if (n > this.connections.length) throw new Error(`only ${this.connections.length} baseline connections`);
    this.running = true;
    this.targets = this.connections.slice(0, n).map((connection) => {
      const target = new RawTarget(connection, connection.openUni());
      connection.onDrain = () => this.pump(target);
      return target;
    });
    for (const target of this.targets) this.pump(target);
  }

  /** Stops writing and resets each stream, so that the megabytes still queued are dropped instead of delivered. */
  stop(): void {
    this.running = false;
    for (const target of this.targets) {
      target.connection.onDrain = null;
      target.connection.resetStream(target.streamId, 0);
    }
    this.targets = [];
  }

  /** Closes every connection and the socket. */
  close(): Promise<void> {
    this.stop();
    return this.endpoint.close({ timeoutMs: 500 });
  }

  /** Writes frames, one write() per frame like an application fanning out, until the transport refuses. */
  private pump(target: RawTarget): void {
    const { connection, streamId } = target;
    if (target.pending !== null) {
      const accepted = connection.write(streamId, target.pending);
      if (accepted < target.pending.length) {
        target.pending = target.pending.subarray(accepted);
        return;
      }
      target.pending = null;
    }
    const frame = this.frame;
    while (this.running) {
      const accepted = connection.write(streamId, frame);
      if (accepted < frame.length) {
        target.pending = frame.subarray(accepted);
        return;
      }
    }
  }
}
