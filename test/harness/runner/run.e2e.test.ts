/**
 * End-to-end runs on loopback: the embedded reference server with a tiny scenario, and the fake server whose
 * fault layer drops and duplicates deliveries.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/exit-codes.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { FakeChatServer } from '../fake-chat-server.js';

const MEMBERS = 10;

const TINY = `
name: tiny-e2e
seed: 5
clients: { count: ${MEMBERS}, connect_rate: 200, username: "e2e-{i}" }
rooms:
  - { name: room, id: 500, members: all }
message_size: { fixed: 40 }
phases:
  - { name: chat, duration: 2s, rate: { per_room: 8 } }
correctness: { grace: 500ms }
thresholds:
  - loss == 0
  - duplicates == 0
  - reorders == 0
  - errors == 0
  - connect_failures == 0
`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-run-e2e-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runScenario against the embedded reference server', () => {
  it('completes a tiny scenario with exit 0 and exact figures in summary.json', async () => {
    const file = join(dir, 'tiny.yaml');
    await writeFile(file, TINY);
    const outcome = await runScenario({ scenarioFile: file, outDir: join(dir, 'reports') });
    expect(outcome.exitCode).toBe(ExitCode.Ok);
    const summary = JSON.parse(await readFile(outcome.report.summaryJson, 'utf8')) as RunResult;
    const { counters, correctness } = summary;
    expect(counters.connects).toBe(MEMBERS);
    expect(counters.sent).toBeGreaterThan(5);
    expect(counters.acked).toBe(counters.sent);
    // Every member receives every message, the sender's own echo included.
    expect(counters.delivered).toBe(counters.sent * MEMBERS);
    expect(correctness.total).toMatchObject({
      expected: counters.sent * MEMBERS,
      seen: counters.sent * MEMBERS,
      loss: 0,
      duplicates: 0,
      reorders: 0,
      unexpected: 0,
    });
    expect(summary.latency.deliver.count).toBe(counters.delivered);
    expect(summary.thresholds.every((t) => t.passed)).toBe(true);
    expect(summary.target).toMatch(/^embedded \(127\.0\.0\.1:\d+\)$/);
  });
});

const CHURN = `
name: churn-e2e
seed: 6
clients: { count: 12, connect_rate: 200, username: "churn-{i}" }
rooms:
  - { name: room, id: 600, members: all }
message_size: { fixed: 40 }
actions:
  join_leave: { rejoin_after: 300ms }
  reconnect: { downtime: 300ms }
phases:
  - name: churn
    duration: 3s
    rate: { per_client: 1.5 }
    mix: { send: 60, join_leave: 20, reconnect: 20 }
    storms: [{ at: 1s, fraction: 0.5, spread: 200ms, downtime: 300ms }]
correctness: { grace: 2s }
`;

describe('membership churn', () => {
  it('leaves, rejoins, reconnects and storms without false loss or unexpected deliveries', async () => {
    const file = join(dir, 'churn.yaml');
    await writeFile(file, CHURN);
    const { result } = await runScenario({ scenarioFile: file, outDir: join(dir, 'reports') });
    const { counters, correctness } = result;
    expect(counters.leaves).toBeGreaterThan(0);
    expect(counters.joins).toBeGreaterThan(0);
    expect(counters.reconnects).toBeGreaterThan(6);
    expect(counters.connects).toBeGreaterThan(12);
    expect(counters.sent).toBeGreaterThan(10);
    expect(counters.acked).toBe(counters.sent);
    expect(correctness.total).toMatchObject({ loss: 0, duplicates: 0, reorders: 0, unexpected: 0 });
    expect(correctness.total.seen).toBe(correctness.total.expected);
    expect(result.errorsByCode).toEqual({});
  });
});

describe('loss and duplicate detection', () => {
  let server: FakeChatServer;

  beforeAll(async () => {
    server = await FakeChatServer.start({ dropEvery: 7, duplicateEvery: 5 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('counts exactly the deliveries a faulty server dropped and duplicated', async () => {
    const file = join(dir, 'faults.yaml');
    await writeFile(file, TINY.replace('name: tiny-e2e', 'name: faults'));
    const outcome = await runScenario({
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
    });
    const { correctness, counters, thresholds } = outcome.result;
    expect(server.dropped).toBeGreaterThan(0);
    expect(server.duplicated).toBeGreaterThan(0);
    expect(counters.sent).toBe(server.accepted);
    expect(correctness.total.loss).toBe(server.dropped);
    expect(correctness.total.duplicates).toBe(server.duplicated);
    expect(correctness.total.expected).toBe(server.deliveries);
    expect(counters.delivered).toBe(server.deliveries - server.dropped + server.duplicated);
    expect(outcome.exitCode).toBe(ExitCode.ChecksFailed);
    expect(thresholds.find((t) => t.expression === 'loss == 0')?.passed).toBe(false);
    expect(thresholds.find((t) => t.expression === 'errors == 0')?.passed).toBe(true);
  });
});
