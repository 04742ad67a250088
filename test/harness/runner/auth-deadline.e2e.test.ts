/**
 * A run against a server that never answers one client's Auth: the worker's housekeeping sweep (sliced over loop
 * turns, see sliced-sweep.ts) finds the client past its connect timeout and fails it as no-auth-ok.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { FakeChatServer } from '../fake-chat-server.js';

const SCENARIO = `
name: auth-deadline-e2e
seed: 5
clients: { count: 4, connect_rate: 200, username: "ad-{i}" }
rooms:
  - { name: pod, id: 601, members: all }
message_size: { fixed: 20 }
phases:
  - { name: chat, duration: 1s, rate: { per_room: 2 } }
correctness: { grace: 300ms }
`;

let dir: string;
let server: FakeChatServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-auth-deadline-'));
  server = await FakeChatServer.start({ ignoreAuth: (username) => username === 'ad-2' });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the Hello..AuthOk deadline', () => {
  it('fails a client whose Auth is never answered, once its connect timeout passed', async () => {
    const file = join(dir, 'auth.yaml');
    await writeFile(file, SCENARIO);
    const outcome = await runScenario({
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
      connectTimeoutMs: 600,
      log: () => undefined,
    });
    const summary = JSON.parse(await readFile(outcome.report.summaryJson, 'utf8')) as RunResult;
    expect(summary.counters.connect_failures).toBe(1);
    const noAuthOk = summary.connectFailures?.byReason['no-auth-ok'];
    expect(noAuthOk?.count).toBe(1);
    expect(noAuthOk?.examples[0]).toMatchObject({
      client: 2,
      detail: 'no AuthOk within 600 ms after the QUIC handshake',
    });
  }, 60_000);
});
