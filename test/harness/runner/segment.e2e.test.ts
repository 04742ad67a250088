/**
 * Segments end to end on loopback: one scenario run whole, then as two segments loading the same server at the
 * same time behind a start barrier, merged with mergeRunResults. The fake server delivers every message to every
 * member of the room, so the counts of the merged segments must equal those of the whole run exactly. Against a
 * server that drops every 7th delivery, the merge finds exactly the dropped pairs, those that cross segments too.
 * Against a reference server that never acks, every delivery (across segments too) is one of an ack-timed-out
 * message, none unexpected, as in a one-machine run (end-drain.e2e.test.ts). Against one whose fan-outs leave 2 s late,
 * each segment waits past its grace for them, and the merge says so.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRunResults } from '../../../harness/compare/merge-run-results.js';
import { epochNowMs } from '../../../harness/metrics/clock.js';
import { connectLeadMs, runScenario } from '../../../harness/runner/coordinator.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { RunError } from '../../../harness/runner/run-error.js';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { FakeChatServer } from '../fake-chat-server.js';
import { startTestServer } from '../conformance/conformance-server.js';

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
let lossy: FakeChatServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-segments-e2e-'));
  file = join(dir, 'segments.yaml');
  await writeFile(file, SCENARIO);
  server = await FakeChatServer.start();
  lossy = await FakeChatServer.start({ dropEvery: 7 });
});

afterAll(async () => {
  await server.close();
  await lossy.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs segments 0/2 and 1/2 against `target` at the same time, behind a start barrier. */
async function runTwoSegments(target: { port: number }, scenarioFile = file): Promise<RunResult[]> {
  const rampMs = (MEMBERS * 1000) / 200;
  const startAtMs = epochNowMs() + connectLeadMs(rampMs, CONNECT_TIMEOUT_MS) + 300;
  const parts = await Promise.all(
    [0, 1].map((index) =>
      runScenario({
        scenarioFile,
        outDir: join(dir, 'reports'),
        target: `127.0.0.1:${target.port}`,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        progress: null,
        segment: { index, count: 2 },
        startAtMs,
      }),
    ),
  );
  return parts.map((p) => p.result);
}

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

    const parts = await runTwoSegments(server);
    for (const [index, part] of parts.entries()) {
      expect(part.segment).toMatchObject({
        index,
        count: 2,
        latencyScope: 'same-segment',
        lossDetection: 'per-segment',
      });
      expect(part.segment?.startAt).toBe(parts[0]?.segment?.startAt);
      expect(part.segment?.startLateMs).toBeGreaterThanOrEqual(0);
      expect(part.segment?.ledger?.acked.length).toBe(4 * part.counters.acked);
      expect(part.counters.connects).toBe(MEMBERS / 2);
    }
    const merged = mergeRunResults(parts);

    for (const counter of ['connects', 'scheduled', 'sent', 'acked', 'delivered'] as const)
      expect(merged.counters[counter], counter).toBe(whole.counters[counter]);
    expect(merged.counters.sent).toBeGreaterThan(5);
    expect(merged.counters.delivered).toBe(merged.counters.sent * MEMBERS);
    // Each segment judged its own pairs, the merge the other half (those that crossed segments) from the ledgers.
    const segments = merged.segments!;
    expect(segments).toMatchObject({ count: 2, indices: [0, 1], lossDetection: 'global' });
    expect(segments.crossSegmentPairs).toMatchObject({ expected: segments.crossSegmentDeliveries, loss: 0 });
    expect(merged.correctness.total.expected).toBe(whole.correctness.total.expected);
    expect(merged.correctness.total).toMatchObject({ loss: 0, duplicates: 0, unexpected: 0 });
    expect(merged.correctness.total.seen).toBe(merged.correctness.total.expected);
    // Deliver latency on one clock for same-segment pairs; the cross-segment pairs corrected by clock offsets.
    expect(merged.latency.deliver.count).toBe(merged.counters.delivered - segments.crossSegmentDeliveries);
    expect(segments.latencyScope).toBe('same-segment+cross-segment');
    expect(segments.crossSegmentDeliver?.latency.count).toBe(segments.crossSegmentDeliveries);
    // One machine, one clock: the offsets agree within their uncertainty (loopback round trips).
    const [a, b] = parts.map((p) => p.segment!.clockOffset!);
    expect(Math.abs(a!.offsetMs - b!.offsetMs)).toBeLessThanOrEqual(a!.uncertaintyMs + b!.uncertaintyMs);
    // The merged uncertainty is exactly the two clocks' uncertainties added (both directions carried samples).
    expect(segments.crossSegmentDeliver!.uncertaintyMs).toBe(a!.uncertaintyMs + b!.uncertaintyMs);
    expect(whole.latency.deliver.count).toBe(whole.counters.delivered);
    // Every pair was judged: loss == 0 is verified.
    expect(merged.thresholds.map((t) => [t.expression, t.passed, t.note])).toEqual([
      ['loss == 0', true, null],
      ['errors == 0', true, null],
    ]);
    expect(merged.passed).toBe(true);
  });

  it('finds the deliveries a server dropped, between segments too', async () => {
    const merged = mergeRunResults(await runTwoSegments(lossy));
    const segments = merged.segments!;
    expect(segments.lossDetection).toBe('global');
    expect(lossy.dropped).toBeGreaterThan(2);
    expect(merged.correctness.total.loss).toBe(lossy.dropped);
    // Pairs whose sender and recipient are in different segments among them.
    expect(segments.crossSegmentPairs!.loss).toBeGreaterThan(0);
    expect(segments.crossSegmentPairs!.loss).toBeLessThan(lossy.dropped);
    expect(merged.correctness.total.seen + merged.correctness.total.loss).toBe(
      merged.correctness.total.expected,
    );
    const loss = merged.thresholds.find((t) => t.expression === 'loss == 0')!;
    expect(loss).toMatchObject({ passed: false, actual: lossy.dropped, note: null });
  });

  it('attributes deliveries of ack-timed-out messages across segments, as a one-machine run does', async () => {
    const noAcks = await startTestServer(['no-message-ack']);
    try {
      const noAckFile = join(dir, 'no-acks.yaml');
      await writeFile(
        noAckFile,
        SCENARIO.replace('  - errors == 0', '  - unexpected == 0\n  - ack_timed_out_deliveries == 0'),
      );
      const parts = await runTwoSegments(noAcks.address, noAckFile);
      // Each segment saw the timeouts of its own senders only: their deliveries from the other segment were left
      // to the merge.
      for (const part of parts) expect(part.correctness.total.unexpected).toBe(0);
      const merged = mergeRunResults(parts);
      const { counters, correctness, segments } = merged;
      expect(counters.acked).toBe(0);
      expect(counters.sent).toBeGreaterThan(5);
      expect(merged.errorsByCode.ack_timeout).toBe(counters.sent);
      expect(segments!.crossSegmentPairs!.ackTimedOutDeliveries).toBe(segments!.crossSegmentDeliveries);
      expect(segments!.crossSegmentDeliveries).toBeGreaterThan(10);
      expect(correctness.total.unexpected).toBe(0);
      expect(correctness.total.ackTimedOutDeliveries).toBe(counters.delivered);
      expect(merged.thresholds.map((t) => [t.expression, t.passed, t.actual])).toEqual([
        ['loss == 0', true, 0],
        ['unexpected == 0', true, 0],
        ['ack_timed_out_deliveries == 0', false, counters.delivered],
      ]);
    } finally {
      await noAcks.stop();
    }
  }, 30_000);

  it('combines the waits of segments that each waited past the grace for late deliveries', async () => {
    const late = await startTestServer(['late-fanout']);
    try {
      const lateFile = join(dir, 'late.yaml');
      // A longer phase than the others: late deliveries are under way when the grace ends (end-drain.e2e.test.ts).
      await writeFile(
        lateFile,
        SCENARIO.replace('grace: 500ms', 'grace: 1s').replace('duration: 1500ms', 'duration: 3s'),
      );
      const parts = await runTwoSegments(late.address, lateFile);
      for (const part of parts)
        expect(part.drain).toMatchObject({ extended: true, graceMs: 1000, maxMs: 4000 });
      const merged = mergeRunResults(parts);
      const drains = parts.map((p) => p.drain!);
      expect(merged.drain).toMatchObject({
        extended: true,
        graceMs: 1000,
        waitedMs: Math.max(...drains.map((d) => d.waitedMs)),
        lateAfterGrace: drains[0]!.lateAfterGrace + drains[1]!.lateAfterGrace,
        merged: { results: 2, withDrain: 2, extended: 2 },
      });
      // Late, not lost: same-segment pairs judged late by their segment, cross-segment ones seen by the merge.
      expect(merged.correctness.total.loss).toBe(0);
      expect(merged.correctness.total.late).toBeGreaterThan(0);
      expect(formatSummaryTable(merged)).toMatch(
        /drain: 2 of 2 segments waited past the grace \(1\.0 s\) for missing deliveries still arriving late, the longest \d+\.\d s after the last phase/,
      );
    } finally {
      await late.stop();
    }
  }, 30_000);

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
