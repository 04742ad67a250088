/**
 * A connection waiting a round trip in its handshake sleeps until the peer's next flight or quiche's own timer: the
 * STOP_SENDING probe, which only an established connection runs, must not wake it. It did: a server connection that
 * had received the client's Initial woke every millisecond for an empty send loop until the client's Finished came.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuicConnection, QuicEndpoint } from '../../transport/index.js';
import { INSECURE, testCertificate } from './helpers/endpoints.js';
import { MemoryNetwork, PERFECT } from './helpers/memory-network.js';

const ONE_WAY_MS = 150;

let network: MemoryNetwork | null = null;
const endpoints: QuicEndpoint[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(endpoints.map((endpoint) => endpoint.close({ timeoutMs: 0 })));
  endpoints.length = 0;
  network?.dispose();
  network = null;
});

describe('handshake wake-ups', () => {
  it('a server connection waiting a round trip for the client Finished does not wake for the probe', async () => {
    network = new MemoryNetwork({ ...PERFECT, minDelayMs: ONE_WAY_MS, maxDelayMs: ONE_WAY_MS });
    const { cert, key } = await testCertificate();
    const server = new QuicEndpoint(network.createIO());
    const client = new QuicEndpoint(network.createIO());
    endpoints.push(server, client);
    server.listen({ cert, key });
    const serverExpiries = { count: 0 };
    const expire = QuicConnection.prototype.expire;
    vi.spyOn(QuicConnection.prototype, 'expire').mockImplementation(function (this: QuicConnection, now) {
      if (this.side === 'server' && this.state === 'handshaking') serverExpiries.count++;
      expire.call(this, now);
    });
    const established = new Promise<void>((resolve) => {
      server.onConnection = () => resolve();
    });
    const conn = client.connect(server.localAddress.host, server.localAddress.port, INSECURE);
    await conn.whenEstablished();
    await established;
    // The server's connection was handshaking for a round trip (2 x 150 ms): at most quiche's own timers woke it
    // (a loss-detection probe or two), not a wake-up per millisecond.
    expect(serverExpiries.count).toBeLessThan(10);
  });
});
