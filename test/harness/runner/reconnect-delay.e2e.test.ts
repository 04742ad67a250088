/**
 * The reconnect path under artificial delay (issue 15): a server that answers JoinRoom late and a harness whose
 * event loop is paused again and again. Reconnect cycles then often start while a join is still under way, so the
 * RoomInit arrives while the client is already departing. Exactly-once must hold with exact membership accounting:
 * every delivery the server wrote arrives once and counts as expected-and-seen or optional, and no expected pair is
 * lost (the server removes a member when it reads its Goodbye, so a message acked after that is not owed to it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { starveEventLoop } from './starved-event-loop.js';
import { FakeChatServer } from '../fake-chat-server.js';

let dir: string;
let server: FakeChatServer | null = null;
let pauser: NodeJS.Timeout | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-reconnect-delay-e2e-'));
});

afterEach(async () => {
  if (pauser !== null) clearInterval(pauser);
  pauser = null;
  await server?.close();
  server = null;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RECONNECTS = `
name: reconnect-delay
seed: 21
clients: { count: 12, connect_rate: 400, username: "rd-{i}" }
rooms:
  - { name: room, id: 900, members: all }
message_size: { fixed: 40 }
actions:
  reconnect: { downtime: 50ms }
phases:
  - name: churn
    duration: 4s
    rate: { per_client: 6 }
    mix: { send: 55, reconnect: 45 }
correctness: { grace: 2s }
`;

describe('reconnects while joins are late and the event loop stalls', () => {
  it('delivers exactly once and owes a departing client nothing acked after its Goodbye', async () => {
    server = await FakeChatServer.start({ joinDelayMs: 40 });
    const file = join(dir, 'reconnects.yaml');
    await writeFile(file, RECONNECTS);
    pauser = starveEventLoop(15, 40);
    const { result } = await runScenario({
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
    });
    const { counters, correctness } = result;
    expect(counters.reconnects).toBeGreaterThan(15);
    expect(counters.acked).toBeGreaterThan(20);
    expect(correctness.total).toMatchObject({ loss: 0, duplicates: 0, reorders: 0, unexpected: 0 });
    expect(correctness.total.seen).toBe(correctness.total.expected);
    // Every delivery is accounted for: an expected pair seen, or optional (a membership changing meanwhile); the
    // server's writes that did not arrive went to connections closing after their Goodbye.
    expect(correctness.total.seen + correctness.total.optional).toBe(counters.delivered);
    expect(counters.delivered).toBeLessThanOrEqual(server.deliveries - server.dropped + server.duplicated);
  }, 30_000);
});
