import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIST_MAX, addSlot, hasSlot, slotsOf, takeSlot } from '../../../harness/metrics/recipient-bits.js';

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
          for (const word of words) expect(Number.isInteger(word) && word >= -1 && word < 2 ** 30).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keep a small set of far-apart slots as a short list, and turn into a bitmap past LIST_MAX members', () => {
    const words: number[] = [];
    // A room of 10 with random slots up to 20,000: 11 numbers, not the ~600 words a bitmap would span.
    const pod = [19_990, 17, 8_004, 12_000, 3, 15_555, 600, 9_999, 4_321, 19_000];
    for (const slot of pod) addSlot(words, slot);
    addSlot(words, 17); // already present: no second entry
    expect(words.length).toBe(pod.length + 1);
    expect(slotsOf(words)).toEqual([...pod].sort((a, b) => a - b));
    expect(takeSlot(words, 8_004)).toBe(true);
    expect(takeSlot(words, 8_004)).toBe(false);
    expect(hasSlot(words, 8_004)).toBe(false);
    expect(hasSlot(words, 19_990)).toBe(true);
    // A big room: a bitmap over the words its slots span.
    const big: number[] = [];
    for (let slot = 300; slot < 300 + LIST_MAX + 1; slot++) addSlot(big, slot);
    expect(big[0]).toBe(10); // first word index (300 / 30), not the list tag
    expect(big.length).toBe(1 + 1);
    expect(slotsOf(big)).toEqual(Array.from({ length: LIST_MAX + 1 }, (_, i) => 300 + i));
  });
});
