/** Draws from the scenario's distributions: popularity weights, weighted choices, action mix, sizes. */
import type { SeededRandom } from './rng.js';
import type { ActionMix, ActionName, PopularitySpec, SizeDistribution } from './types.js';

/** Normalized popularity weights of `count` rooms by rank: uniform, or Zipf (rank r weighs 1/r^s). */
export function popularityWeights(spec: PopularitySpec, count: number): number[] {
  const raw = Array.from({ length: count }, (_, i) =>
    spec.kind === 'zipf' ? 1 / Math.pow(i + 1, spec.exponent) : 1,
  );
  const total = raw.reduce((sum, w) => sum + w, 0);
  return raw.map((w) => w / total);
}

/** Picks an index with probability proportional to its weight (cumulative table + binary search). */
export class WeightedChoice {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('WeightedChoice needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      if (!(w >= 0)) throw new RangeError(`weight ${i} is ${w}; weights must be >= 0`);
      sum += w;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('WeightedChoice needs a weight above 0');
  }

  /** Index drawn by weight. */
  pick(rng: SeededRandom): number {
    const total = this.cumulative[this.cumulative.length - 1] as number;
    const x = rng.next() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Picks actions by the mix's weights. */
export class ActionPicker {
  private readonly choice: WeightedChoice;

  constructor(private readonly mix: ActionMix) {
    this.choice = new WeightedChoice(mix.map((m) => m.weight));
  }

  /** Next action. */
  pick(rng: SeededRandom): ActionName {
    return (this.mix[this.choice.pick(rng)] as { action: ActionName }).action;
  }
}

/** Draws a size in bytes (integer) from a size distribution. */
export function sampleSize(dist: SizeDistribution, rng: SeededRandom): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.bytes;
    case 'uniform':
      return rng.intBetween(dist.min, dist.max);
    case 'normal':
      return Math.min(dist.max, Math.max(dist.min, Math.round(rng.normal(dist.mean, dist.stddev))));
  }
}

/**
 * `k` distinct indexes from [0, weights.length) drawn by weight without replacement (Efraimidis-Spirakis:
 * keep the k smallest exponential keys -ln(u)/w), in increasing order.
 */
export function weightedSampleDistinct(weights: readonly number[], k: number, rng: SeededRandom): number[] {
  if (k > weights.length) throw new RangeError(`cannot draw ${k} distinct values from ${weights.length}`);
  const keys = weights.map((w, i) => ({ i, key: w > 0 ? -Math.log(1 - rng.next()) / w : Infinity }));
  keys.sort((x, y) => x.key - y.key);
  return keys
    .slice(0, k)
    .map((k) => k.i)
    .sort((x, y) => x - y);
}
