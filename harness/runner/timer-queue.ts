/**
 * Many one-shot callbacks at epoch-ms times on one Node timer: rejoins after a leave, reconnects after a
 * downtime, storm disconnects. Callbacks due at the same time run in the order they were added.
 */
import { epochNowMs } from '../metrics/clock.js';

interface Entry {
  atMs: number;
  seq: number;
  run: () => void;
}

/** A min-heap of timed callbacks driven by a single setTimeout. */
export class TimerQueue {
  private readonly heap: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private seq = 0;
  private stopped = false;

  /** Runs `run` at `atMs` (epoch ms), or on the next tick if that time has passed. */
  at(atMs: number, run: () => void): void {
    if (this.stopped) return;
    this.push({ atMs, seq: this.seq++, run });
    this.arm();
  }

  /** Number of callbacks waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Drops every waiting callback and stops the timer for good. */
  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const next = this.heap[0];
    if (next === undefined || next.atMs >= this.armedFor) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = next.atMs;
    this.timer = setTimeout(this.fire, Math.max(0, next.atMs - epochNowMs()));
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Infinity;
    const now = epochNowMs();
    while (!this.stopped) {
      const next = this.heap[0];
      if (next === undefined || next.atMs > now) break;
      this.pop();
      next.run();
    }
    if (!this.stopped) this.arm();
  };

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!earlier(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}

function earlier(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
