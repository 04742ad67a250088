/**
 * Shared wording of a comparison for every output (terminal, Markdown, JUnit): values with their spread, the
 * change, the budget, the verdict and the one-line conclusion. Renderers only lay these strings out.
 */
import { formatThresholdValue } from '../report/format.js';
import { formatBudget } from './budgets.js';
import {
  formatChange,
  formatP,
  type ComparisonReport,
  type MetricComparison,
  type SideValues,
} from './comparison.js';

/** A value in the metric's unit ("2.1ms", "400/s", "0", "0.1%"). */
export function formatValue(comparison: MetricComparison, value: number | null): string {
  return formatThresholdValue(value, comparison.metric.unit);
}

/** Median and range of one side: "2.1ms [1.9-2.3]" (units on the median only; the run count is in the heading). */
export function formatSide(comparison: MetricComparison, values: SideValues): string {
  if (values.median === null) return 'no data';
  const median = formatValue(comparison, values.median);
  if (values.values.length === 1) return median;
  const bare = (v: number | null): string => formatValue(comparison, v).replace(/(ms|\/s|%)$/, '');
  return `${median} [${bare(values.min)}-${bare(values.max)}]`;
}

/** Change of the medians: relative when the baseline is not 0, else absolute. */
export function formatMetricChange(comparison: MetricComparison): string {
  if (comparison.relativeChange !== null) return formatChange(comparison.relativeChange);
  if (comparison.difference === null) return '-';
  const sign = comparison.difference > 0 ? '+' : comparison.difference < 0 ? '' : '±';
  return `${sign}${formatValue(comparison, comparison.difference)}`;
}

/** Budget as written, or "-" when the metric is not gated. */
export function formatMetricBudget(comparison: MetricComparison): string {
  return comparison.budget ? formatBudget(comparison.budget) : '-';
}

/** Interval of the change: "[+850%, +990%]" or "[+2ms, +3ms]". */
export function formatInterval(comparison: MetricComparison): string {
  const interval = comparison.interval;
  if (!interval) return '-';
  const f = (v: number): string =>
    interval.kind === 'relative' ? formatChange(v) : `${v > 0 ? '+' : ''}${formatValue(comparison, v)}`;
  return `[${f(interval.low)}, ${f(interval.high)}]`;
}

/** p-value column: "0.05" or "-". */
export function formatMetricP(comparison: MetricComparison): string {
  return comparison.pValue === null ? '-' : formatP(comparison.pValue);
}

/** Verdict column: "REGRESSION" for a failure, else the verdict ("regression (not gated)" when ungated). */
export function formatVerdict(comparison: MetricComparison): string {
  if (comparison.failed)
    return comparison.verdict === 'regression' ? 'REGRESSION' : `FAIL (${comparison.verdict})`;
  if (comparison.budget === null && comparison.verdict === 'regression') return 'regression (not gated)';
  return comparison.verdict;
}

/** How the verdicts were reached, e.g. "one-sided Mann-Whitney U at alpha 0.05, 3 vs 3 runs". */
export function describeMethod(report: ComparisonReport): string {
  const o = report.options;
  const runs = `${report.baseline.runs} vs ${report.current.runs} runs`;
  return o.method === 'mann-whitney'
    ? `one-sided Mann-Whitney U per metric against the budget, alpha ${o.alpha}, ${runs}; ` +
        `${Math.round(o.confidence * 100)}% bootstrap intervals of the change (seed ${o.seed})`
    : `${Math.round(o.confidence * 100)}% bootstrap interval of the median change against the budget ` +
        `(${o.resamples} resamples, seed ${o.seed}), ${runs}`;
}

/** The verdict line: "PASS: ..." or "FAIL: n metrics regressed past their budget: ...". */
export function conclusion(report: ComparisonReport): string {
  const failed = report.metrics.filter((m) => m.failed);
  const gated = report.metrics.filter((m) => m.budget !== null).length;
  if (failed.length === 0) {
    return `PASS: no metric regressed past its budget (${report.metrics.length} metrics compared, ${gated} with a budget)`;
  }
  const list = failed
    .map((m) => `${m.metric.name} ${formatMetricChange(m)} (budget ${formatMetricBudget(m)})`)
    .join(', ');
  return `FAIL: ${failed.length} metric${failed.length === 1 ? '' : 's'} regressed past ${failed.length === 1 ? 'its' : 'their'} budget: ${list}`;
}
