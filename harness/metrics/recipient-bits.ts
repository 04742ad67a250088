/**
 * Sets of a tracker's recipients over dense recipient slots (0, 1, 2, ... in order of first sight). A pending
 * message holds the set of recipients that still owe it a delivery; a Set per message cost a cache-missing hash
 * delete per delivery and ~20 bytes per recipient.
 *
 * One number[] in two layouts, every value a small integer (SMI) in V8's arrays:
 * - a list, `[LIST, slot, slot, ...]`, while the set had at most LIST_MAX members: a message to a room of 10
 *   whose members hold random slots up to 20,000 costs 11 numbers (as a bitmap from its lowest to its highest
 *   slot it cost ~600 words, pushed one by one for every registered message: most of registerSent's time);
 * - a bitmap, `[first word index, word, word, ...]` with 30 bits per word, once it grew past LIST_MAX (a big
 *   room): a shift and a mask per operation, 1 bit per recipient, only the words from its lowest to its highest
 *   slot.
 * The empty array is the empty set.
 */

const BITS_PER_WORD = 30;
/** Where the layout tag (list) or the first word index (bitmap) is stored; members follow from index 1. */
const HEADER = 1;
/** Tag of the list layout (a bitmap's first word index is >= 0). */
const LIST = -1;
/** Members a list holds at most; one more turns it into a bitmap. */
export const LIST_MAX = 16;

/** Adds `slot` (a no-op when present); grows `words` as needed. */
export function addSlot(words: number[], slot: number): void {
  if (words.length === 0) {
    words.push(LIST, slot);
    return;
  }
  if (words[0] === LIST) {
    if (words.indexOf(slot, HEADER) >= 0) return;
    if (words.length - HEADER < LIST_MAX) {
      words.push(slot);
      return;
    }
    toBitmap(words);
  }
  addBit(words, slot);
}

/** Whether `slot` is in the set. */
export function hasSlot(words: readonly number[], slot: number): boolean {
  if (words.length === 0) return false;
  if (words[0] === LIST) return words.indexOf(slot, HEADER) >= 0;
  const at = HEADER + ((slot / BITS_PER_WORD) | 0) - (words[0] as number);
  if (at < HEADER) return false;
  const word = words[at];
  return word !== undefined && (word & (1 << (slot % BITS_PER_WORD))) !== 0;
}

/** Removes `slot`; returns whether it was in the set. */
export function takeSlot(words: number[], slot: number): boolean {
  if (words.length === 0) return false;
  if (words[0] === LIST) {
    const at = words.indexOf(slot, HEADER);
    if (at < 0) return false;
    const last = words.pop() as number;
    if (at < words.length) words[at] = last;
    return true;
  }
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
  if (words.length === 0) return [];
  if (words[0] === LIST) return words.slice(HEADER).sort((a, b) => a - b);
  const slots: number[] = [];
  const first = words[0] as number;
  for (let at = HEADER; at < words.length; at++) {
    const word = words[at] as number;
    if (word === 0) continue;
    const base = (first + at - HEADER) * BITS_PER_WORD;
    for (let bit = 0; bit < BITS_PER_WORD; bit++) if ((word & (1 << bit)) !== 0) slots.push(base + bit);
  }
  return slots;
}

/** Rewrites a full list as a bitmap, in place. */
function toBitmap(words: number[]): void {
  const members = words.slice(HEADER);
  words.length = 0;
  let low = Infinity;
  for (const slot of members) low = Math.min(low, slot);
  words.push((low / BITS_PER_WORD) | 0);
  for (const slot of members) addBit(words, slot);
}

/** Sets the bit of `slot` in a bitmap, growing it at either end. */
function addBit(words: number[], slot: number): void {
  const index = (slot / BITS_PER_WORD) | 0;
  let first = words[0] as number;
  if (index < first) {
    // Zero words go in front of the held ones.
    words.splice(HEADER, 0, ...new Array<number>(first - index).fill(0));
    first = index;
    words[0] = first;
  }
  const at = HEADER + index - first;
  while (words.length <= at) words.push(0);
  words[at] = (words[at] as number) | (1 << (slot % BITS_PER_WORD));
}
