/**
 * The gate's verdicts: every metric of two run sets side by side, with its change, its budget and a verdict that
 * accounts for run-to-run noise.
 *
 * The unit of evidence is the RUN: each run gives one value per metric (e.g. its deliver p99), so the noise that
 * matters (scheduling, GC, the machine) is measured by the spread between repeated runs. A metric regresses when
 *   - `mann-whitney` (default): a one-sided Mann-Whitney U test rejects "current is no worse than the baseline
 *     moved by its budget" (every baseline run's value shifted by the budget) at level `alpha`, and the current
 *     median is past the budget of the baseline median;
 *   - `bootstrap`: the bootstrap interval of the median change lies entirely past the budget.
 * An improvement is the mirror image. With fewer than `minRuns` runs on a side there is no test: the medians are
 * compared plainly against the budget and the verdict says "insufficient data".
 */
import type { RunResult } from '../metrics/run-result.js';
import {
  bootstrapMedianDifference,
  bootstrapMedianRatio,
  median,
  type BootstrapInterval,
} from './bootstrap.js';
import { formatBudget, type Budget } from './budgets.js';
import { defaultMetrics, extractMetric, type ComparedMetric } from './compared-metrics.js';
import { mannWhitneyU, type MannWhitneyMethod } from './mann-whitney.js';
import type { RunSet } from './run-set.js';

/** What the gate concluded for one metric. */
export type Verdict = 'regression' | 'improvement' | 'no significant change' | 'insufficient data';

/** How a regression is decided. */
export type CompareMethod = 'mann-whitney' | 'bootstrap';

/** Options of a comparison. */
export interface CompareOptions {
  method: CompareMethod;
  /** Significance level of the rank test (default 0.05). */
  alpha: number;
  /** Coverage of the bootstrap interval (default 0.95). */
  confidence: number;
  resamples: number;
  /** Seed of the bootstrap resampling. */
  seed: number;
  /** Fewest runs per side for a statistical verdict (default 3). */
  minRuns: number;
}

/** Defaults of CompareOptions. */
export const DEFAULT_COMPARE_OPTIONS: CompareOptions = {
  method: 'mann-whitney',
  alpha: 0.05,
  confidence: 0.95,
  resamples: 2000,
  seed: 1,
  minRuns: 3,
};

/**
 * Metrics without a budget are judged against this relative change (never failing the gate): with a dozen
 * informational rows, a plain "any significant change" would flag one by chance in most comparisons.
 */
export const UNGATED_NOTICE_CHANGE = 0.1;

/** One side's values of a metric (runs without data left out). */
export interface SideValues {
  values: number[];
  median: number | null;
  min: number | null;
  max: number | null;
}

/** The comparison of one metric. */
export interface MetricComparison {
  metric: ComparedMetric;
  baseline: SideValues;
  current: SideValues;
  /** median(current) / median(baseline) - 1; null when a side has no data or the baseline median is 0. */
  relativeChange: number | null;
  /** median(current) - median(baseline); null when a side has no data. */
  difference: number | null;
  /** The budget in force; null = not gated (shown for information, judged against UNGATED_NOTICE_CHANGE). */
  budget: Budget | null;
  verdict: Verdict;
  /** This metric fails the gate. */
  failed: boolean;
  /** One-sided p-value of the rank test behind the verdict (past the budget); null when no test ran. */
  pValue: number | null;
  /** How the p-value was computed. */
  test: { u: number; method: MannWhitneyMethod } | null;
  /** Bootstrap interval of the change: relative (ratio - 1) or absolute (difference), null without data. */
  interval: (BootstrapInterval & { kind: 'relative' | 'absolute' }) | null;
  /** One sentence saying why, for reports. */
  note: string;
}

/** What a run set looked like, for reports. */
export interface RunSetSummary {
  label: string;
  runs: number;
  scenario: string;
  files: string[];
}

/** The comparison of two run sets. */
export interface ComparisonReport {
  baseline: RunSetSummary;
  current: RunSetSummary;
  options: CompareOptions;
  metrics: MetricComparison[];
  /** No gated metric failed. */
  passed: boolean;
  /** Warnings about the inputs (different scenarios, few runs). */
  notes: string[];
}

function side(values: number[]): SideValues {
  if (values.length === 0) return { values, median: null, min: null, max: null };
  return { values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Formats a relative change: "+12.3%", "-4.1%". */
export function formatChange(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞%' : '-∞%';
  const pct = change * 100;
  const text = pct.toFixed(Math.abs(pct) >= 100 ? 0 : 1);
  if (Number(text) === 0) return '±0%';
  return `${pct > 0 ? '+' : ''}${text}%`;
}

/** Formats a p-value: "0.05", "0.0032", "<0.0001". */
export function formatP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return String(Number(p.toPrecision(2)));
}

/** Compares one metric given each side's per-run values. */
export function compareValues(
  metric: ComparedMetric,
  baselineValues: readonly number[],
  currentValues: readonly number[],
  budget: Budget | null,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): MetricComparison {
  const baseline = side([...baselineValues]);
  const current = side([...currentValues]);
  const gated = budget !== null;
  const common = { metric, baseline, current, budget, pValue: null, test: null, interval: null };
  if (baseline.median === null || current.median === null) {
    const missing =
      baseline.median === null && current.median === null
        ? 'either side'
        : baseline.median === null
          ? 'the baseline'
          : 'the current runs';
    // A gated figure that vanished from the current runs is suspicious; one the baseline never had is not.
    const failed = gated && baseline.median !== null;
    return {
      ...common,
      relativeChange: null,
      difference: null,
      verdict: 'insufficient data',
      failed,
      note: `no data in ${missing}${failed ? ': the baseline had it, so the gate fails' : ''}`,
    };
  }
  const lower = metric.direction === 'lower-is-better';
  const kind = budget?.kind ?? 'relative';
  const amount = budget?.amount ?? UNGATED_NOTICE_CHANGE;
  /** The baseline value moved by the budget towards worse (+1) or better (-1). */
  const moved = (value: number, towards: 1 | -1): number => {
    const sign = (lower ? 1 : -1) * towards;
    return kind === 'relative' ? value * (1 + sign * amount) : value + sign * amount;
  };
  const worseThan = (a: number, b: number): boolean => (lower ? a > b : a < b);
  const pastWorse = worseThan(current.median, moved(baseline.median, 1));
  const pastBetter = worseThan(moved(baseline.median, -1), current.median);
  const relativeChange = baseline.median === 0 ? null : current.median / baseline.median - 1;
  const difference = current.median - baseline.median;
  const relativeInterval = kind === 'relative' && baseline.median !== 0;
  const bootstrapOptions = {
    resamples: options.resamples,
    confidence: options.confidence,
    seed: options.seed,
  };
  const raw = relativeInterval
    ? bootstrapMedianRatio(baseline.values, current.values, bootstrapOptions)
    : bootstrapMedianDifference(baseline.values, current.values, bootstrapOptions);
  const interval = relativeInterval
    ? { ...raw, estimate: raw.estimate - 1, low: raw.low - 1, high: raw.high - 1, kind: 'relative' as const }
    : { ...raw, kind: 'absolute' as const };
  const budgetText = budget
    ? `budget ${formatBudget(budget)}`
    : `the ${UNGATED_NOTICE_CHANGE * 100}% notice level (no budget: not gated)`;
  const changeText =
    relativeChange !== null
      ? formatChange(relativeChange)
      : `${difference >= 0 ? '+' : ''}${Number(difference.toPrecision(4))}`;
  const result = { ...common, relativeChange, difference, interval };

  const n = `${baseline.values.length} vs ${current.values.length} runs`;
  if (baseline.values.length < options.minRuns || current.values.length < options.minRuns) {
    const failed = gated && pastWorse;
    return {
      ...result,
      verdict: 'insufficient data',
      failed,
      note:
        `only ${n} (a significance test needs ${options.minRuns} per side): plain comparison of medians, ` +
        `${changeText} ${pastWorse ? 'is past' : 'is within'} ${budgetText}`,
    };
  }

  if (options.method === 'bootstrap') {
    // Interval of the change against the budget, in the interval's own terms.
    const limit = relativeInterval ? amount : kind === 'relative' ? 0 : amount;
    const worse = lower ? interval.low > limit : interval.high < -limit;
    const better = lower ? interval.high < -limit : interval.low > limit;
    const level = `${Math.round(options.confidence * 100)}% interval`;
    const verdict: Verdict = worse ? 'regression' : better ? 'improvement' : 'no significant change';
    return {
      ...result,
      verdict,
      failed: gated && worse,
      note:
        verdict === 'regression'
          ? `${changeText}: the whole ${level} of the change is past ${budgetText}`
          : verdict === 'improvement'
            ? `${changeText}: the whole ${level} of the change is better than the baseline by more than ${budgetText}`
            : `${changeText}: the ${level} of the change overlaps ${budgetText}`,
    };
  }

  const worseTest = mannWhitneyU(
    current.values,
    baseline.values.map((v) => moved(v, 1)),
    lower ? 'greater' : 'less',
  );
  const betterTest = mannWhitneyU(
    current.values,
    baseline.values.map((v) => moved(v, -1)),
    lower ? 'less' : 'greater',
  );
  const significant = (p: number): boolean => p <= options.alpha;
  const confidence = (p: number): string => `${Number(((1 - p) * 100).toPrecision(3))}% confidence`;
  if (significant(worseTest.pValue) && pastWorse) {
    return {
      ...result,
      verdict: 'regression',
      failed: gated,
      pValue: worseTest.pValue,
      test: { u: worseTest.u, method: worseTest.method },
      note: `${changeText} is past ${budgetText} (p = ${formatP(worseTest.pValue)}, ${confidence(worseTest.pValue)}, ${n})`,
    };
  }
  if (significant(betterTest.pValue) && pastBetter) {
    return {
      ...result,
      verdict: 'improvement',
      failed: false,
      pValue: betterTest.pValue,
      test: { u: betterTest.u, method: betterTest.method },
      note: `${changeText}: better by more than ${budgetText} (p = ${formatP(betterTest.pValue)}, ${confidence(betterTest.pValue)}, ${n})`,
    };
  }
  const why = pastWorse
    ? `the medians are past ${budgetText} but the runs overlap too much to tell it from noise`
    : `within ${budgetText}`;
  return {
    ...result,
    verdict: 'no significant change',
    failed: false,
    pValue: worseTest.pValue,
    test: { u: worseTest.u, method: worseTest.method },
    note: `${changeText}: ${why} (p = ${formatP(worseTest.pValue)} for a regression past budget, ${n})`,
  };
}

/** Smallest one-sided p-value an exact rank test can reach with n1 and n2 runs: 1 / C(n1 + n2, n1). */
export function smallestOneSidedP(n1: number, n2: number): number {
  let combinations = 1;
  for (let k = 1; k <= n1; k++) combinations = (combinations * (n2 + k)) / k;
  return 1 / combinations;
}

/** The values of `metric` in each run that has data for it. */
export function metricValues(results: readonly RunResult[], metric: ComparedMetric): number[] {
  const values: number[] = [];
  for (const result of results) {
    const value = extractMetric(result, metric);
    if (value !== null && Number.isFinite(value)) values.push(value);
  }
  return values;
}

function summaryOf(set: RunSet): RunSetSummary {
  return {
    label: set.label,
    runs: set.results.length,
    scenario: set.results[0]?.scenario.name ?? '?',
    files: [...set.files],
  };
}

/**
 * Compares two run sets: the default metrics plus every budgeted one, each judged against its budget
 * (metrics without a budget are shown but never fail the gate).
 */
export function compareRunSets(
  baseline: RunSet,
  current: RunSet,
  budgets: readonly Budget[],
  options: Partial<CompareOptions> = {},
): ComparisonReport {
  const settings = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const all = [...baseline.results, ...current.results];
  const metrics = defaultMetrics(all);
  const budgetOf = new Map(budgets.map((b) => [b.metric.name, b]));
  for (const budget of budgets)
    if (!metrics.some((m) => m.name === budget.metric.name)) metrics.push(budget.metric);
  const comparisons = metrics.map((metric) =>
    compareValues(
      metric,
      metricValues(baseline.results, metric),
      metricValues(current.results, metric),
      budgetOf.get(metric.name) ?? null,
      settings,
    ),
  );
  const base = summaryOf(baseline);
  const cur = summaryOf(current);
  const notes: string[] = [];
  if (base.scenario !== cur.scenario)
    notes.push(`the baseline ran scenario "${base.scenario}" but the current runs ran "${cur.scenario}"`);
  const seeds = new Set(all.map((r) => r.scenario.seed));
  if (seeds.size > 1)
    notes.push(`the runs used different seeds (${[...seeds].join(', ')}), so their plans differ`);
  const fewest = Math.min(base.runs, cur.runs);
  if (fewest < settings.minRuns) {
    notes.push(
      `only ${base.runs} baseline and ${cur.runs} current run(s): with fewer than ${settings.minRuns} per side ` +
        `the gate compares medians plainly and cannot tell a regression from noise (use --repeat ${Math.max(settings.minRuns, 5)})`,
    );
  } else if (settings.method === 'mann-whitney') {
    const strongest = smallestOneSidedP(base.runs, cur.runs);
    if (strongest > settings.alpha) {
      notes.push(
        `with ${base.runs} vs ${cur.runs} runs the smallest possible p-value is ${formatP(strongest)}, above alpha ` +
          `${settings.alpha}: no regression can be significant; add runs`,
      );
    }
  }
  return {
    baseline: base,
    current: cur,
    options: settings,
    metrics: comparisons,
    passed: comparisons.every((c) => !c.failed),
    notes,
  };
}
