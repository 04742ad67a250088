/**
 * Values keyed by message id, for ids that mostly arrive in increasing order and leave roughly in that order:
 * the delivery tracker's pending messages. Message ids come from one server-wide counter, so the pending ones
 * span a window of the id space (those acked within the grace period); a plain array over that window is
 * indexed directly, where a Map of hundreds of thousands of entries costs a hashed, cache-missing lookup per
 * delivery (about 4x the array's cost in bench/harness's profile).
 *
 * Ids below the window (registered after the window moved past them) and ids far beyond it (MAX_GAP) are kept
 * in a Map, so any id works; the array only ever spans from the oldest live id in it to the newest.
 */

/** Largest jump past the window's end that still extends the array (holes cost 8 bytes each). */
const MAX_GAP = 1 << 20;
/** The consumed front of the array is dropped once it is this long and at least half the array. */
const COMPACT_AT = 4096;

export class PendingWindow<T> {
  /** slots[i] holds the value of id `base + i`; slots before `head` are empty. */
  private slots: Array<T | undefined> = [];
  private base = 0;
  private head = 0;
  private readonly outside = new Map<number, T>();
  private count = 0;
  /** Open `values()` iterations: the array is not compacted or restarted under them. */
  private iterating = 0;

  /** Number of values. */
  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    const i = id - this.base;
    if (i >= this.head && i < this.slots.length) {
      const value = this.slots[i];
      if (value !== undefined) return value;
    }
    // Also for an empty slot: the id may have been set while the window lay elsewhere.
    return this.outside.size === 0 ? undefined : this.outside.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Sets the value of `id` (which must not be present yet). */
  set(id: number, value: T): void {
    this.count++;
    if (this.head === this.slots.length && this.iterating === 0) {
      // Empty window: it starts at this id.
      this.slots.length = 0;
      this.head = 0;
      this.base = id;
    }
    const i = id - this.base;
    if (i < this.head || i - this.slots.length > MAX_GAP || !Number.isSafeInteger(i)) {
      this.outside.set(id, value);
      return;
    }
    while (this.slots.length < i) this.slots.push(undefined);
    this.slots[i] = value;
  }

  /** Removes the value of `id`, if present. */
  delete(id: number): void {
    const i = id - this.base;
    if (i >= this.head && i < this.slots.length && this.slots[i] !== undefined) {
      this.slots[i] = undefined;
      this.count--;
      if (i === this.head) this.advanceHead();
      return;
    }
    if (this.outside.delete(id)) this.count--;
  }

  /** Every value: the window's in id order, then those outside it. Values may be deleted meanwhile. */
  *values(): IterableIterator<T> {
    this.iterating++;
    try {
      for (let i = this.head; i < this.slots.length; i++) {
        const value = this.slots[i];
        if (value !== undefined) yield value;
      }
      yield* this.outside.values();
    } finally {
      this.iterating--;
    }
  }

  private advanceHead(): void {
    const slots = this.slots;
    let head = this.head;
    while (head < slots.length && slots[head] === undefined) head++;
    if (head >= COMPACT_AT && head * 2 >= slots.length && this.iterating === 0) {
      this.slots = slots.slice(head);
      this.base += head;
      head = 0;
    }
    this.head = head;
  }
}
