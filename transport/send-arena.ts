/**
 * Memory quiche writes outgoing packets into. Packets are carved one after another out of
 * a large buffer that is never rewritten (node:dgram may still hold a packet when the send
 * is queued), and a fresh buffer replaces it when full: no allocation per packet except
 * one view, and no copy.
 */
export class SendArena {
  private buffer: Buffer;
  private offset = 0;
  private freeView: Buffer | null = null;

  /** `minFree`: the largest packet quiche may write (its max UDP payload). */
  constructor(private minFree = 1500) {
    this.buffer = Buffer.allocUnsafeSlow(this.arenaSize());
  }

  /** Raises the largest packet size the arena must be able to hold. */
  ensureCapacity(maxPacket: number): void {
    if (maxPacket <= this.minFree) return;
    this.minFree = maxPacket;
    this.freeView = null;
  }

  /** A writable view of at least `minFree` bytes; the same view until `take` is called. */
  free(): Buffer {
    if (this.freeView === null) {
      if (this.buffer.length - this.offset < this.minFree) {
        this.buffer = Buffer.allocUnsafeSlow(this.arenaSize());
        this.offset = 0;
      }
      this.freeView = this.buffer.subarray(this.offset, this.offset + this.minFree);
    }
    return this.freeView;
  }

  /** The buffer the last `free()` view belongs to. */
  get current(): Buffer {
    return this.buffer;
  }

  /** Marks `length` bytes at the start of the last `free()` view as used; returns their offset in `current`. */
  take(length: number): number {
    const at = this.offset;
    this.offset += length;
    this.freeView = null;
    return at;
  }

  private arenaSize(): number {
    return Math.max(256 * 1024, 8 * this.minFree);
  }
}
