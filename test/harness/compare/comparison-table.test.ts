/** The terminal comparison table fits a 100-column terminal and still says everything that matters. */
import { describe, expect, it } from 'vitest';
import { parseBudget } from '../../../harness/compare/budgets.js';
import { compareRunSets } from '../../../harness/compare/comparison.js';
import { formatComparisonTable } from '../../../harness/compare/comparison-table.js';
import { syntheticRuns } from './synthetic-runs.js';

describe('comparison table', () => {
  const report = compareRunSets(
    { label: 'baseline:main', files: [], results: syntheticRuns(5, 1) },
    { label: 'reports/current', files: [], results: syntheticRuns(5, 10, { errors: 2 }) },
    [parseBudget('errors=+0'), parseBudget('deliver.p99=+10%'), parseBudget('throughput.deliveries=-5%')],
  );
  const text = formatComparisonTable(report);
  const lines = text.split('\n');

  it('fits 100 columns, without trailing blanks', () => {
    for (const line of lines) {
      expect(line.length, line).toBeLessThanOrEqual(100);
      expect(line).toBe(line.trimEnd());
    }
  });

  it('has one row per metric with its verdict, and the failure explained with its interval', () => {
    for (const m of report.metrics)
      expect(text).toMatch(new RegExp(`^${m.metric.name.replace('.', '\\.')} `, 'm'));
    expect(text).toMatch(/^errors +0 \[0-0\] +2 \[2-2\] +\+2 +\+0 +0\.004 +REGRESSION$/m);
    expect(text).toMatch(/^errors: \+2 is past budget \+0 .*; change interval \[\+2, \+2\]$/m);
    expect(text).toMatch(/^deliver\.p50 .* no change$/m);
  });
});
