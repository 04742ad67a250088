/**
 * Sets of a tracker's recipients as bitmaps over dense recipient slots (0, 1, 2, ... in order of first sight).
 * A pending message holds the set of recipients that still owe it a delivery; a Set per message cost a
 * cache-missing hash delete per delivery and ~20 bytes per recipient, a bitmap costs a shift and a mask and
 * 1 bit. Words hold 30 bits so that every value stays a small integer (SMI) in V8's arrays.
 */

const BITS_PER_WORD = 30;

/** Adds `slot`; grows `words` as needed. */
export function addSlot(words: number[], slot: number): void {
  const index = (slot / BITS_PER_WORD) | 0;
  while (words.length <= index) words.push(0);
  words[index] = (words[index] as number) | (1 << (slot % BITS_PER_WORD));
}

/** Whether `slot` is in the set. */
export function hasSlot(words: readonly number[], slot: number): boolean {
  const word = words[(slot / BITS_PER_WORD) | 0];
  return word !== undefined && (word & (1 << (slot % BITS_PER_WORD))) !== 0;
}

/** Removes `slot`; returns whether it was in the set. */
export function takeSlot(words: number[], slot: number): boolean {
  const index = (slot / BITS_PER_WORD) | 0;
  const word = words[index];
  const bit = 1 << (slot % BITS_PER_WORD);
  if (word === undefined || (word & bit) === 0) return false;
  words[index] = word & ~bit;
  return true;
}

/** The slots in the set, in increasing order. */
export function slotsOf(words: readonly number[]): number[] {
  const slots: number[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as number;
    if (word === 0) continue;
    for (let bit = 0; bit < BITS_PER_WORD; bit++)
      if ((word & (1 << bit)) !== 0) slots.push(index * BITS_PER_WORD + bit);
  }
  return slots;
}
