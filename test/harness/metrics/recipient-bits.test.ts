import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSlot, hasSlot, slotsOf, takeSlot } from '../../../harness/metrics/recipient-bits.js';

describe('recipient bitmaps', () => {
  it('behave as a Set of slots, across word boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.oneof(fc.nat(70), fc.nat(5000), fc.integer({ min: 19_900, max: 20_100 })),
          ),
          {
            maxLength: 200,
          },
        ),
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

  it('hold only the words between the lowest and the highest slot (a pod of high slots stays small)', () => {
    const words: number[] = [];
    for (let slot = 20_009; slot >= 20_000; slot--) addSlot(words, slot);
    // One header word and the one or two words of slots 20,000-20,009, not the 667 words from slot 0.
    expect(words.length).toBeLessThanOrEqual(3);
    expect(slotsOf(words)).toEqual(Array.from({ length: 10 }, (_, i) => 20_000 + i));
    expect(hasSlot(words, 0)).toBe(false);
    expect(takeSlot(words, 5)).toBe(false);
    expect(takeSlot(words, 20_005)).toBe(true);
    expect(hasSlot(words, 20_005)).toBe(false);
    addSlot(words, 3);
    expect(slotsOf(words)[0]).toBe(3);
    expect(slotsOf(words)).toHaveLength(10);
  });
});
