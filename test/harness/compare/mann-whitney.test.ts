import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfc, mannWhitneyU, midranks, normalUpperTail } from '../../../harness/compare/mann-whitney.js';

/** Independent reference: one-sided tail probabilities of U by enumerating every split of the pooled values. */
function bruteForceTails(x: number[], y: number[]): { less: number; greater: number; u: number } {
  const pooled = [...x, ...y];
  const n1 = x.length;
  // U counted pair by pair (not from ranks), so the reference shares no code path with the implementation.
  const uOf = (a: number[], b: number[]): number => {
    let u = 0;
    for (const p of a) for (const q of b) u += p > q ? 1 : p === q ? 0.5 : 0;
    return u;
  };
  const observed = uOf(x, y);
  let less = 0;
  let greater = 0;
  let total = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === n1) {
      const a = picked.map((i) => pooled[i] as number);
      const b = pooled.filter((_, i) => !picked.includes(i));
      const u = uOf(a, b);
      total++;
      if (u <= observed + 1e-9) less++;
      if (u >= observed - 1e-9) greater++;
      return;
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return { less: less / total, greater: greater / total, u: observed };
}

describe('mannWhitneyU against published values', () => {
  // SciPy's documentation example (scipy.stats.mannwhitneyu): ages of male vs female staff; U1 = 17,
  // exact two-sided p = 0.1111 (= 14/126), one-sided 7/126 (greater) and 122/126 (less), asymptotic
  // two-sided p = 0.11134688653314041.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it('gives U = 17 and the exact two-sided p = 14/126', () => {
    const result = mannWhitneyU(males, females);
    expect(result.u).toBe(17);
    expect(result.method).toBe('exact');
    expect(result.pValue).toBeCloseTo(14 / 126, 12);
  });

  it('gives the exact one-sided p = 7/126 in the direction of the data and 122/126 against it', () => {
    expect(mannWhitneyU(males, females, 'greater').pValue).toBeCloseTo(7 / 126, 12);
    expect(mannWhitneyU(males, females, 'less').pValue).toBeCloseTo(122 / 126, 12);
  });

  it('matches the continuity-corrected normal approximation', () => {
    const result = mannWhitneyU(males, females, 'two-sided', 'normal');
    expect(result.pValue).toBeCloseTo(0.11134688653314041, 9);
    expect(result.z).toBeCloseTo(1.5921683328090657, 9);
  });

  // With ties: a = [1,2,2,3,4,4,4,6], b = [2,3,5,5,6,7,7,8,9]. Normal approximation with tie correction
  // (SciPy 1.17, method="asymptotic"): two-sided 0.029171520841552126, one-sided 0.014585760420776063.
  // Exact permutation p (all 24310 splits enumerated): P(U <= 13) = 326/24310 = 0.013410119292472234.
  const a = [1, 2, 2, 3, 4, 4, 4, 6];
  const b = [2, 3, 5, 5, 6, 7, 7, 8, 9];

  it('applies the tie correction in the normal approximation', () => {
    const two = mannWhitneyU(a, b, 'two-sided', 'normal');
    expect(two.u).toBe(13);
    expect(two.ties).toBe(true);
    expect(two.pValue).toBeCloseTo(0.029171520841552126, 9);
    expect(mannWhitneyU(a, b, 'less', 'normal').pValue).toBeCloseTo(0.014585760420776063, 9);
  });

  it('gives the exact permutation p with ties', () => {
    const result = mannWhitneyU(a, b, 'less');
    expect(result.method).toBe('exact');
    expect(result.pValue).toBeCloseTo(326 / 24310, 12);
  });

  it('reaches 1/20 at best with 3 runs per side (complete separation)', () => {
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3], 'greater').pValue).toBeCloseTo(0.05, 15);
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3], 'greater').u).toBe(9);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'greater').pValue).toBe(1);
  });

  it('finds no evidence when every value is tied', () => {
    for (const method of ['exact', 'normal'] as const) {
      const result = mannWhitneyU([0, 0, 0], [0, 0, 0], 'greater', method);
      expect(result.u).toBe(4.5);
      expect(result.pValue).toBe(1);
    }
  });
});

describe('mannWhitneyU properties', () => {
  const sample = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 });

  it('exact p-values equal a brute-force enumeration of every split (with ties)', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const reference = bruteForceTails(x, y);
        expect(mannWhitneyU(x, y, 'greater').u).toBeCloseTo(reference.u, 12);
        expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(reference.greater, 12);
        expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(reference.less, 12);
        const two = Math.min(1, 2 * Math.min(reference.greater, reference.less));
        expect(mannWhitneyU(x, y, 'two-sided').pValue).toBeCloseTo(two, 12);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('U of x and U of y add up to n1 * n2', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        expect(mannWhitneyU(x, y).u + mannWhitneyU(y, x).u).toBeCloseTo(x.length * y.length, 12);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('the normal approximation is close to the exact p for 20 values per side', () => {
    const x = Array.from({ length: 20 }, (_, i) => i * 1.7 + 3);
    const y = Array.from({ length: 20 }, (_, i) => i * 1.9);
    const exact = mannWhitneyU(x, y, 'greater', 'exact').pValue;
    const normal = mannWhitneyU(x, y, 'greater', 'normal').pValue;
    expect(exact).toBeGreaterThan(0.01);
    expect(Math.abs(exact - normal)).toBeLessThan(0.01);
  });

  it('switches to the normal approximation for large samples', () => {
    const x = Array.from({ length: 40 }, (_, i) => i + 0.5);
    const y = Array.from({ length: 40 }, (_, i) => i);
    expect(mannWhitneyU(x, y).method).toBe('normal');
  });

  it('rejects empty and non-finite samples with a message naming the sample', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/sample x is empty/);
    expect(() => mannWhitneyU([1], [NaN])).toThrow(/sample y holds a non-finite value/);
  });
});

describe('midranks and the normal tail', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(midranks([10, 20, 20, 30, 20])).toEqual({ ranks: [1, 3, 3, 5, 3], ties: [3] });
  });

  it('erfc matches known values', () => {
    // Abramowitz & Stegun table 7.1 / Python math.erfc.
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(2) / 0.004677734981047265).toBeCloseTo(1, 12);
    expect(erfc(3.5) / 7.430983723414128e-7).toBeCloseTo(1, 12);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 14);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 12);
  });
});
