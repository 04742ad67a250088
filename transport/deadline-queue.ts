/**
 * All connections' quiche timeouts in one binary min-heap behind ONE setTimeout, instead
 * of a timer object per connection.
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

/** A min-heap of deadlines that calls `onExpired` for each item whose deadline has passed. */
export class DeadlineQueue<T extends Deadlined> {
  private readonly heap: T[] = [];
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
      item.heapIndex = this.heap.length;
      this.heap.push(item);
      this.siftUp(item.heapIndex);
    } else if (deadline !== item.deadline) {
      const earlier = deadline < item.deadline;
      item.deadline = deadline;
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
    const first = this.heap[0];
    if (first !== undefined && first.deadline <= this.timerAt + slackMs) return;
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
    const first = this.heap[0];
    if (first === undefined || first.deadline >= this.timerAt) return;
    // The earliest deadline moved before the armed timer: re-arm. A timer that fires
    // early for a later deadline simply re-arms, so later deadlines never re-arm.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = first.deadline;
    this.timer = setTimeout(this.fire, Math.max(0, first.deadline - performance.now()) + TIMER_MARGIN_MS);
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    const now = performance.now();
    let expired = false;
    while (this.heap.length > 0 && (this.heap[0] as T).deadline <= now) {
      const item = this.heap[0] as T;
      this.cancel(item);
      expired = true;
      this.onExpired(item);
    }
    if (expired) this.afterExpired();
    this.arm();
  };

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i] as T;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as T;
      if (parent.deadline <= item.deadline) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i] as T;
    while (true) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && (heap[right] as T).deadline < (heap[left] as T).deadline) child = right;
      const c = heap[child] as T;
      if (c.deadline >= item.deadline) break;
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
