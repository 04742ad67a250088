import { describe, expect, it } from 'vitest';
import { ClientUpkeep } from '../../../harness/runner/client-upkeep.js';
import { SWEEP_SLICE } from '../../../harness/runner/sliced-sweep.js';
import type { ConnectFailure } from '../../../harness/client/connect-failure.js';
import type { SimClient } from '../../../harness/client/sim-client.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface FakeClient {
  state: string;
  connectedAtMs: number;
  numShards: number;
  quic: { queuedBytes(): number } | null;
  aborted: ConnectFailure[];
  abort(failure: ConnectFailure): void;
}

function fakeClient(state: string, connectedAtMs: number, queued: number, numShards = 0): FakeClient {
  const client: FakeClient = {
    state,
    connectedAtMs,
    numShards,
    quic: { queuedBytes: () => queued },
    aborted: [],
    abort: (failure) => client.aborted.push(failure),
  };
  return client;
}

function upkeepOf(clients: FakeClient[], connectTimeoutMs = 1000): ClientUpkeep {
  return new ClientUpkeep((index) => clients[index] as unknown as SimClient, connectTimeoutMs);
}

describe('ClientUpkeep', () => {
  it('reports the send backlog of every client once a visit is complete, spread over loop turns', async () => {
    const clients = Array.from({ length: SWEEP_SLICE + 10 }, () => fakeClient('ready', 0, 3));
    clients.push({ ...fakeClient('connecting', 0, 0), quic: null });
    const upkeep = upkeepOf(clients);
    expect(upkeep.sendBacklog).toBe(0);
    upkeep.start(
      0,
      clients.map((_, i) => i),
    );
    // The first slice is done, the visit is not: the figure is still the previous visit's.
    expect(upkeep.sendBacklog).toBe(0);
    await nextTurn();
    expect(upkeep.sendBacklog).toBe(3 * (SWEEP_SLICE + 10));
  });

  it('only counts the clients it is given, afresh at each visit', async () => {
    const clients = [fakeClient('ready', 0, 5), fakeClient('ready', 0, 7), fakeClient('ready', 0, 11)];
    const upkeep = upkeepOf(clients);
    upkeep.start(0, [0, 2]);
    await nextTurn();
    expect(upkeep.sendBacklog).toBe(16);
    // A later visit reports its own sum, not a running total.
    upkeep.start(1000, [1]);
    await nextTurn();
    expect(upkeep.sendBacklog).toBe(7);
  });

  it('fails a handshaking client whose AuthOk (or HelloAck) is overdue, and no other', async () => {
    const clients = [
      fakeClient('handshaking', 0, 0, 4), // HelloAck in, AuthOk overdue
      fakeClient('handshaking', 0, 0, 0), // HelloAck overdue
      fakeClient('handshaking', 500, 0, 4), // within the timeout
      fakeClient('ready', 0, 0, 4), // done
    ];
    const upkeep = upkeepOf(clients, 1000);
    upkeep.start(1200, [0, 1, 2, 3]);
    await nextTurn();
    expect(clients[0]?.aborted.map((f) => f.reason)).toEqual(['no-auth-ok']);
    expect(clients[0]?.aborted[0]?.detail).toMatch(/no AuthOk within 1000 ms/);
    expect(clients[1]?.aborted.map((f) => f.reason)).toEqual(['no-hello-ack']);
    expect(clients[2]?.aborted).toEqual([]);
    expect(clients[3]?.aborted).toEqual([]);
  });

  it('abandons a visit on stop: its partial sum is never reported', async () => {
    const clients = Array.from({ length: SWEEP_SLICE * 2 }, () => fakeClient('ready', 0, 1));
    const upkeep = upkeepOf(clients);
    upkeep.start(
      0,
      clients.map((_, i) => i),
    );
    upkeep.stop();
    await nextTurn();
    await nextTurn();
    expect(upkeep.sendBacklog).toBe(0);
  });
});
