import { describe, expect, it } from 'vitest';
import {
  bootstrapMedianDifference,
  bootstrapMedianRatio,
  median,
  ratio,
} from '../../../harness/compare/bootstrap.js';

const baseline = [10.2, 9.8, 10.5, 10.1, 9.9];
const current = [13.1, 12.8, 13.6, 13.0, 12.7];

describe('median and ratio', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/empty/);
  });

  it('treats 0/0 as no change and x/0 as unbounded', () => {
    expect(ratio(0, 0)).toBe(1);
    expect(ratio(3, 0)).toBe(Infinity);
    expect(ratio(3, 2)).toBe(1.5);
  });
});

describe('bootstrap intervals', () => {
  it('are deterministic for a seed and change with the seed', () => {
    const a = bootstrapMedianRatio(baseline, current, { seed: 5 });
    const b = bootstrapMedianRatio(baseline, current, { seed: 5 });
    const c = bootstrapMedianRatio(baseline, current, { seed: 6, resamples: 500 });
    expect(b).toEqual(a);
    expect([c.low, c.high]).not.toEqual([a.low, a.high]);
  });

  it('bracket the point estimate, and exclude "no change" for clearly separated runs', () => {
    const interval = bootstrapMedianRatio(baseline, current);
    expect(interval.estimate).toBeCloseTo(13.0 / 10.1, 12);
    expect(interval.low).toBeLessThanOrEqual(interval.estimate);
    expect(interval.high).toBeGreaterThanOrEqual(interval.estimate);
    expect(interval.low).toBeGreaterThan(1.2);
    // Every resampled median is a value of its side, so the interval cannot leave the extreme ratios.
    expect(interval.low).toBeGreaterThanOrEqual(12.7 / 10.5);
    expect(interval.high).toBeLessThanOrEqual(13.6 / 9.8);
  });

  it('include "no change" when both sides come from the same values', () => {
    const interval = bootstrapMedianDifference(baseline, [...baseline].reverse(), { resamples: 1000 });
    expect(interval.estimate).toBe(0);
    expect(interval.low).toBeLessThan(0);
    expect(interval.high).toBeGreaterThan(0);
  });

  it('grow narrower as the confidence level drops', () => {
    const wide = bootstrapMedianRatio(baseline, current, { confidence: 0.99 });
    const narrow = bootstrapMedianRatio(baseline, current, { confidence: 0.5 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
  });

  it('reject bad options', () => {
    expect(() => bootstrapMedianRatio([], [1])).toThrow(/both sides/);
    expect(() => bootstrapMedianRatio([1], [1], { confidence: 1 })).toThrow(/confidence/);
    expect(() => bootstrapMedianRatio([1], [1], { resamples: 0 })).toThrow(/resamples/);
  });
});
