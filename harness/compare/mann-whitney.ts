/**
 * Mann-Whitney U test (Wilcoxon rank-sum): does one sample tend to hold larger values than the other?
 *
 * Small samples (the usual 3 to 20 repeated runs per side) get the EXACT permutation distribution of U, computed
 * by dynamic programming over the ranks; ties get midranks and the exact distribution accounts for them (it is the
 * permutation distribution of the midrank sum). Larger samples use the normal approximation with the tie
 * correction of the variance and a continuity correction, as in most statistics packages.
 */

/** Alternative hypothesis: `greater` = values of `x` tend to be larger than values of `y`. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** How the p-value was obtained. */
export type MannWhitneyMethod = 'exact' | 'normal';

/** Outcome of a Mann-Whitney U test. */
export interface MannWhitneyResult {
  /** U of `x`: pairs (x_i, y_j) with x_i > y_j, plus half the tied pairs. Ranges from 0 to n1*n2. */
  u: number;
  n1: number;
  n2: number;
  alternative: Alternative;
  pValue: number;
  method: MannWhitneyMethod;
  /** Some values are tied (midranks were used). */
  ties: boolean;
  /** Standardized statistic of the normal approximation (continuity-corrected); null for the exact method. */
  z: number | null;
}

/** Above this many values in total, `auto` uses the normal approximation instead of the exact distribution. */
export const EXACT_MAX_TOTAL = 50;

/** Midranks (1-based) of `values`; `ties` holds the size of every group of equal values larger than 1. */
export function midranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    const rank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) ranks[order[k]![1]] = rank;
    if (end > start) ties.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, ties };
}

function checkSample(name: string, sample: readonly number[]): void {
  if (sample.length === 0) throw new RangeError(`Mann-Whitney U: sample ${name} is empty`);
  const bad = sample.find((v) => !Number.isFinite(v));
  if (bad !== undefined)
    throw new RangeError(`Mann-Whitney U: sample ${name} holds a non-finite value (${bad})`);
}

/**
 * Mann-Whitney U test of `x` against `y`. `method` `auto` (default) is exact up to EXACT_MAX_TOTAL values in total.
 * The two-sided p-value is twice the smaller tail, capped at 1.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
  method: MannWhitneyMethod | 'auto' = 'auto',
): MannWhitneyResult {
  checkSample('x', x);
  checkSample('y', y);
  const n1 = x.length;
  const n2 = y.length;
  const { ranks, ties } = midranks([...x, ...y]);
  const rankSumX = ranks.slice(0, n1).reduce((sum, r) => sum + r, 0);
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const chosen = method === 'auto' ? (n1 + n2 <= EXACT_MAX_TOTAL ? 'exact' : 'normal') : method;
  const base = { u, n1, n2, alternative, method: chosen, ties: ties.length > 0 };
  if (chosen === 'exact') {
    const { atMost, atLeast } = exactTails(ranks, n1, rankSumX);
    return { ...base, pValue: pick(alternative, atMost, atLeast), z: null };
  }
  return { ...base, ...normalApproximation(u, n1, n2, ties, alternative) };
}

function pick(alternative: Alternative, lower: number, upper: number): number {
  switch (alternative) {
    case 'greater':
      return upper;
    case 'less':
      return lower;
    case 'two-sided':
      return Math.min(1, 2 * Math.min(lower, upper));
  }
}

/**
 * P(R <= observed) and P(R >= observed) for the rank sum R of n1 values drawn without replacement from `ranks`
 * (every subset equally likely under the null hypothesis). Ranks are doubled so midranks become integers;
 * ways[k][s] counts the subsets of size k with doubled rank sum s.
 */
function exactTails(
  ranks: readonly number[],
  n1: number,
  rankSum: number,
): { atMost: number; atLeast: number } {
  const doubled = ranks.map((r) => Math.round(2 * r));
  const maxSum = [...doubled]
    .sort((a, b) => b - a)
    .slice(0, n1)
    .reduce((sum, r) => sum + r, 0);
  const ways = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  doubled.forEach((rank, i) => {
    for (let k = Math.min(i + 1, n1); k >= 1; k--) {
      const into = ways[k]!;
      const from = ways[k - 1]!;
      for (let s = maxSum - rank; s >= 0; s--) if (from[s]) into[s + rank]! += from[s]!;
    }
  });
  const target = Math.round(2 * rankSum);
  let total = 0;
  let atMost = 0;
  let atLeast = 0;
  const counts = ways[n1]!;
  for (let s = 0; s <= maxSum; s++) {
    const n = counts[s]!;
    if (n === 0) continue;
    total += n;
    if (s <= target) atMost += n;
    if (s >= target) atLeast += n;
  }
  return { atMost: atMost / total, atLeast: atLeast / total };
}

function normalApproximation(
  u: number,
  n1: number,
  n2: number,
  ties: readonly number[],
  alternative: Alternative,
): { pValue: number; z: number | null } {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = ties.reduce((sum, t) => sum + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // Every value tied: no evidence either way.
  if (!(variance > 0)) return { pValue: 1, z: null };
  const sd = Math.sqrt(variance);
  switch (alternative) {
    case 'greater': {
      const z = (u - mean - 0.5) / sd;
      return { pValue: normalUpperTail(z), z };
    }
    case 'less': {
      const z = (u - mean + 0.5) / sd;
      return { pValue: normalUpperTail(-z), z };
    }
    case 'two-sided': {
      const z = (Math.abs(u - mean) - 0.5) / sd;
      return { pValue: Math.min(1, 2 * normalUpperTail(z)), z };
    }
  }
}

/** P(Z >= z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function to about 1e-13 relative: a positive-term series of erf below 2 (no cancellation), a
 * continued fraction (modified Lentz) above.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{n>=0} 2^n x^(2n+1) / (1*3*...*(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
