/**
 * Fixed-capacity history of a room's recent messages, oldest first.
 *
 * A ring so that appending at capacity is O(1); removal (message deleted) is O(capacity), which is rare and small.
 */

/** Bounded FIFO of items; pushing at capacity evicts the oldest. */
export class HistoryRing<T> {
  /** Allocated on the first push: rooms persist for the server's lifetime and many never see a message. */
  private items: (T | undefined)[] = [];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`HistoryRing capacity: ${capacity}`);
  }

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** Appends an item; returns the evicted oldest item when the ring was full (or the item itself at capacity 0). */
  push(item: T): T | undefined {
    if (this.capacity === 0) return item;
    if (this.items.length === 0) this.items = new Array<T | undefined>(this.capacity);
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Removes the first item matching `predicate`; returns it, or undefined when none matched. */
  remove(predicate: (item: T) => boolean): T | undefined {
    for (let i = 0; i < this.count; i++) {
      const index = (this.start + i) % this.capacity;
      const item = this.items[index] as T;
      if (!predicate(item)) continue;
      // Shift the newer items down by one to keep order.
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.start + j) % this.capacity] = this.items[(this.start + j + 1) % this.capacity];
      }
      this.items[(this.start + this.count - 1) % this.capacity] = undefined;
      this.count--;
      return item;
    }
    return undefined;
  }

  /** Items, oldest first. */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
    return out;
  }
}
