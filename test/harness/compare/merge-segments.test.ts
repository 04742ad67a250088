import { describe, expect, it } from 'vitest';
import { mergeRunResults, RunMergeError } from '../../../harness/compare/merge-run-results.js';
import type { DrainSummary, RunResult, SegmentInfo } from '../../../harness/metrics/run-result.js';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { renderHtmlReport } from '../../../harness/report/html-report.js';
import { parseResult, serializeResult } from '../../../harness/report/summary-json.js';
import { syntheticRun } from './synthetic-runs.js';

const START_AT = '2030-01-01T12:00:00.000Z';

function segment(index: number, count: number, extra: Partial<SegmentInfo> = {}): RunResult {
  const result = syntheticRun({ seed: index + 1, startMs: Date.parse(START_AT) });
  result.thresholds = [{ ...thresholdOf('loss == 0', 'loss') }, { ...thresholdOf('errors == 0', 'errors') }];
  result.segment = {
    index,
    count,
    startAt: START_AT,
    startLateMs: index * 10,
    latencyScope: 'same-segment',
    lossDetection: 'per-segment',
    crossSegmentDeliveries: 100 + index,
    ...extra,
  };
  return result;
}

function thresholdOf(expression: string, metric: string): RunResult['thresholds'][number] {
  return {
    expression,
    metric,
    op: '==',
    expected: 0,
    actual: 0,
    unit: '',
    passed: true,
    note: null,
    line: null,
  };
}

function roomEvent(
  type: 'promoted' | 'demoted',
  offsetMs: number,
  observers: number,
): RunResult['events'][number] {
  return {
    type,
    roomId: 5,
    room: 'viral',
    offsetMs,
    at: new Date(Date.parse(START_AT) + offsetMs).toISOString(),
    phase: null,
    observers,
    reactionMs: offsetMs % 100,
  };
}

describe('mergeRunResults on segments', () => {
  it('folds the same promotion and demotion seen by every segment into one event each', () => {
    const parts = [segment(0, 2), segment(1, 2)];
    parts[0]!.events = [roomEvent('promoted', 1010, 3), roomEvent('demoted', 9050, 3)];
    parts[1]!.events = [roomEvent('promoted', 1002, 2), roomEvent('demoted', 9040, 2)];
    const merged = mergeRunResults(parts);
    expect(merged.events.map((e) => [e.type, e.offsetMs, e.observers, e.reactionMs])).toEqual([
      ['promoted', 1002, 5, 2],
      ['demoted', 9040, 5, 40],
    ]);
    // Repeated runs (not segments) keep each run's events: they are different promotions.
    const runs = [syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 })];
    runs[0]!.events = [roomEvent('promoted', 1010, 3)];
    runs[1]!.events = [roomEvent('promoted', 1002, 2)];
    expect(mergeRunResults(runs).events).toHaveLength(2);
  });

  it('without ledgers (older results): records the segment facts and refuses to pass correctness thresholds', () => {
    const merged = mergeRunResults([segment(1, 3), segment(0, 3), segment(2, 3)]);
    expect(merged.segments).toEqual({
      count: 3,
      indices: [0, 1, 2],
      startAt: START_AT,
      maxStartLateMs: 20,
      latencyScope: 'same-segment',
      lossDetection: 'per-segment',
      crossSegmentDeliveries: 303,
      crossSegmentPairs: null,
      crossSegmentDeliver: null,
    });
    const loss = merged.thresholds.find((t) => t.expression === 'loss == 0')!;
    expect(loss.actual).toBe(0);
    expect(loss.passed).toBe(false);
    expect(loss.note).toMatch(
      /per segment only \(a segment result has no ledger; 303 cross-segment deliveries/,
    );
    expect(merged.thresholds.find((t) => t.expression === 'errors == 0')?.passed).toBe(true);
    expect(merged.passed).toBe(false);
    // The facts survive summary.json.
    expect(parseResult(serializeResult(merged)).segments).toEqual(merged.segments);
  });

  it("combines the segments' waits after the last phase, and says so in the console table and report.html", () => {
    const waited: DrainSummary = {
      graceMs: 1000,
      maxMs: 4000,
      waitedMs: 2600,
      extended: true,
      ended: 'nothing-missing',
      missingAtGraceEnd: 40,
      missingAtEnd: 0,
      lateAfterGrace: 40,
    };
    const parts = [segment(0, 2), segment(1, 2)];
    parts[0]!.drain = waited;
    parts[1]!.drain = {
      ...waited,
      waitedMs: 1000,
      extended: false,
      ended: 'no-late-arrivals',
      missingAtEnd: 3,
    };
    parts[1]!.drain.missingAtGraceEnd = 3;
    parts[1]!.drain.lateAfterGrace = 0;
    const merged = mergeRunResults(parts);
    expect(merged.drain).toEqual({
      graceMs: 1000,
      maxMs: 4000,
      waitedMs: 2600,
      extended: true,
      ended: 'no-late-arrivals',
      missingAtGraceEnd: 43,
      missingAtEnd: 3,
      lateAfterGrace: 40,
      merged: { results: 2, withDrain: 2, extended: 1 },
    });
    expect(parseResult(serializeResult(merged)).drain).toEqual(merged.drain);
    const line =
      'drain: 1 of 2 segments waited past the grace (1.0 s) for missing deliveries still arriving late, the ' +
      'longest 2.6 s after the last phase; 43 expected deliveries were missing when the grace ended, 40 arrived ' +
      'after it (counted late); worst end: they stopped arriving, 3 still missing count as lost';
    expect(formatSummaryTable(merged)).toContain(line);
    expect(renderHtmlReport(merged)).toContain(`<p>${line}</p>`);
    // Repeated runs (not segments) combine the same way; results of older versions carry none.
    const runs = [syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 })];
    runs[0]!.drain = waited;
    expect(formatSummaryTable(mergeRunResults(runs))).toMatch(
      /drain: 1 of 1 runs waited .*each stopped when none was missing; 1 more runs \(older versions\) report no drain/,
    );
    expect(mergeRunResults([syntheticRun({ seed: 1 })]).drain).toBeUndefined();
  });

  it('leaves merges of whole runs as they were: no segment facts, loss thresholds judged', () => {
    const runs = [1, 2].map((seed) => {
      const run = syntheticRun({ seed });
      run.thresholds = [thresholdOf('loss == 0', 'loss')];
      return run;
    });
    const merged = mergeRunResults(runs);
    expect(merged.segments).toBeUndefined();
    expect(merged.thresholds[0]?.passed).toBe(true);
  });

  it('refuses incomplete, doubled, mixed or cross-run segment sets with a clear message', () => {
    const fail = (results: RunResult[], message: RegExp): void => {
      expect(() => mergeRunResults(results)).toThrow(RunMergeError);
      expect(() => mergeRunResults(results)).toThrow(message);
    };
    fail([segment(0, 3), segment(2, 3)], /segment 1\/3 missing/);
    fail([segment(0, 2), segment(1, 2), segment(1, 2)], /segment 1\/2 is given more than once/);
    fail([segment(0, 2), syntheticRun({ seed: 9 })], /with whole-run results/);
    fail([segment(0, 2), segment(1, 3)], /different segment counts \(2, 3\)/);
    fail(
      [segment(0, 2), segment(1, 2, { startAt: '2030-01-01T13:00:00.000Z' })],
      /segments of different runs/,
    );
  });
});
