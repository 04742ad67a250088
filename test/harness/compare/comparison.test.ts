import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, parseBudget, type Budget } from '../../../harness/compare/budgets.js';
import {
  compareRunSets,
  compareValues,
  DEFAULT_COMPARE_OPTIONS,
  smallestOneSidedP,
  type ComparisonReport,
} from '../../../harness/compare/comparison.js';
import { defaultMetrics, extractMetric, parseMetricName } from '../../../harness/compare/compared-metrics.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { syntheticRun, syntheticRuns } from './synthetic-runs.js';

const defaults = (): Budget[] => DEFAULT_BUDGETS.map((text) => parseBudget(text));
const set = (label: string, results: RunResult[]) => ({ label, files: [], results });
const compare = (
  baseline: RunResult[],
  current: RunResult[],
  budgets = defaults(),
  options = {},
): ComparisonReport => compareRunSets(set('baseline', baseline), set('current', current), budgets, options);
const row = (report: ComparisonReport, name: string) => {
  const found = report.metrics.find((m) => m.metric.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
};

describe('metric extraction', () => {
  it('reads percentiles from the histograms, throughput, correctness and counters', () => {
    const run = syntheticRun({ seed: 1, deliverSamples: [1, 2, 3, 4, 100], errors: 2, loss: 3 });
    expect(extractMetric(run, parseMetricName('deliver.p50'))).toBeCloseTo(3, 2);
    expect(extractMetric(run, parseMetricName('deliver.max'))).toBeCloseTo(100, 0);
    expect(extractMetric(run, parseMetricName('throughput.deliveries'))).toBeCloseTo((1600 - 3) / 4, 9);
    expect(extractMetric(run, parseMetricName('loss'))).toBe(3);
    expect(extractMetric(run, parseMetricName('errors'))).toBe(2);
    expect(extractMetric(run, parseMetricName('deliver.p99@steady', ['steady']))).toBeCloseTo(100, 0);
  });

  it('has no value for a latency without samples or a missing phase', () => {
    const run = syntheticRun({ seed: 1 });
    expect(extractMetric(run, parseMetricName('upload.p99'))).toBeNull();
    expect(extractMetric(run, parseMetricName('deliver.p99@surge', ['surge']))).toBeNull();
  });

  it('compares only latency metrics that have samples by default', () => {
    const names = defaultMetrics([syntheticRun({ seed: 1 })]).map((m) => m.name);
    expect(names).toContain('deliver.p99.9');
    expect(names).toContain('ack.p50');
    expect(names).not.toContain('upload.p50');
    expect(names).toContain('throughput.deliveries');
  });
});

describe('verdicts on synthetic runs', () => {
  it('identical distributions pass', () => {
    const report = compare(
      syntheticRuns(5, 100, { runNoise: 0.03 }),
      syntheticRuns(5, 200, { runNoise: 0.03 }),
    );
    expect(report.passed).toBe(true);
    expect(report.metrics.filter((m) => m.verdict === 'regression').map((m) => m.metric.name)).toEqual([]);
    expect(report.notes).toEqual([]);
  });

  it('a 30% slower delivery fails the gate on deliver, with its confidence, and leaves ack alone', () => {
    const report = compare(
      syntheticRuns(5, 100, { runNoise: 0.03, samples: 2000 }),
      syntheticRuns(5, 200, { runNoise: 0.03, samples: 2000, deliverMs: 2.6 }),
    );
    expect(report.passed).toBe(false);
    for (const name of ['deliver.p50', 'deliver.p99']) {
      const m = row(report, name);
      expect(m.verdict).toBe('regression');
      expect(m.failed).toBe(true);
      expect(m.relativeChange).toBeGreaterThan(0.2);
      // Complete separation of 5 vs 5 runs: the exact p is 1/252.
      expect(m.pValue).toBeCloseTo(1 / 252, 12);
      expect(m.note).toMatch(/past budget \+10% \(p = 0\.004, 99\.6% confidence, 5 vs 5 runs\)/);
      expect(m.interval!.low).toBeGreaterThan(0.1);
    }
    expect(row(report, 'ack.p99').failed).toBe(false);
  });

  it('a 30% faster delivery is an improvement and passes', () => {
    const report = compare(
      syntheticRuns(5, 100, { runNoise: 0.03, samples: 2000 }),
      syntheticRuns(5, 200, { runNoise: 0.03, samples: 2000, deliverMs: 1.4 }),
    );
    expect(report.passed).toBe(true);
    expect(row(report, 'deliver.p50').verdict).toBe('improvement');
  });

  it('noisy runs of the same build pass with high probability, where a single-run comparison often fails', () => {
    const budgets = defaults();
    let gatePasses = 0;
    let singleRunPasses = 0;
    const trials = 40;
    for (let trial = 0; trial < trials; trial++) {
      const baseline = syntheticRuns(5, 1000 + trial * 20, { runNoise: 0.08 });
      const current = syntheticRuns(5, 1010 + trial * 20, { runNoise: 0.08 });
      if (compare(baseline, current, budgets).passed) gatePasses++;
      if (compare(baseline.slice(0, 1), current.slice(0, 1), budgets).passed) singleRunPasses++;
    }
    expect(gatePasses).toBeGreaterThanOrEqual(trials * 0.9);
    expect(singleRunPasses).toBeLessThan(gatePasses - trials * 0.2);
  });

  it('with fewer than 3 runs a side falls back to comparing medians against the budget, and says so', () => {
    const slow = compare(syntheticRuns(1, 100), syntheticRuns(2, 200, { deliverMs: 3 }));
    const p50 = row(slow, 'deliver.p50');
    expect(p50.verdict).toBe('insufficient data');
    expect(p50.failed).toBe(true);
    expect(p50.pValue).toBeNull();
    expect(p50.note).toMatch(
      /^only 1 vs 2 runs \(a significance test needs 3 per side\): plain comparison of medians, \+\d+(\.\d)?% is past budget \+10%$/,
    );
    expect(slow.notes.join()).toMatch(/cannot tell a regression from noise/);
    const same = compare(syntheticRuns(2, 100, { samples: 4000 }), syntheticRuns(2, 100, { samples: 4000 }));
    expect(same.passed).toBe(true);
    expect(row(same, 'deliver.p50').verdict).toBe('insufficient data');
  });

  it('fails a gated metric that vanished from the current runs, not one the baseline never had', () => {
    const budgets = [parseBudget('upload.p99=+10%'), parseBudget('deliver.p99=+10%')];
    const withUploads = syntheticRuns(3, 1).map((r) => ({
      ...r,
      latency: { ...r.latency, upload: { ...r.latency.deliver } },
      histograms: { ...r.histograms, upload: r.histograms.deliver },
    }));
    const lost = compare(withUploads, syntheticRuns(3, 10), budgets);
    expect(row(lost, 'upload.p99')).toMatchObject({ verdict: 'insufficient data', failed: true });
    const never = compare(syntheticRuns(3, 1), syntheticRuns(3, 10), budgets);
    expect(row(never, 'upload.p99')).toMatchObject({ verdict: 'insufficient data', failed: false });
  });

  it('shows a regression of a metric without budget but does not fail on it', () => {
    const report = compare(
      syntheticRuns(5, 1, { runNoise: 0.02 }),
      syntheticRuns(5, 20, { runNoise: 0.02, ackMs: 2 }),
      [parseBudget('deliver.p50=+10%')],
    );
    const ack = row(report, 'ack.p50');
    expect(ack.budget).toBeNull();
    expect(ack.verdict).toBe('regression');
    expect(ack.failed).toBe(false);
    expect(report.passed).toBe(true);
  });

  it('catches errors that appear in every current run against errors=+0', () => {
    const report = compare(syntheticRuns(3, 1), syntheticRuns(3, 10, { errors: 4 }));
    expect(row(report, 'errors')).toMatchObject({ verdict: 'regression', failed: true, difference: 4 });
    expect(row(report, 'errors').pValue).toBeCloseTo(0.05, 15);
  });

  it('judges throughput as higher-is-better', () => {
    const report = compare(syntheticRuns(3, 1), syntheticRuns(3, 10, { deliveries: 1200 }));
    const throughput = row(report, 'throughput.deliveries');
    expect(throughput.relativeChange).toBeCloseTo(-0.25, 9);
    expect(throughput.failed).toBe(true);
    const faster = compare(syntheticRuns(3, 1), syntheticRuns(3, 10, { deliveries: 2000 }));
    expect(row(faster, 'throughput.deliveries').verdict).toBe('improvement');
  });

  it('warns when the run counts cannot reach the significance level', () => {
    const report = compare(syntheticRuns(3, 1), syntheticRuns(3, 10), defaults(), { alpha: 0.01 });
    expect(report.notes.join()).toMatch(/smallest possible p-value is 0\.05, above alpha 0\.01/);
    expect(smallestOneSidedP(3, 3)).toBeCloseTo(0.05, 15);
    expect(smallestOneSidedP(5, 5)).toBeCloseTo(1 / 252, 15);
  });

  it('notes runs of different scenarios', () => {
    const report = compare(syntheticRuns(3, 1), syntheticRuns(3, 10, { scenario: 'other' }));
    expect(report.notes.join()).toMatch(/baseline ran scenario "synthetic" but the current runs ran "other"/);
  });
});

describe('compareValues', () => {
  const p99 = parseMetricName('deliver.p99');
  const budget = parseBudget('deliver.p99=+10%');

  it('does not call a change inside the budget a regression, even when it is significant', () => {
    const m = compareValues(p99, [10, 10.1, 10.2, 10.3], [10.6, 10.7, 10.8, 10.9], budget);
    expect(m.verdict).toBe('no significant change');
    expect(m.note).toMatch(/within budget \+10%/);
  });

  it('needs the runs to separate before calling a change past the budget a regression', () => {
    const m = compareValues(p99, [10, 14, 9, 16], [13, 12, 20, 14], budget);
    expect(m.relativeChange).toBeGreaterThan(0.1);
    expect(m.verdict).toBe('no significant change');
    expect(m.note).toMatch(/overlap too much to tell it from noise/);
  });

  it('decides with the bootstrap interval when asked', () => {
    const options = { ...DEFAULT_COMPARE_OPTIONS, method: 'bootstrap' as const };
    expect(compareValues(p99, [10, 10.2, 9.9, 10.1], [13, 13.3, 12.9, 13.1], budget, options).verdict).toBe(
      'regression',
    );
    expect(compareValues(p99, [10, 14, 9, 16], [13, 12, 20, 14], budget, options).verdict).toBe(
      'no significant change',
    );
    expect(compareValues(p99, [10, 10.2, 9.9, 10.1], [7, 7.2, 6.9, 7.1], budget, options).verdict).toBe(
      'improvement',
    );
  });

  it('uses the absolute difference when the baseline median is 0', () => {
    const loss = compareValues(parseMetricName('loss'), [0, 0, 0], [2, 3, 2], parseBudget('loss=+10%'));
    expect(loss.relativeChange).toBeNull();
    expect(loss.difference).toBe(2);
    expect(loss.interval?.kind).toBe('absolute');
    expect(loss.verdict).toBe('regression');
  });
});
