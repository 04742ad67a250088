import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSlot, hasSlot, slotsOf, takeSlot } from '../../../harness/metrics/recipient-bits.js';

describe('recipient bitmaps', () => {
  it('behave as a Set of slots, across word boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.nat(70), fc.nat(5000))), { maxLength: 200 }),
        (ops) => {
          const words: number[] = [];
          const model = new Set<number>();
          for (const [add, slot] of ops) {
            if (add) {
              addSlot(words, slot);
              model.add(slot);
            } else {
              expect(takeSlot(words, slot)).toBe(model.delete(slot));
            }
            expect(hasSlot(words, slot)).toBe(model.has(slot));
          }
          expect(slotsOf(words)).toEqual([...model].sort((a, b) => a - b));
          // Every word stays a small integer (30 bits): no heap numbers in the array.
          for (const word of words) expect(word >= 0 && word < 2 ** 30).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
