/**
 * Bytes written to one stream but not yet handed to quiche. Small writes are copied into
 * a tail buffer so quiche receives few large chunks: one `streamSend` per flush instead
 * of one per frame (quiche keeps one buffer entry per call, and walking many tiny entries
 * gets expensive once packets are lost). An empty queue holds no buffer, so idle streams
 * cost nothing; the tail size adapts to how much a stream writes per flush.
 *
 * Bytes their writer never changes (`pushShared`) are kept by reference when the queue is empty: a fan-out
 * queues the same encoded frame on every member's stream, and copying it into a fresh tail per member cost a
 * 1 KiB slice of Node's buffer pool per delivery (a new 8 KiB pool every eight deliveries, whose malloc made
 * glibc consolidate its free lists: with the pools' frees, ~8% of the reference server's CPU at 5,000 clients x
 * 0.2 msg/s in perf).
 */

/** Largest tail buffer. Writes at least this large are queued as their own chunk. */
export const TAIL_SIZE = 64 * 1024;
const MIN_TAIL = 1024;

/** A FIFO of bytes: sealed chunks, then one open tail that small writes append to. */
export class SendQueue {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  private tail: Buffer | null = null;
  private tailStart = 0;
  private tailEnd = 0;
  private total = 0;
  /** Size of the next tail buffer: grows while a stream streams, shrinks when it trickles. */
  private tailSize = MIN_TAIL;

  /** Bytes queued. */
  get bytes(): number {
    return this.total;
  }

  /** Copies `data[from, from + count)` to the end of the queue. */
  push(data: Uint8Array, from: number, count: number): void {
    if (count <= 0) return;
    this.total += count;
    if (count >= TAIL_SIZE) {
      this.sealTail();
      const copy = Buffer.allocUnsafe(count);
      copy.set(data.subarray(from, from + count));
      this.chunks.push(copy);
      return;
    }
    let tail = this.tail;
    if (tail !== null && tail.length - this.tailEnd < count) {
      const pending = this.tailEnd - this.tailStart;
      if (this.tailStart > 0 && tail.length - pending >= count) {
        // Room exists before the pending bytes: slide them to the front.
        tail.copyWithin(0, this.tailStart, this.tailEnd);
        this.tailStart = 0;
        this.tailEnd = pending;
      } else {
        this.tailSize = Math.min(TAIL_SIZE, tail.length * 4);
        this.sealTail();
        tail = null;
      }
    }
    if (tail === null) {
      tail = Buffer.allocUnsafe(Math.max(count, this.tailSize));
      this.tail = tail;
    }
    // A whole-array write (the usual frame) needs no subarray view: one allocation less per write.
    tail.set(from === 0 && count === data.length ? data : data.subarray(from, from + count), this.tailEnd);
    this.tailEnd += count;
  }

  /**
   * Queues `data[from, from + count)`, which its writer never changes: by reference when the queue is empty (the
   * usual single frame per flush), else copied after what is queued, as `push` does (runs still coalesce).
   */
  pushShared(data: Uint8Array, from: number, count: number): void {
    if (count <= 0) return;
    if (this.total > 0) {
      this.push(data, from, count);
      return;
    }
    this.total = count;
    this.chunks.push(from === 0 && count === data.length ? data : data.subarray(from, from + count));
  }

  /** The oldest contiguous run of queued bytes (a view), or null when empty. */
  peek(): Uint8Array | null {
    const chunk = this.chunks[this.head];
    if (chunk !== undefined) return chunk;
    if (this.tail !== null && this.tailEnd > this.tailStart)
      return this.tail.subarray(this.tailStart, this.tailEnd);
    return null;
  }

  /** Whether the run returned by `peek()` is the last one queued. */
  peekIsLast(): boolean {
    const tailPending = this.tail !== null && this.tailEnd > this.tailStart;
    return this.chunks.length - this.head + (tailPending ? 1 : 0) <= 1;
  }

  /** Drops `count` bytes from the front of the run returned by `peek()`. */
  consume(count: number): void {
    if (count <= 0) return;
    this.total -= count;
    const chunk = this.chunks[this.head];
    if (chunk !== undefined) {
      if (count < chunk.length) {
        this.chunks[this.head] = chunk.subarray(count);
        return;
      }
      this.head++;
      if (this.head === this.chunks.length) {
        this.chunks.length = 0;
        this.head = 0;
      }
      return;
    }
    this.tailStart += count;
    if (this.tailStart >= this.tailEnd) {
      // All handed over (quiche copies): release the buffer, remembering how much was needed.
      if (this.tail !== null && this.tailEnd * 4 < this.tail.length) {
        this.tailSize = Math.max(MIN_TAIL, this.tailSize >> 1);
      }
      this.tail = null;
      this.tailStart = 0;
      this.tailEnd = 0;
    }
  }

  /** Drops everything. */
  clear(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.tail = null;
    this.tailStart = 0;
    this.tailEnd = 0;
    this.total = 0;
  }

  /** Moves the tail's pending bytes into a sealed chunk so that later bytes queue after them. */
  private sealTail(): void {
    if (this.tail !== null && this.tailEnd > this.tailStart) {
      this.chunks.push(this.tail.subarray(this.tailStart, this.tailEnd));
    }
    this.tail = null;
    this.tailStart = 0;
    this.tailEnd = 0;
  }
}
