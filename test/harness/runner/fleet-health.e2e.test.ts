/**
 * A run against a server that refuses one client's Auth and never answers JoinRoom for one room: the result says
 * why the failed client failed (by reason, with an example), which clients were not ready and what they waited
 * for, and what the kernel dropped at the harness's own sockets; the console summary says it too.
 * A server that never answers one Auth: the housekeeping sweep fails that client as no-auth-ok.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { FakeChatServer } from '../fake-chat-server.js';

const SCENARIO = `
name: fleet-health-e2e
seed: 3
clients: { count: 6, connect_rate: 200, username: "fh-{i}" }
rooms:
  - { name: stuck, id: 501, members: all }
message_size: { fixed: 20 }
phases:
  - { name: chat, duration: 1s, rate: { per_room: 2 } }
correctness: { grace: 300ms }
`;

let dir: string;
let server: FakeChatServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-fleet-health-'));
  server = await FakeChatServer.start({
    refuseAuth: (username) => username === 'fh-3',
    ignoreJoin: (roomId) => roomId === 501,
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('load generator health in a run', () => {
  it('reports connect failures by reason, readiness by cause and socket drops', async () => {
    const file = join(dir, 'fleet.yaml');
    await writeFile(file, SCENARIO);
    const logged: string[] = [];
    const outcome = await runScenario({
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
      connectTimeoutMs: 500,
      log: (line) => logged.push(line),
    });
    const summary = JSON.parse(await readFile(outcome.report.summaryJson, 'utf8')) as RunResult;
    expect(summary.counters.connect_failures).toBe(1);
    expect(summary.connectFailures?.total).toBe(1);
    const authFailed = summary.connectFailures?.byReason['auth-failed'];
    expect(authFailed?.count).toBe(1);
    expect(authFailed?.examples[0]).toMatchObject({
      client: 3,
      detail: 'AuthFailed 1003: refused by the test',
    });

    expect(summary.readiness?.notReady).toBe(5);
    expect(summary.readiness?.groups).toEqual([
      expect.objectContaining({ cause: 'no RoomInit after JoinRoom', clients: 5, rooms: [501] }),
    ]);
    expect(logged.join('\n')).toMatch(/5 clients: no RoomInit after JoinRoom for room 501 \(waited at least/);

    expect(summary.harnessSockets).toMatchObject({ sockets: 1, socketsRead: 1, drops: 0 });
    const console = formatSummaryTable(summary);
    expect(console).toContain('auth-failed: 1');
    expect(console).toContain('5 clients: no RoomInit after JoinRoom for room 501');
    expect(console).toContain('harness sockets: 1');
    const html = await readFile(outcome.report.html, 'utf8');
    expect(html).toContain('<h2>Load generator</h2>');
    expect(html).toContain('auth-failed');
  }, 60_000);

  it('fails a client whose Auth is never answered once its connect timeout passed (the sliced housekeeping sweep)', async () => {
    const silent = await FakeChatServer.start({ ignoreAuth: (username) => username === 'fh-2' });
    try {
      const file = join(dir, 'auth.yaml');
      await writeFile(file, SCENARIO);
      const outcome = await runScenario({
        scenarioFile: file,
        outDir: join(dir, 'reports-auth'),
        target: `127.0.0.1:${silent.port}`,
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
    } finally {
      await silent.close();
    }
  }, 60_000);
});
