import { describe, expect, it } from 'vitest';
import { mergeRunResults, RunMergeError, unionLength } from '../../../harness/compare/merge-run-results.js';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { parseResult, serializeResult } from '../../../harness/report/summary-json.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';
import { syntheticRun } from './synthetic-runs.js';

function samples(seed: number, count: number): number[] {
  const random = SeededRandom.derive(seed, 'merge-test');
  return Array.from({ length: count }, () => random.exponential(3) + 0.2);
}

describe('mergeRunResults', () => {
  const a = samples(1, 700);
  const b = samples(2, 300).map((v) => v * 4);
  const c = samples(3, 50).map((v) => v + 40);
  const runs = [a, b, c].map((deliverSamples, i) =>
    syntheticRun({ seed: i + 1, deliverSamples, errors: i, loss: i * 2 }),
  );

  it('adds histograms exactly: the merged deliver histogram is the histogram of every sample', () => {
    const merged = mergeRunResults(runs);
    const reference = new LatencyRecorder();
    for (const v of [...a, ...b, ...c]) reference.recordMs(v);
    const mergedDeliver = LatencyRecorder.decode(merged.histograms.deliver);
    expect(mergedDeliver.buckets()).toEqual(reference.buckets());
    expect(merged.latency.deliver).toEqual(reference.summary());
    expect(merged.latency.deliver.p99).not.toBeCloseTo(
      runs.reduce((sum, r) => sum + r.latency.deliver.p99, 0) / runs.length,
      1,
    );
    const phaseDeliver = LatencyRecorder.decode(merged.phases[0]!.histograms.deliver);
    expect(phaseDeliver.buckets()).toEqual(reference.buckets());
  });

  it('sums counters, errors by code and correctness, room by room', () => {
    const merged = mergeRunResults(runs);
    expect(merged.counters.errors).toBe(0 + 1 + 2);
    expect(merged.errorsByCode).toEqual({ '1010': 3 });
    expect(merged.correctness.total.loss).toBe(0 + 2 + 4);
    expect(merged.correctness.total.expected).toBe(3 * 1600);
    expect(merged.correctness.rooms).toHaveLength(1);
    expect(merged.correctness.rooms[0]).toMatchObject({ roomId: 7000, room: 'lobby', loss: 6 });
    expect(merged.workers).toBe(3);
  });

  it('averages the rate of repeated runs (disjoint windows) and adds the rate of segments of one run', () => {
    const repeated = mergeRunResults(runs);
    expect(repeated.throughput.windowMs).toBe(3 * 4000);
    expect(repeated.throughput.deliveries).toBeCloseTo((1600 + 1598 + 1596) / 12, 9);
    const start = Date.UTC(2025, 0, 1);
    const segments = [1, 2].map((seed) => syntheticRun({ seed, startMs: start }));
    const together = mergeRunResults(segments);
    expect(together.throughput.windowMs).toBe(4000);
    expect(together.throughput.deliveries).toBeCloseTo(2 * 400, 9);
    expect(together.phases[0]!.throughput.deliveries).toBeCloseTo(2 * 400, 9);
  });

  it('overlays timelines, keeping a per-second p99 only where one run has it', () => {
    const merged = mergeRunResults(runs);
    expect(merged.timeline).toHaveLength(5);
    expect(merged.timeline[1]).toMatchObject({
      connected: 60,
      delivered: runs.reduce((s, r) => s + r.timeline[1]!.delivered, 0),
      p99Ms: null,
    });
    expect(mergeRunResults([runs[0]!]).timeline[1]!.p99Ms).toBe(5);
  });

  it('re-evaluates thresholds on the merged figures', () => {
    const withThreshold = runs.map((r): RunResult => ({
      ...r,
      thresholds: [
        {
          expression: 'loss == 0',
          metric: 'loss',
          op: '==',
          expected: 0,
          actual: r.correctness.total.loss,
          unit: '',
          passed: r.correctness.total.loss === 0,
          note: null,
          line: 30,
        },
      ],
    }));
    expect(withThreshold[0]!.passed).toBe(true);
    const merged = mergeRunResults(withThreshold);
    expect(merged.thresholds).toEqual([
      {
        expression: 'loss == 0',
        metric: 'loss',
        op: '==',
        expected: 0,
        actual: 6,
        unit: '',
        passed: false,
        note: null,
        line: 30,
      },
    ]);
    expect(merged.passed).toBe(false);
  });

  it('spans every run in time and survives a summary.json round trip', () => {
    const merged = mergeRunResults(runs);
    expect(merged.startedAt).toBe(runs[0]!.startedAt);
    expect(merged.endedAt).toBe(runs[2]!.endedAt);
    expect(parseResult(serializeResult(merged))).toEqual(merged);
  });

  it('refuses nothing, other scenarios and other precisions with a clear message', () => {
    expect(() => mergeRunResults([])).toThrow(RunMergeError);
    expect(() => mergeRunResults([runs[0]!, syntheticRun({ seed: 9, scenario: 'other' })])).toThrow(
      'cannot merge runs of different scenarios (synthetic, other)',
    );
    const coarse = { ...runs[1]!, units: { ...runs[1]!.units, significantDigits: 2 } };
    expect(() => mergeRunResults([runs[0]!, coarse])).toThrow(/different precision/);
  });
});

describe('unionLength', () => {
  it('counts overlapping time once', () => {
    expect(
      unionLength([
        [0, 10],
        [5, 15],
        [20, 30],
        [30, 31],
      ]),
    ).toBe(26);
    expect(
      unionLength([
        [0, 10],
        [0, 10],
      ]),
    ).toBe(10);
    expect(unionLength([[3, 3]])).toBe(0);
    expect(unionLength([])).toBe(0);
  });
});
