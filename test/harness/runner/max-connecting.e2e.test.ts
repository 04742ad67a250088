/**
 * clients.max_connecting end to end: with one place, every client still connects (each AuthOk frees the place for
 * the next one), so the load worker reports the end of each first connect to its ramp.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/exit-codes.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { runScenario } from '../../../harness/runner/coordinator.js';

const CLIENTS = 12;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-max-connecting-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clients.max_connecting', () => {
  it('connects every client one at a time when only one connect may be in flight', async () => {
    const file = join(dir, 'one-at-a-time.yaml');
    await writeFile(
      file,
      `
name: one-at-a-time
seed: 3
clients: { count: ${CLIENTS}, connect_rate: 1000, max_connecting: 1, username: "mc-{i}" }
rooms:
  - { name: pods, count: 3, size: 4 }
message_size: { fixed: 40 }
phases:
  - { name: chat, duration: 1s, rate: { per_client: 2 } }
correctness: { grace: 500ms }
thresholds:
  - connect_failures == 0
  - loss == 0
`,
    );
    const outcome = await runScenario({ scenarioFile: file, outDir: join(dir, 'reports') });
    const summary = JSON.parse(await readFile(outcome.report.summaryJson, 'utf8')) as RunResult;
    expect(summary.counters.connects).toBe(CLIENTS);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
  }, 60_000);
});
