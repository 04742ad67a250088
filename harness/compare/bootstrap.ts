/**
 * Bootstrap confidence intervals for the change of the median between two sets of runs. Each side is resampled
 * with replacement on its own (the runs of a side are the independent units), with a seeded generator so the same
 * input always gives the same interval; the interval is the percentile interval of the resampled statistic.
 */
import { SeededRandom } from '../scenario/rng.js';

/** Options of a bootstrap. */
export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Coverage of the interval, between 0 and 1 (default 0.95). */
  confidence?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

/** A bootstrap percentile interval around a point estimate. */
export interface BootstrapInterval {
  /** The statistic on the original samples. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** current / baseline, with 0/0 = 1 (no change) and x/0 = Infinity. */
export function ratio(current: number, baseline: number): number {
  if (baseline === 0) return current === 0 ? 1 : current > 0 ? Infinity : -Infinity;
  return current / baseline;
}

function resampleMedian(values: readonly number[], random: SeededRandom): number {
  const draw = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) draw[i] = values[random.int(values.length)] as number;
  return median(draw);
}

/**
 * Percentile bootstrap interval of `statistic(median(current), median(baseline))`. Deterministic for a given
 * seed. Nearest-rank percentiles, so infinite statistics (ratio to a zero median) stay well defined.
 */
export function bootstrapMedianStatistic(
  baseline: readonly number[],
  current: readonly number[],
  statistic: (currentMedian: number, baselineMedian: number) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (baseline.length === 0 || current.length === 0)
    throw new RangeError('bootstrap needs values on both sides');
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError('resamples must be a positive integer');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');
  const random = SeededRandom.derive(options.seed ?? 1, 'bootstrap');
  const stats = new Array<number>(resamples);
  for (let i = 0; i < resamples; i++) {
    // Baseline first, then current: the draw order is part of the determinism.
    const b = resampleMedian(baseline, random);
    const c = resampleMedian(current, random);
    stats[i] = statistic(c, b);
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    estimate: statistic(median(current), median(baseline)),
    low: stats[Math.floor(tail * (resamples - 1))] as number,
    high: stats[Math.ceil((1 - tail) * (resamples - 1))] as number,
    confidence,
    resamples,
  };
}

/** Interval of median(current) / median(baseline). */
export function bootstrapMedianRatio(
  baseline: readonly number[],
  current: readonly number[],
  options: BootstrapOptions = {},
): BootstrapInterval {
  return bootstrapMedianStatistic(baseline, current, ratio, options);
}

/** Interval of median(current) - median(baseline). */
export function bootstrapMedianDifference(
  baseline: readonly number[],
  current: readonly number[],
  options: BootstrapOptions = {},
): BootstrapInterval {
  return bootstrapMedianStatistic(baseline, current, (c, b) => c - b, options);
}
