import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../reference-server/history-ring.js';

describe('HistoryRing', () => {
  it('keeps the newest `capacity` items, oldest first, and returns evictions', () => {
    const ring = new HistoryRing<number>(3);
    expect(ring.push(1)).toBeUndefined();
    expect(ring.push(2)).toBeUndefined();
    expect(ring.push(3)).toBeUndefined();
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
  });

  it('removes from the middle keeping order', () => {
    const ring = new HistoryRing<number>(4);
    for (let i = 1; i <= 6; i++) ring.push(i); // holds 3,4,5,6 with a wrapped start
    expect(ring.remove((x) => x === 4)).toBe(4);
    expect(ring.toArray()).toEqual([3, 5, 6]);
    expect(ring.remove((x) => x === 99)).toBeUndefined();
    ring.push(7);
    ring.push(8);
    expect(ring.toArray()).toEqual([5, 6, 7, 8]);
  });

  it('capacity 0 keeps nothing', () => {
    const ring = new HistoryRing<string>(0);
    expect(ring.push('a')).toBe('a');
    expect(ring.toArray()).toEqual([]);
  });

  it('behaves like a bounded array model under random pushes and removes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.oneof(fc.record({ push: fc.integer() }), fc.record({ remove: fc.integer({ min: 0, max: 9 }) })),
        ),
        (capacity, ops) => {
          const ring = new HistoryRing<number>(capacity);
          let model: number[] = [];
          for (const op of ops) {
            if ('push' in op) {
              ring.push(op.push);
              model.push(op.push);
              if (model.length > capacity) model = model.slice(1);
            } else if (model.length > 0) {
              const target = model[op.remove % model.length]!;
              ring.remove((x) => x === target);
              model.splice(model.indexOf(target), 1);
            }
            expect(ring.toArray()).toEqual(model);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
