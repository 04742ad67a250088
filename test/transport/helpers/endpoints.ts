/**
 * Server/client endpoint pairs for transport tests, over UDP loopback or any PacketIO.
 */
import { QuicEndpoint, generateSelfSignedCert } from '../../../transport/index.js';
import type {
  CertificateAndKey,
  ClientOptions,
  PacketIO,
  QuicConnection,
  ServerOptions,
} from '../../../transport/index.js';

let certificate: Promise<CertificateAndKey> | null = null;

/** One self-signed localhost certificate per test process. */
export function testCertificate(): Promise<CertificateAndKey> {
  certificate ??= generateSelfSignedCert();
  return certificate;
}

/** A listening server endpoint and a client endpoint. */
export interface EndpointPair {
  server: QuicEndpoint;
  client: QuicEndpoint;
  /** Server-side connections in the order they were established. */
  accepted: QuicConnection[];
  /** Resolves with the n-th (0-based) established server connection. */
  acceptedAt(index: number): Promise<QuicConnection>;
  /** Connects the client endpoint to the server. */
  connect(options?: ClientOptions): QuicConnection;
  /** Closes both endpoints. */
  close(): Promise<void>;
}

/** Default client options for tests: the test certificate is self-signed. */
export const INSECURE: ClientOptions = { insecure: true };

/** Builds a pair over UDP loopback, or over the given I/O. */
export async function endpointPair(
  serverOptions: Partial<ServerOptions> = {},
  io?: { server: PacketIO; client: PacketIO },
): Promise<EndpointPair> {
  const { cert, key } = await testCertificate();
  const server = io ? new QuicEndpoint(io.server) : await QuicEndpoint.bind({ host: '127.0.0.1' });
  const client = io ? new QuicEndpoint(io.client) : await QuicEndpoint.bind({ host: '127.0.0.1' });
  server.listen({ cert, key, ...serverOptions });
  const accepted: QuicConnection[] = [];
  const waiters = new Map<number, (conn: QuicConnection) => void>();
  server.onConnection = (conn) => {
    accepted.push(conn);
    const index = accepted.length - 1;
    waiters.get(index)?.(conn);
    waiters.delete(index);
  };
  return {
    server,
    client,
    accepted,
    acceptedAt(index) {
      const conn = accepted[index];
      if (conn !== undefined) return Promise.resolve(conn);
      return new Promise((resolve) => waiters.set(index, resolve));
    },
    connect(options = INSECURE) {
      return client.connect(server.localAddress.host, server.localAddress.port, options);
    },
    async close() {
      await Promise.all([client.close({ timeoutMs: 500 }), server.close({ timeoutMs: 500 })]);
    },
  };
}
