/**
 * A closing connection sends its CONNECTION_CLOSE and then only answers packets that arrive (RFC 9000 §10.2.1).
 * quiche 0.18 answers every send call of a client closed right after establishment (handshake not yet confirmed)
 * with yet another CONNECTION_CLOSE; a send loop that ran on quiche's timer or until quiche had nothing left sent
 * hundreds to tens of thousands of packets a second from one closed connection until its draining timer ended,
 * overflowing the peer's receive buffer for every other connection (a conformance run lost whole handshakes).
 */
import { describe, expect, it } from 'vitest';
import { endpointPair } from './helpers/endpoints.js';
import { MemoryNetwork, PERFECT } from './helpers/memory-network.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('closing a connection', () => {
  it('sends its close flight and a few repeats on timers when no packet arrives', async () => {
    const network = new MemoryNetwork({ ...PERFECT });
    const pair = await endpointPair({}, { server: network.createIO(), client: network.createIO() });
    try {
      const client = pair.connect({ insecure: true, idleTimeoutMs: 2000 });
      await client.whenEstablished();
      // Nothing reaches the client from now on: no packet can prompt another CONNECTION_CLOSE.
      network.faults = { ...PERFECT, loss: 1 };
      const before = pair.client.stats().packetsSent;
      client.close(0, 'bye');
      await settle(300);
      const sent = pair.client.stats().packetsSent - before;
      expect(sent).toBeGreaterThanOrEqual(1);
      // The close flight and a few repeats on quiche's timer, within the closing budget.
      expect(sent).toBeLessThanOrEqual(12);
    } finally {
      await pair.close();
      network.dispose();
    }
  });

  it('over loopback, a probe closed right after its handshake sends a handful of packets, not a flood', async () => {
    // The sequence of the conformance check 2/alpn (a refused ALPN, then a connection that opens its control
    // stream and is closed at once), repeated: the flood began after a few rounds to a few hundred.
    const pair = await endpointPair({ alpn: ['chat'] });
    try {
      let worst = 0;
      for (let round = 0; round < 60; round++) {
        const refused = pair.connect({ insecure: true, alpn: ['h3'], handshakeTimeoutMs: 3000 });
        await refused.whenEstablished().catch(() => undefined);
        const probe = pair.connect({ insecure: true, alpn: ['chat'], handshakeTimeoutMs: 3000 });
        await probe.whenEstablished();
        probe.openBidi();
        const before = pair.client.stats().packetsSent;
        refused.close(0, '');
        probe.close(0, '');
        await settle(40);
        worst = Math.max(worst, pair.client.stats().packetsSent - before);
      }
      // Each close: its flights, answers and repeats, all within the closing budget of 32 packets; the flood sent
      // hundreds within the 40 ms.
      expect(worst).toBeLessThanOrEqual(40);
    } finally {
      await pair.close();
    }
  }, 30_000);
});
