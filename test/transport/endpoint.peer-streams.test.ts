/**
 * New peer streams that arrive out of order (the reference server opens a client's shard streams as its rooms need
 * them): every one is read, and the ones within the probe window are found without quiche's readable() iterator,
 * which costs ~30 µs per call in this binding.
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

async function established(): Promise<{ client: QuicConnection; server: QuicConnection }> {
  pair = await endpointPair();
  const client = pair.connect();
  await client.whenEstablished();
  return { client, server: await pair.acceptedAt(0) };
}

/** Writes one stream's whole payload and waits for the client to have it all. */
async function deliver(server: QuicConnection, atClient: StreamRecorder, id: number): Promise<void> {
  server.write(id, Buffer.from(`stream ${id}`), true);
  await atClient.settled(id);
}

describe('peer streams opened out of order', () => {
  it('reads every one, with the readable() iterator only for a stream past the probe window', async () => {
    const { client, server } = await established();
    const atClient = new StreamRecorder(client);
    const ids = Array.from({ length: 30 }, () => server.openUni());
    expect(ids[0]).toBe(3);
    const iterations = vi.spyOn(nativeConnectionPrototype, 'readable');
    // Ahead of the next expected id (within the window), then the ids it skipped, then the next expected one.
    const nearOrder = [5, 2, 0, 1, 9, 3, 4, 6, 7, 8].map((i) => ids[i] as number);
    for (const id of nearOrder) await deliver(server, atClient, id);
    expect(iterations).not.toHaveBeenCalled();
    // Index 29 is more than 16 ids past the next expected one (index 10): only the iterator finds it.
    await deliver(server, atClient, ids[29] as number);
    expect(iterations).toHaveBeenCalled();
    const rest = ids.filter((id) => !nearOrder.includes(id) && id !== ids[29]);
    for (const id of rest.reverse()) await deliver(server, atClient, id);
    for (const id of ids) expect(atClient.bytes(id).toString()).toBe(`stream ${id}`);
    expect([...atClient.opened].sort((a, b) => a - b)).toEqual(ids);
    expect(atClient.opened.slice(0, nearOrder.length)).toEqual(nearOrder);
  });
});
