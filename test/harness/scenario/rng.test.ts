import { describe, expect, it } from 'vitest';
import { hashUnit, SeededRandom } from '../../../harness/scenario/rng.js';

describe('SeededRandom', () => {
  it('gives the same numbers for the same seed and label, others for another label', () => {
    const draw = (label: string): number[] => {
      const rng = SeededRandom.derive(7, label);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });
});

describe('hashUnit', () => {
  it('depends only on its inputs, not on the order of calls', () => {
    const first = [hashUnit(1, 2, 3), hashUnit(1, 2, 4)];
    expect([hashUnit(1, 2, 4), hashUnit(1, 2, 3)]).toEqual([first[1], first[0]]);
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(2, 2, 3));
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 3, 3));
    // Ids above 2^32 are used whole.
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 2, 3 + 2 ** 32));
    expect(hashUnit(0, 0, 0)).toBeGreaterThan(0);
  });

  it('is uniform in [0, 1) over consecutive ids and clients', () => {
    let below = 0;
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = hashUnit(42, i % 100, 1000 + Math.floor(i / 100));
      min = Math.min(min, u);
      max = Math.max(max, u);
      if (u < 0.1) below++;
      sum += u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(below / n).toBeCloseTo(0.1, 2);
    expect(sum / n).toBeCloseTo(0.5, 2);
  });
});
