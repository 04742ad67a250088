/**
 * A walk over a worker's clients spread over several event-loop turns. The housekeeping that visits every client
 * once a second (the send backlog of the health sample, the Hello..AuthOk deadline) blocked the loop for ~10 ms in
 * one piece at 50,000 clients; in slices, I/O is polled between them. At 50,000 clients the harness's loop is busy
 * ~90% of the steady phase, and every millisecond of one block delays the acknowledgements of every connection
 * behind it (issue 12: a harness stall longer than the server's loss timers sets off retransmissions).
 */

/** Clients visited per loop turn: ~1 ms of housekeeping at 50,000 clients. */
export const SWEEP_SLICE = 4096;

/** Visits the items of a list in slices of `sliceSize`, one slice per loop turn, then calls `done`. */
export class SlicedSweep<T> {
  private items: readonly T[] = [];
  private next = 0;
  private pending: NodeJS.Immediate | null = null;
  private running = false;

  constructor(
    private readonly visit: (item: T) => void,
    private readonly done: () => void,
    private readonly sliceSize = SWEEP_SLICE,
  ) {
    if (!(sliceSize >= 1)) throw new RangeError(`sliceSize must be >= 1, got ${sliceSize}`);
  }

  /** A sweep is under way. */
  get busy(): boolean {
    return this.running;
  }

  /**
   * Starts a sweep over `items` (its first slice now) unless one is still under way: then returns false, and that
   * one goes on. Items appended to the list while it runs are visited too.
   */
  start(items: readonly T[]): boolean {
    if (this.running) return false;
    this.running = true;
    this.items = items;
    this.next = 0;
    this.step();
    return true;
  }

  /** Abandons the sweep under way (`done` is not called). */
  stop(): void {
    if (this.pending !== null) clearImmediate(this.pending);
    this.pending = null;
    this.running = false;
    this.items = [];
  }

  private readonly step = (): void => {
    this.pending = null;
    const items = this.items;
    const end = Math.min(items.length, this.next + this.sliceSize);
    for (let i = this.next; i < end; i++) this.visit(items[i] as T);
    this.next = end;
    if (end < items.length) {
      this.pending = setImmediate(this.step);
      return;
    }
    this.running = false;
    this.items = [];
    this.done();
  };
}
