/**
 * Verdicts under a starved load generator (issue 15): with the event loop blocked again and again by a test hook,
 * a latency threshold that fails is INCONCLUSIVE (exit 5) with the harness's health as the reason, while a server
 * that really drops messages (the reference server's `no-sender-echo` fault) is still FAIL with loss examples,
 * starved or not.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/exit-codes.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { starveEventLoop } from './starved-event-loop.js';
import { startTestServer, type TestServer } from '../conformance/conformance-server.js';

let dir: string;
let server: TestServer | null = null;
let pauser: NodeJS.Timeout | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-verdict-e2e-'));
});

afterEach(async () => {
  if (pauser !== null) clearInterval(pauser);
  pauser = null;
  await server?.stop();
  server = null;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCENARIO = (threshold: string): string => `
name: verdict-e2e
seed: 8
clients: { count: 8, connect_rate: 400, username: "vd-{i}" }
rooms:
  - { name: room, id: 800, members: all }
message_size: { fixed: 40 }
phases:
  - { name: chat, duration: 2500ms, rate: { per_room: 20 } }
correctness: { grace: 1s }
thresholds: [${threshold}]
`;

async function run(name: string, text: string) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return runScenario({
    scenarioFile: file,
    outDir: join(dir, 'reports'),
    target: `127.0.0.1:${(server as TestServer).address.port}`,
  });
}

describe('a starved harness', () => {
  it('makes a failing latency threshold INCONCLUSIVE (exit 5), saying why and what to do', async () => {
    server = await startTestServer();
    pauser = starveEventLoop(120, 200);
    const outcome = await run('starved', SCENARIO('deliver.p99 < 1ms, loss == 0'));
    const verdict = outcome.result.verdict;
    expect(outcome.result.correctness.total.loss).toBe(0);
    expect(verdict?.status).toBe('INCONCLUSIVE');
    expect(outcome.exitCode).toBe(ExitCode.Inconclusive);
    const chat = verdict?.health.find((w) => w.name === 'chat');
    expect(chat?.healthy).toBe(false);
    expect(chat?.reasons.join('\n')).toMatch(/event loop late/);
    expect(verdict?.reasons.join('\n')).toMatch(
      /deliver\.p99 < 1ms: measured while the harness was unhealthy/,
    );
    expect(verdict?.advice.join('\n')).toMatch(/--workers/);
  }, 30_000);

  it('still reports a server that drops messages as FAIL, with loss examples', async () => {
    server = await startTestServer(['no-sender-echo']);
    pauser = starveEventLoop(120, 200);
    const outcome = await run('dropping', SCENARIO('deliver.p99 < 1ms, loss == 0'));
    const { verdict, correctness, anomalies } = outcome.result;
    expect(correctness.total.loss).toBeGreaterThan(10);
    expect(verdict?.status).toBe('FAIL');
    expect(outcome.exitCode).toBe(ExitCode.ChecksFailed);
    expect(verdict?.reasons.join('\n')).toMatch(/loss == 0: \d+ lost pair\(s\) confirmed/);
    const losses = anomalies?.examples.filter((e) => e.kind === 'loss') ?? [];
    expect(losses.length).toBe(10);
    for (const example of losses) {
      // The sender never gets its own message back: sender and recipient are the same client.
      expect(example.roomId).toBe(800);
      expect(example.recipient).toBe(example.sender);
      expect(example.ackedAt).toBeGreaterThanOrEqual(example.sentAt as number);
      expect(example.membership?.at(-1)?.certainFrom).toBeLessThanOrEqual(example.sentAt as number);
    }
    expect(losses.some((e) => /confirmed/.test(e.detail ?? ''))).toBe(true);
  }, 30_000);
});

describe('a quiet harness', () => {
  it('reports a server that drops messages as FAIL too', async () => {
    server = await startTestServer(['no-sender-echo']);
    const outcome = await run('dropping-quiet', SCENARIO('loss == 0'));
    expect(outcome.result.verdict?.status).toBe('FAIL');
    expect(outcome.exitCode).toBe(ExitCode.ChecksFailed);
    expect(outcome.result.anomalies?.examples.some((e) => e.kind === 'loss')).toBe(true);
  }, 30_000);
});
