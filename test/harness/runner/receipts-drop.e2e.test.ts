/**
 * End-to-end runs on loopback against the fake server: receipts (actions.receipts) are sent for the drawn share of
 * deliveries, and a client whose connection the server closes reconnects (clients.reconnect_on_drop), rejoins its
 * room and receives messages again, without any false loss.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/exit-codes.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { receiptSeed } from '../../../harness/runner/traffic-plan.js';
import { hashUnit } from '../../../harness/scenario/rng.js';
import { FakeChatServer, type FakeSession } from '../fake-chat-server.js';

let dir: string;
let server: FakeChatServer | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-receipts-drop-e2e-'));
});

afterEach(async () => {
  await server?.close();
  server = null;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `text` against the fake server. */
async function run(name: string, text: string): ReturnType<typeof runScenario> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return runScenario({
    scenarioFile: file,
    outDir: join(dir, 'reports'),
    target: `127.0.0.1:${(server as FakeChatServer).port}`,
  });
}

const RECEIPT_MEMBERS = 10;
const RECEIPT_SEED = 9;

const RECEIPTS = `
name: receipts-e2e
seed: ${RECEIPT_SEED}
clients: { count: ${RECEIPT_MEMBERS}, connect_rate: 200, username: "rc-{i}" }
rooms:
  - { name: room, id: 700, members: all }
message_size: { fixed: 40 }
actions:
  receipts: { delivered: 0.5, read: 0.2, read_delay: 200ms }
phases:
  - { name: chat, duration: 1s, rate: { per_room: 30 } }
correctness: { grace: 500ms }
thresholds: [loss == 0, errors == 0]
`;

describe('receipts', () => {
  it('sends MessageDelivered and MessageRead for the seeded share of deliveries', async () => {
    server = await FakeChatServer.start();
    const outcome = await run('receipts', RECEIPTS);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
    const { counters } = outcome.result;
    const received = (name: string): number => server!.receipts.filter((r) => r.name === name).length;
    expect(counters.delivered).toBe(server.accepted * RECEIPT_MEMBERS);
    expect(counters.receipts_delivered).toBe(received('MessageDelivered'));
    expect(counters.receipts_read).toBe(received('MessageRead'));
    // The fake server numbers messages 1, 2, ... and delivers each to every member: the draws are known exactly.
    const seed = receiptSeed(RECEIPT_SEED);
    let delivered = 0;
    let read = 0;
    for (let client = 0; client < RECEIPT_MEMBERS; client++) {
      for (let id = 1; id <= server.accepted; id++) {
        const u = hashUnit(seed, client, id);
        if (u < 0.5) delivered++;
        if (u < 0.2) read++;
      }
    }
    expect(counters.receipts_delivered).toBe(delivered);
    expect(counters.receipts_read).toBe(read);
    expect(delivered / counters.delivered).toBeGreaterThan(0.4);
    expect(delivered / counters.delivered).toBeLessThan(0.6);
    expect(read / counters.delivered).toBeGreaterThan(0.12);
    expect(read / counters.delivered).toBeLessThan(0.28);
    // Receipts travel on the client's ACK stream, never on the control stream.
    expect(server.receipts.every((r) => r.streamId !== 0)).toBe(true);
  });
});

const DROP_MEMBERS = 8;
const VICTIM = 'drop-3';

const DROP = `
name: drop-e2e
seed: 10
clients: { count: ${DROP_MEMBERS}, connect_rate: 200, username: "drop-{i}", reconnect_backoff: 300ms }
rooms:
  - { name: room, id: 800, members: all }
message_size: { fixed: 40 }
phases:
  - { name: chat, duration: 2s, rate: { per_room: 20 } }
correctness: { grace: 500ms }
thresholds: [loss == 0, duplicates == 0, reorders == 0, errors == 0]
`;

/**
 * Starts a fake server that closes the victim's first connection once `afterMessages` messages were accepted
 * (mid-phase, with traffic flowing); returns the victim's sessions in connection order.
 */
async function startDroppingServer(afterMessages: number): Promise<FakeSession[]> {
  const victimSessions: FakeSession[] = [];
  server = await FakeChatServer.start({
    onAuthenticated: (session) => {
      if (session.user?.username === VICTIM) victimSessions.push(session);
    },
  });
  const fake = server;
  const poll = setInterval(() => {
    if (fake.accepted < afterMessages || victimSessions.length === 0) return;
    clearInterval(poll);
    // Application close from the server: the harness did not ask for it.
    victimSessions[0]?.connection.close(0x10, 'kicked by test');
  }, 5);
  return victimSessions;
}

describe('reconnect after a drop', () => {
  it('reconnects a client the server dropped; it rejoins, receives again, and nothing is counted lost', async () => {
    const victimSessions = await startDroppingServer(15);
    const outcome = await run('drop', DROP);
    const { counters, correctness } = outcome.result;
    expect(counters.disconnects).toBe(1);
    expect(counters.drop_reconnects).toBe(1);
    expect(counters.connects).toBe(DROP_MEMBERS + 1);
    expect(counters.connect_failures).toBe(0);
    expect(victimSessions).toHaveLength(2);
    // Both connections carried messages: before the drop, and after the rejoin.
    expect(victimSessions[0]?.roomMessages).toBeGreaterThan(0);
    expect(victimSessions[1]?.roomMessages).toBeGreaterThan(5);
    expect(correctness.total).toMatchObject({ loss: 0, duplicates: 0, reorders: 0, unexpected: 0 });
    expect(correctness.total.seen).toBe(correctness.total.expected);
    expect(counters.delivered).toBeLessThanOrEqual(server!.deliveries);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
  });

  it('retries a deliberate reconnect that fails, with the drop backoff', async () => {
    // A storm disconnects every client; the victim's first reconnect is refused (AuthFailed).
    let victimAuths = 0;
    server = await FakeChatServer.start({
      refuseAuth: (username) => username === VICTIM && ++victimAuths === 2,
    });
    const outcome = await run(
      'storm-refused',
      DROP.replace(
        'rate: { per_room: 20 } }',
        'rate: { per_room: 20 }, storms: [{ at: 300ms, fraction: 1, downtime: 100ms }] }',
      ),
    );
    const { counters, correctness } = outcome.result;
    expect(victimAuths).toBe(3);
    expect(counters.connect_failures).toBe(1);
    expect(counters.reconnects).toBe(DROP_MEMBERS);
    expect(counters.connects).toBe(2 * DROP_MEMBERS);
    expect(counters.drop_reconnects).toBe(1);
    expect(correctness.total).toMatchObject({ loss: 0, duplicates: 0, unexpected: 0 });
  });

  it('leaves the client gone with reconnect_on_drop: false, still without false loss', async () => {
    const victimSessions = await startDroppingServer(15);
    const outcome = await run(
      'drop-off',
      DROP.replace('reconnect_backoff: 300ms', 'reconnect_on_drop: false'),
    );
    const { counters, correctness } = outcome.result;
    expect(counters.disconnects).toBe(1);
    expect(counters.drop_reconnects).toBe(0);
    expect(counters.connects).toBe(DROP_MEMBERS);
    expect(victimSessions).toHaveLength(1);
    expect(correctness.total).toMatchObject({ loss: 0, duplicates: 0, unexpected: 0 });
    expect(outcome.exitCode).toBe(ExitCode.Ok);
    // Receipts are off by default.
    expect(counters.receipts_delivered + counters.receipts_read).toBe(0);
    expect(server!.receipts).toEqual([]);
  });
});
