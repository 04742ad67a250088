/** MissingPairs: bounded recording, matching a late arrival to its pair once, and releasing excused pairs. */
import { describe, expect, it } from 'vitest';
import { MissingPairs } from '../../../harness/metrics/missing-pairs.js';

const FACTS = { sentAtMs: 100, ackedAtMs: 110, sender: 7 };

describe('MissingPairs', () => {
  it('records pairs up to its bound and no further', () => {
    const missing = new MissingPairs(3);
    expect(missing.add(1, 5, FACTS, [10, 11])).toBe(2);
    expect(missing.add(2, 5, FACTS, [10, 11])).toBe(1);
    expect(missing.get(2)?.recipients).toEqual(new Set([10]));
    expect(missing.add(3, 5, FACTS, [12])).toBe(0);
    expect(missing.has(3)).toBe(false);
  });

  it('matches a late arrival once, in its own room only, and frees its place under the bound', () => {
    const missing = new MissingPairs(2);
    missing.add(1, 5, FACTS, [10, 11]);
    expect(missing.take(1, 6, 10)).toBeNull();
    expect(missing.take(1, 5, 10)).toMatchObject({ roomId: 5, sender: 7 });
    expect(missing.take(1, 5, 10)).toBeNull();
    expect(missing.has(1)).toBe(true);
    expect(missing.take(1, 5, 11)).not.toBeNull();
    expect(missing.has(1)).toBe(false);
    expect(missing.add(2, 5, FACTS, [10, 11])).toBe(2);
  });

  it('releases the excused pairs of one recipient in one room', () => {
    const missing = new MissingPairs(10);
    missing.add(1, 5, { ...FACTS, sentAtMs: 100 }, [10, 11]);
    missing.add(2, 5, { ...FACTS, sentAtMs: 200 }, [10]);
    missing.add(3, 6, { ...FACTS, sentAtMs: 100 }, [10]);
    expect(missing.release(10, 5, (m) => m.sentAtMs < 150)).toEqual([1]);
    expect(missing.get(1)?.recipients).toEqual(new Set([11]));
    expect(missing.has(2)).toBe(true);
    expect(missing.has(3)).toBe(true);
    expect(missing.release(12, 5, () => true)).toEqual([]);
    expect([...missing.entries()].map(([id]) => id)).toEqual([1, 2, 3]);
  });
});
