/**
 * Set of message ids stored as sorted disjoint ranges. Message ids come from one server-wide increasing
 * counter, so the ids a run has finished with form a few long ranges: memory stays small on long runs.
 */
export class IdRangeSet {
  /** Sorted, disjoint, non-adjacent inclusive ranges: starts[i]..ends[i]. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Number of ranges (a measure of fragmentation). */
  get rangeCount(): number {
    return this.starts.length;
  }

  /** The ranges in increasing order, as a flat list: start0, end0, start1, end1, ... (inclusive). */
  flatRanges(): number[] {
    const flat: number[] = [];
    for (let i = 0; i < this.starts.length; i++) flat.push(this.starts[i] as number, this.ends[i] as number);
    return flat;
  }

  /** Whether `id` is in the set. */
  has(id: number): boolean {
    const i = this.lastStartAtOrBelow(id);
    return i >= 0 && id <= (this.ends[i] as number);
  }

  /** Adds `id`, merging with neighbouring ranges. */
  add(id: number): void {
    const i = this.lastStartAtOrBelow(id);
    if (i >= 0 && id <= (this.ends[i] as number)) return;
    const joinsLeft = i >= 0 && this.ends[i] === id - 1;
    const joinsRight = i + 1 < this.starts.length && this.starts[i + 1] === id + 1;
    if (joinsLeft && joinsRight) {
      this.ends[i] = this.ends[i + 1] as number;
      this.starts.splice(i + 1, 1);
      this.ends.splice(i + 1, 1);
    } else if (joinsLeft) {
      this.ends[i] = id;
    } else if (joinsRight) {
      this.starts[i + 1] = id;
    } else {
      this.starts.splice(i + 1, 0, id);
      this.ends.splice(i + 1, 0, id);
    }
  }

  private lastStartAtOrBelow(id: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= id) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
