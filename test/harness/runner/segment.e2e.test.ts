/**
 * Segments end to end on loopback: one scenario run whole, then as two segments loading the same server at the
 * same time behind a start barrier, merged with mergeRunResults. The fake server delivers every message to every
 * member of the room, so the counts of the merged segments must equal those of the whole run exactly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRunResults } from '../../../harness/compare/merge-run-results.js';
import { epochNowMs } from '../../../harness/metrics/clock.js';
import { connectLeadMs, runScenario } from '../../../harness/runner/coordinator.js';
import { RunError } from '../../../harness/runner/run-error.js';
import { FakeChatServer } from '../fake-chat-server.js';

const MEMBERS = 10;
const CONNECT_TIMEOUT_MS = 1000;

const SCENARIO = `
name: segments-e2e
seed: 17
clients: { count: ${MEMBERS}, connect_rate: 200, username: "seg-{i}" }
rooms:
  - { name: room, id: 500, members: all }
message_size: { fixed: 40 }
phases:
  - { name: chat, duration: 1500ms, rate: { per_room: 8 } }
correctness: { grace: 500ms }
thresholds:
  - loss == 0
  - errors == 0
`;

let dir: string;
let file: string;
let server: FakeChatServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-segments-e2e-'));
  file = join(dir, 'segments.yaml');
  await writeFile(file, SCENARIO);
  server = await FakeChatServer.start();
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runScenario --segment', () => {
  it('two segments behind a start barrier merge into exactly the counts of the whole run', async () => {
    const common = {
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      progress: null,
    };
    const whole = (await runScenario(common)).result;
    expect(whole.segment).toBeUndefined();

    const rampMs = (MEMBERS * 1000) / 200;
    const startAtMs = epochNowMs() + connectLeadMs(rampMs, CONNECT_TIMEOUT_MS) + 300;
    const parts = await Promise.all(
      [0, 1].map((index) => runScenario({ ...common, segment: { index, count: 2 }, startAtMs })),
    );
    for (const [index, part] of parts.entries()) {
      expect(part.result.segment).toMatchObject({
        index,
        count: 2,
        startAt: new Date(startAtMs).toISOString(),
        latencyScope: 'same-segment',
        lossDetection: 'per-segment',
      });
      expect(part.result.segment?.startLateMs).toBeGreaterThanOrEqual(0);
      expect(part.result.counters.connects).toBe(MEMBERS / 2);
    }
    const merged = mergeRunResults(parts.map((p) => p.result));

    for (const counter of ['connects', 'scheduled', 'sent', 'acked', 'delivered'] as const)
      expect(merged.counters[counter], counter).toBe(whole.counters[counter]);
    expect(merged.counters.sent).toBeGreaterThan(5);
    expect(merged.counters.delivered).toBe(merged.counters.sent * MEMBERS);
    // Each segment judged its own pairs; the other half of the deliveries crossed segments (counted, not judged).
    const segments = merged.segments!;
    expect(segments).toMatchObject({ count: 2, indices: [0, 1], lossDetection: 'per-segment' });
    expect(merged.correctness.total.expected + segments.crossSegmentDeliveries).toBe(
      whole.correctness.total.expected,
    );
    expect(merged.correctness.total).toMatchObject({ loss: 0, duplicates: 0, unexpected: 0 });
    expect(merged.correctness.total.seen).toBe(merged.correctness.total.expected);
    // Deliver latency only for same-segment pairs: as many samples as judged first deliveries.
    expect(merged.latency.deliver.count).toBe(merged.correctness.total.seen);
    expect(whole.latency.deliver.count).toBe(whole.counters.delivered);
    // The merge refuses to claim loss == 0 it could not check across segments; other thresholds are judged.
    const loss = merged.thresholds.find((t) => t.expression === 'loss == 0')!;
    expect(loss.passed).toBe(false);
    expect(loss.note).toMatch(/per segment only/);
    expect(merged.thresholds.find((t) => t.expression === 'errors == 0')?.passed).toBe(true);
  });

  it('reports a segment that starts its phases after the barrier as late, and refuses the embedded target', async () => {
    const outcome = await runScenario({
      scenarioFile: file,
      outDir: join(dir, 'reports'),
      target: `127.0.0.1:${server.port}`,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      progress: null,
      segment: { index: 1, count: 2 },
      // Already past: connecting alone makes this segment late.
      startAtMs: epochNowMs() - 200,
    });
    expect(outcome.result.segment?.startLateMs).toBeGreaterThan(200);
    expect(outcome.result.counters.sent).toBeGreaterThan(0);
    await expect(runScenario({ scenarioFile: file, segment: { index: 0, count: 2 } })).rejects.toThrow(
      RunError,
    );
    await expect(runScenario({ scenarioFile: file, segment: { index: 0, count: 2 } })).rejects.toThrow(
      /needs --target/,
    );
  });
});
