/**
 * Reading the known streams: the stream that had data last is read first without a streamReadable() probe, and
 * the other known streams are probed only while quiche still says something is readable (a harness client's
 * deliveries come on one shard stream of its three readable ones). Data on any other stream, or on several in
 * one flush, is still read in full and in order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QuicConnection } from '../../transport/index.js';
import { endpointPair } from './helpers/endpoints.js';
import { nativeConnectionPrototype } from './helpers/native-calls.js';
import type { EndpointPair } from './helpers/endpoints.js';
import { StreamRecorder } from './helpers/streams.js';

vi.setConfig({ testTimeout: 10_000 });

let pair: EndpointPair | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await pair?.close();
  pair = null;
});

/** A client with three known server uni streams (each has carried a byte) and a bidi stream of its own. */
async function withKnownStreams(): Promise<{
  client: QuicConnection;
  server: QuicConnection;
  atClient: StreamRecorder;
  ids: number[];
}> {
  pair = await endpointPair();
  const client = pair.connect();
  await client.whenEstablished();
  const server = await pair.acceptedAt(0);
  const atClient = new StreamRecorder(client);
  client.write(client.openBidi(), Buffer.from('hello'));
  const ids = [server.openUni(), server.openUni(), server.openUni()];
  for (const id of ids) {
    server.write(id, Buffer.from('.'));
    await atClient.receivedData(id);
  }
  return { client, server, atClient, ids };
}

/** Resolves once `bytes` bytes have arrived on the stream. */
async function received(atClient: StreamRecorder, id: number, bytes: number): Promise<void> {
  while (atClient.bytes(id).length < bytes) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('known streams', () => {
  it('reads data on the stream read last without probing the others', async () => {
    const { client, server, atClient, ids } = await withKnownStreams();
    const last = ids[2] as number;
    const probes = vi.spyOn(nativeConnectionPrototype, 'streamReadable');
    for (let i = 1; i <= 10; i++) {
      server.write(last, Buffer.from(`${i % 10}`));
      await received(atClient, last, 1 + i);
    }
    const clientProbes = probes.mock.contexts.filter((self) => self === client.native).length;
    // Probing every known stream would cost three calls per packet here (the bidi stream and two uni streams).
    expect(clientProbes).toBe(0);
    expect(atClient.bytes(last).toString()).toBe('.1234567890');
  });

  it('still reads the other streams: one at a time, several in one flush, and after the last one finished', async () => {
    const { server, atClient, ids } = await withKnownStreams();
    const [a, b, c] = ids as [number, number, number];
    server.write(a, Buffer.from('a1'));
    await received(atClient, a, 3);
    server.write(b, Buffer.from('b1'));
    await received(atClient, b, 3);
    // Both in the same packets: the one read last (b) is read first, a is found by the probe.
    server.write(a, Buffer.from('a2'));
    server.write(b, Buffer.from('b2'));
    await received(atClient, a, 5);
    await received(atClient, b, 5);
    server.write(b, Buffer.from('b3'), true);
    await atClient.settled(b);
    // The stream read last is finished: the next data is found on another one.
    server.write(c, Buffer.from('c1'), true);
    server.write(a, Buffer.from('a3'), true);
    await atClient.settled(c);
    await atClient.settled(a);
    expect(atClient.bytes(a).toString()).toBe('.a1a2a3');
    expect(atClient.bytes(b).toString()).toBe('.b1b2b3');
    expect(atClient.bytes(c).toString()).toBe('.c1');
  });
});
