import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingWindow } from '../../../harness/metrics/pending-window.js';

type Op = { kind: 'set' | 'delete'; id: number };

/** Ids as a run produces them: mostly increasing, some late, some far ahead, some repeated. */
const opsArb: fc.Arbitrary<Op[]> = fc.array(
  fc.record({
    kind: fc.constantFrom<'set' | 'delete'>('set', 'set', 'delete'),
    id: fc.oneof(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.constant(2 ** 40),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    ),
  }),
  { maxLength: 300 },
);

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

describe('PendingWindow', () => {
  it('behaves as a Map for any mix of ids, sets and deletes', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const window = new PendingWindow<string>();
        const model = new Map<number, string>();
        for (const { kind, id } of ops) {
          if (kind === 'set') {
            if (model.has(id)) continue; // set() is for new ids only
            window.set(id, `v${id}`);
            model.set(id, `v${id}`);
          } else {
            window.delete(id);
            model.delete(id);
          }
          expect(window.size).toBe(model.size);
        }
        for (const { id } of ops) {
          expect(window.get(id)).toBe(model.get(id));
          expect(window.has(id)).toBe(model.has(id));
        }
        expect(sorted(window.values())).toEqual(sorted(model.values()));
      }),
      { numRuns: 500 },
    );
  });

  it('yields every value once while values are deleted during the iteration (also past the compaction size)', () => {
    const window = new PendingWindow<number>();
    const count = 20_000;
    for (let id = 1; id <= count; id++) window.set(id, id);
    for (let id = 1; id <= 10; id++) window.delete(id);
    window.set(5, 5); // an id behind the window after it moved is kept too
    const seen: number[] = [];
    for (const value of window.values()) {
      seen.push(value);
      window.delete(value); // deleting the head on every step would compact without the guard
    }
    expect(seen).toHaveLength(count - 10 + 1);
    expect(new Set(seen).size).toBe(count - 10 + 1);
    expect(window.size).toBe(0);
    // Reusable afterwards, from any id.
    window.set(3, 3);
    window.set(2, 2);
    expect([window.get(2), window.get(3), window.size]).toEqual([2, 3, 2]);
  });
});
