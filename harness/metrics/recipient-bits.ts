/**
 * Sets of a tracker's recipients as bitmaps over dense recipient slots (0, 1, 2, ... in order of first sight).
 * A pending message holds the set of recipients that still owe it a delivery; a Set per message cost a
 * cache-missing hash delete per delivery and ~20 bytes per recipient, a bitmap costs a shift and a mask and
 * 1 bit. Words hold 30 bits so that every value stays a small integer (SMI) in V8's arrays.
 *
 * The bitmap covers only the words from its lowest slot's to its highest slot's: `words[0]` is the index of the
 * first word held, the bits follow. A message to a pod of 10 whose members hold slots near 20,000 then costs
 * 2-3 words, not the 667 words from slot 0 (at 1,000 messages/s those were most of registerSent's time and a
 * large part of the harness's young-generation garbage).
 */

const BITS_PER_WORD = 30;
/** Where the first word held is stored (words[0]); the bitmap words follow from index 1. */
const HEADER = 1;

/** Adds `slot`; grows `words` as needed (at either end). */
export function addSlot(words: number[], slot: number): void {
  const index = (slot / BITS_PER_WORD) | 0;
  const bit = 1 << (slot % BITS_PER_WORD);
  if (words.length === 0) {
    words.push(index, bit);
    return;
  }
  let first = words[0] as number;
  if (index < first) {
    // Rare: slots mostly come in increasing order. Zero words go in front of the held ones.
    const gap = first - index;
    words.splice(HEADER, 0, ...new Array<number>(gap).fill(0));
    first = index;
    words[0] = first;
  }
  const at = HEADER + index - first;
  while (words.length <= at) words.push(0);
  words[at] = (words[at] as number) | bit;
}

/** Whether `slot` is in the set. */
export function hasSlot(words: readonly number[], slot: number): boolean {
  if (words.length === 0) return false;
  const at = HEADER + ((slot / BITS_PER_WORD) | 0) - (words[0] as number);
  if (at < HEADER) return false;
  const word = words[at];
  return word !== undefined && (word & (1 << (slot % BITS_PER_WORD))) !== 0;
}

/** Removes `slot`; returns whether it was in the set. */
export function takeSlot(words: number[], slot: number): boolean {
  if (words.length === 0) return false;
  const at = HEADER + ((slot / BITS_PER_WORD) | 0) - (words[0] as number);
  if (at < HEADER) return false;
  const word = words[at];
  const bit = 1 << (slot % BITS_PER_WORD);
  if (word === undefined || (word & bit) === 0) return false;
  words[at] = word & ~bit;
  return true;
}

/** The slots in the set, in increasing order. */
export function slotsOf(words: readonly number[]): number[] {
  const slots: number[] = [];
  if (words.length === 0) return slots;
  const first = words[0] as number;
  for (let at = HEADER; at < words.length; at++) {
    const word = words[at] as number;
    if (word === 0) continue;
    const base = (first + at - HEADER) * BITS_PER_WORD;
    for (let bit = 0; bit < BITS_PER_WORD; bit++) if ((word & (1 << bit)) !== 0) slots.push(base + bit);
  }
  return slots;
}
