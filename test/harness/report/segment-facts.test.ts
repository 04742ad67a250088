import { describe, expect, it } from 'vitest';
import { mergeRunResults } from '../../../harness/compare/merge-run-results.js';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { renderHtmlReport } from '../../../harness/report/html-report.js';
import { segmentFactLines } from '../../../harness/report/segment-facts.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { syntheticRun } from '../compare/synthetic-runs.js';

const START_AT = '2030-01-01T12:00:00.000Z';

function segment(index: number): RunResult {
  const result = syntheticRun({ seed: index + 1, startMs: Date.parse(START_AT) });
  result.segment = {
    index,
    count: 2,
    startAt: START_AT,
    startLateMs: 7 * index,
    latencyScope: 'same-segment',
    lossDetection: 'per-segment',
    crossSegmentDeliveries: 40 + index,
    clockOffset: { offsetMs: -3.25, uncertaintyMs: 0.5 },
  };
  return result;
}

describe('segmentFactLines', () => {
  it('says nothing for a whole run', () => {
    expect(segmentFactLines(syntheticRun({ seed: 1 }))).toEqual([]);
  });

  it('names the slice, its late start, what waits for the merge and the clock offset of a segment', () => {
    const lines = segmentFactLines(segment(1));
    expect(lines[0]).toBe(`segment 1 of 2 (0-based); start barrier ${START_AT}; started 7 ms late`);
    expect(lines[1]).toMatch(/41 deliveries from other segments wait for `garou-bench merge` \(no ledger/);
    expect(lines[2]).toBe(
      'deliver latency: same-segment pairs only; clock offset to the server: -3.3 ms (+-0.5 ms)',
    );
  });

  it('says how far a merge of segments could judge, in the console table and in report.html', () => {
    const merged = mergeRunResults([segment(0), segment(1)]);
    const lines = segmentFactLines(merged);
    expect(lines[0]).toBe(`segments 0, 1 of 2 merged; start barrier ${START_AT}; latest start 7 ms late`);
    expect(lines[1]).toMatch(/^loss detection: per segment only, a segment result has no ledger \(81 /);
    expect(lines[2]).toMatch(/^deliver latency: same-segment pairs only/);
    expect(formatSummaryTable(merged).split('\n').slice(-3)).toEqual(lines);
    const html = renderHtmlReport(merged);
    expect(html).toContain('<h2>Segments</h2>');
    expect(html).toContain('loss detection: per segment only');
  });
});
