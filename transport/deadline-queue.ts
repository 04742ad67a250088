/**
 * All connections' quiche timeouts in one min-heap behind ONE setTimeout, instead
 * of a timer object per connection.
 *
 * The heap is 4-ary and keeps its keys (the deadlines) in a Float64Array beside the items: every packet a
 * connection sends moves its deadline (a loss timer after data, the idle timer after an ACK), and with tens of
 * thousands of connections each comparison of a binary heap over the items read a connection object that was
 * not in cache (two per level, ~15 levels at 20,000 connections). Now a level is one cache line of keys and one
 * write to the item moved; sifting was ~4% of the reference server's CPU at 5,000 clients x 0.2 msg/s in perf.
 */

/**
 * Node's timers count from the loop's clock, read at the start of the loop turn and truncated to whole ms, so a
 * timer set late in a turn fires up to a millisecond or more before its `performance.now()` deadline: it then found
 * nothing due and armed again, a second wake-up (at 1k deliveries/s, a third of all timer wake-ups). Timers are set
 * this much later instead; deadlines here (quiche's timers, held ACKs, probes) can all wait a millisecond.
 */
const TIMER_MARGIN_MS = 1;

/** Something with a deadline; the queue stores its heap position on it to update in O(log n). */
export interface Deadlined {
  /** Absolute time in `performance.now()` ms; meaningful only while queued. */
  deadline: number;
  /** Position in the heap, -1 when not queued. Owned by the queue. */
  heapIndex: number;
}

/** Children per heap node. */
const ARITY = 4;

/** A min-heap of deadlines that calls `onExpired` for each item whose deadline has passed. */
export class DeadlineQueue<T extends Deadlined> {
  private readonly heap: T[] = [];
  /** keys[i] is heap[i].deadline, for comparisons that do not touch the items. */
  private keys = new Float64Array(64);
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;

  /** `onExpired(item)` runs for every expired item (already removed); `afterExpired` once per batch. */
  constructor(
    private readonly onExpired: (item: T) => void,
    private readonly afterExpired: () => void,
  ) {}

  /** Number of queued items. */
  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` at `deadline`, or moves it there if already queued. */
  schedule(item: T, deadline: number): void {
    if (item.heapIndex < 0) {
      item.deadline = deadline;
      const i = this.heap.length;
      if (i === this.keys.length) this.grow();
      item.heapIndex = i;
      this.heap.push(item);
      this.keys[i] = deadline;
      this.siftUp(i);
    } else if (deadline !== item.deadline) {
      const earlier = deadline < item.deadline;
      item.deadline = deadline;
      this.keys[item.heapIndex] = deadline;
      if (earlier) this.siftUp(item.heapIndex);
      else this.siftDown(item.heapIndex);
    }
    this.arm();
  }

  /** Removes `item` if queued. */
  cancel(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.heap.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.heap[i] = last;
      this.keys[i] = this.keys[this.heap.length] as number;
      last.heapIndex = i;
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
  }

  /**
   * Moves the timer to the earliest deadline when that deadline moved more than `slackMs` later than the armed
   * timer (items rescheduled later or cancelled: e.g. a loss timer that an acknowledgement made moot). Called once
   * per batch of schedule/cancel calls (an endpoint flush), not per call: re-arming costs a timer object, while a
   * timer that fires for nothing costs the process a wake-up.
   */
  retarget(slackMs: number): void {
    if (this.timer === null) return;
    if (this.heap.length > 0 && (this.keys[0] as number) <= this.timerAt + slackMs) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.arm();
  }

  /** Removes everything and stops the timer. */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private arm(): void {
    if (this.heap.length === 0) return;
    const first = this.keys[0] as number;
    if (first >= this.timerAt) return;
    // The earliest deadline moved before the armed timer: re-arm. A timer that fires
    // early for a later deadline simply re-arms, so later deadlines never re-arm.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = first;
    this.timer = setTimeout(this.fire, Math.max(0, first - performance.now()) + TIMER_MARGIN_MS);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    const now = performance.now();
    let expired = false;
    while (this.heap.length > 0 && (this.keys[0] as number) <= now) {
      const item = this.heap[0] as T;
      this.cancel(item);
      expired = true;
      this.onExpired(item);
    }
    if (expired) this.afterExpired();
    this.arm();
  };

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const item = heap[i] as T;
    const key = keys[i] as number;
    while (i > 0) {
      const parentIndex = ((i - 1) / ARITY) | 0;
      const parentKey = keys[parentIndex] as number;
      if (parentKey <= key) break;
      const parent = heap[parentIndex] as T;
      heap[i] = parent;
      keys[i] = parentKey;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = item;
    keys[i] = key;
    item.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const n = heap.length;
    const item = heap[i] as T;
    const key = keys[i] as number;
    while (true) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      const end = Math.min(first + ARITY, n);
      let child = first;
      let childKey = keys[first] as number;
      for (let c = first + 1; c < end; c++) {
        const k = keys[c] as number;
        if (k < childKey) {
          child = c;
          childKey = k;
        }
      }
      if (childKey >= key) break;
      const moved = heap[child] as T;
      heap[i] = moved;
      keys[i] = childKey;
      moved.heapIndex = i;
      i = child;
    }
    heap[i] = item;
    keys[i] = key;
    item.heapIndex = i;
  }
}
