/**
 * The reference server: binds the transport's QUIC endpoint to the protocol core.
 *
 * Each established connection gets a QuicConnectionPort (output) and a ConnectionSession (input); transport events
 * (stream data, resets, datagrams, drains, close) go straight to them. A timer drives the ChatService's periodic
 * work (hot-room demotion, pings). Nothing here knows the protocol.
 */
import { QuicEndpoint, type HostPort, type QuicConnection } from '../transport/index.js';
import { ChatService } from './chat-service.js';
import type { ServerConfig } from './config.js';
import { SILENT_LOGGER, type CoreLogger } from './connection-port.js';
import { QuicConnectionPort } from './quic-connection-port.js';
import { NULL_OBSERVER, type ServerObserver } from './server-observer.js';
import { DEFAULT_ALPNS, type ServerComposition } from './server-composition.js';

/** How often the core's periodic work runs (PROTOCOL.md 10/demote asks for at least once a second). */
export const TICK_INTERVAL_MS = 250;

/** Everything a server needs besides its configuration. */
export interface ServerDependencies {
  /** TLS certificate and key, PEM. */
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
  /** Resolved upload directory. */
  readonly dataDir: string;
  readonly logger?: CoreLogger;
  readonly observer?: ServerObserver;
  /** Collaborators composed in from outside (ALPNs, decorators of the core and connections); none by default. */
  readonly composition?: ServerComposition;
}

/** A running reference server. */
export class GarouServer {
  private readonly ticker: NodeJS.Timeout;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly endpoint: QuicEndpoint,
    /** The protocol core (exposed for tests and tools). */
    readonly service: ChatService,
    private readonly config: ServerConfig,
    private readonly logger: CoreLogger,
    private readonly composition: ServerComposition,
  ) {
    endpoint.onConnection = (connection) => this.accept(connection);
    // A throwing callback must not take the whole server down; sessions already guard client input.
    endpoint.onError = (error) => logger.error({ err: error }, 'transport callback failed');
    this.ticker = setInterval(() => this.service.tick(), TICK_INTERVAL_MS);
  }

  /** Binds the UDP socket and starts accepting connections. */
  static async start(config: ServerConfig, deps: ServerDependencies): Promise<GarouServer> {
    const logger = deps.logger ?? SILENT_LOGGER;
    const service = new ChatService(config, {
      dataDir: deps.dataDir,
      logger,
      observer: deps.observer ?? NULL_OBSERVER,
    });
    const composition = deps.composition ?? {};
    composition.decorateService?.(service);
    const endpoint = await QuicEndpoint.bind({ host: config.host, port: config.port });
    try {
      endpoint.listen({
        cert: deps.cert,
        key: deps.key,
        alpn: [...(composition.alpns ?? DEFAULT_ALPNS)],
        idleTimeoutMs: config.idleTimeoutMs,
        maxConnections: config.maxConnections,
        // PROTOCOL.md 2/stream-limits and 2/datagrams: 100 streams of each kind, datagrams on.
        maxStreamsBidi: 100,
        maxStreamsUni: 100,
        datagrams: true,
      });
    } catch (error) {
      await endpoint.close();
      throw error;
    }
    return new GarouServer(endpoint, service, config, logger, composition);
  }

  /** The bound address (the actual port when configured with port 0). */
  get address(): HostPort {
    return this.endpoint.localAddress;
  }

  /**
   * Graceful shutdown: Goodbye to every client, close each connection with code 0, wait for them to finish
   * closing (bounded), release the socket. Idempotent.
   */
  shutdown(reason = 'server shutting down'): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.ticker);
      this.service.shutdown(reason);
      await waitUntil(() => this.endpoint.connectionCount === 0, 1500);
      await this.endpoint.close({ errorCode: 0, reason, timeoutMs: 1000 });
      await this.service.uploads.close(); // no upload file handle outlives the server
      this.logger.info({}, 'server stopped');
    })();
    return this.closing;
  }

  private accept(connection: QuicConnection): void {
    const port = new QuicConnectionPort(connection, {
      maxBacklogBytes: this.config.maxSendBacklogBytes,
      logger: this.logger,
    });
    const session = this.service.connect(port, connection.remoteAddress.host);
    this.composition.decorateConnection?.(port, session, this.service);
    const remote = `${connection.remoteAddress.host}:${connection.remoteAddress.port}`;
    this.logger.debug({ connection: session.id, remote }, 'connection established');
    port.onFailure = (reason) => session.terminate(1010, reason);
    connection.onData = (streamId, data, fin) => session.onStreamData(streamId, data, fin);
    connection.onStreamReset = (streamId) => session.onStreamReset(streamId);
    connection.onStopSending = (streamId) => port.stop(streamId);
    connection.onDrain = (streamId) => port.drain(streamId);
    connection.onDatagram = (data) => session.onDatagram(data);
    connection.onClose = (info) => {
      port.released();
      session.onClosed();
      this.logger.debug(
        { connection: session.id, cause: info.cause, local: info.localError, peer: info.peerError },
        'connection closed',
      );
    };
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
