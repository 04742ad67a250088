/**
 * Closure checks after packets arrive: a receiver that acknowledged what arrived (its send loop sent something)
 * cannot have been closed by those packets, since quiche sends nothing once draining or closed, so it asks quiche
 * nothing (a harness client's immediate ACK of each delivery asked isClosed() and isDraining() before). A peer's
 * CONNECTION_CLOSE is still reported at once (one network delay after the server closed), not when the
 * client's draining period ends (three probe timeouts: about a second here, on a network with a 150 ms delay).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CloseInfo, QuicConnection } from '../../transport/index.js';
import { INSECURE, endpointPair } from './helpers/endpoints.js';
import { nativeConnectionPrototype } from './helpers/native-calls.js';
import type { EndpointPair } from './helpers/endpoints.js';
import { MemoryNetwork, PERFECT } from './helpers/memory-network.js';
import { StreamRecorder } from './helpers/streams.js';

vi.setConfig({ testTimeout: 10_000 });

/** One-way delay of the in-memory network of the close test, ms. */
const DELAY_MS = 150;

let pair: EndpointPair | null = null;
let network: MemoryNetwork | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await pair?.close();
  pair = null;
  network?.dispose();
  network = null;
});

/** A client that acks at once; over UDP loopback, or over an in-memory network with a fixed delay. */
async function established(delayed = false): Promise<{ client: QuicConnection; server: QuicConnection }> {
  if (delayed) {
    network = new MemoryNetwork({ ...PERFECT, minDelayMs: DELAY_MS, maxDelayMs: DELAY_MS });
    pair = await endpointPair({}, { server: network.createIO(), client: network.createIO() });
  } else {
    pair = await endpointPair();
  }
  const client = pair.connect({ ...INSECURE, ackDelayMs: 0 });
  await client.whenEstablished();
  return { client, server: await pair.acceptedAt(0) };
}

/** Resolves once `bytes` bytes have arrived on the stream. */
async function received(atClient: StreamRecorder, id: number, bytes: number): Promise<void> {
  while (atClient.bytes(id).length < bytes) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('closure checks after packets arrive', () => {
  it('asks quiche nothing when the send loop acknowledged the packets', async () => {
    const { client, server } = await established();
    const atClient = new StreamRecorder(client);
    const id = server.openUni();
    server.write(id, Buffer.from('.'));
    await received(atClient, id, 1);
    const packetsBefore = client.stats().sentPackets;
    const closed = vi.spyOn(nativeConnectionPrototype, 'isClosed');
    const draining = vi.spyOn(nativeConnectionPrototype, 'isDraining');
    for (let i = 1; i <= 10; i++) {
      server.write(id, Buffer.from('x'));
      await received(atClient, id, 1 + i);
    }
    // The client acknowledged every packet at once...
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.stats().sentPackets - packetsBefore).toBeGreaterThanOrEqual(10);
    // ...and asked quiche nothing about closure (two calls per packet before).
    const ofClient = (spy: typeof closed): number =>
      spy.mock.contexts.filter((self) => self === client.native).length;
    expect(ofClient(closed) + ofClient(draining)).toBe(0);
    expect(client.state).toBe('established');
  });

  it("reports the peer's close at once, not after the draining period", async () => {
    const { client, server } = await established(true);
    const atClient = new StreamRecorder(client);
    const id = server.openUni();
    server.write(id, Buffer.from('.'));
    await received(atClient, id, 1);
    const closedAt = new Promise<{ info: CloseInfo; at: number }>((resolve) => {
      client.onClose = (info) => resolve({ info, at: performance.now() });
    });
    const start = performance.now();
    server.close(7, 'bye');
    const { info, at } = await closedAt;
    expect(info.cause).toBe('peer');
    expect(info.peerError).toMatchObject({ isApp: true, code: 7 });
    // The close arrives DELAY_MS after it was sent; draining would end three probe timeouts (each over 2 x DELAY_MS)
    // after that.
    expect(at - start).toBeLessThan(DELAY_MS + 2 * DELAY_MS);
  });
});
