/**
 * Decides when a room becomes hot (gets its own stream) and when it cools down (PROTOCOL.md 10, our decision).
 *
 * Rate = accepted SendMessage in the last `rateWindowMs`, divided by the window in seconds, counted in 100 ms
 * buckets. Promotion is decided synchronously when a message is recorded, so the server can announce it before
 * routing the message that triggered it; demotion is decided by `tick(now)`, which the server calls periodically.
 * Time is passed in by the caller (no clock inside), which makes every decision reproducible in tests.
 */
import type { U64 } from '../spec/index.js';

/** Width of one rate bucket. */
export const BUCKET_MS = 100;

/** Hot-room parameters (same meaning as HelloAck.hot_room_config). */
export interface HotRoomSettings {
  /** Promote when the rate reaches this many messages per second. */
  readonly promoteRate: number;
  /** A hot room whose rate stays below this for `coolDownMs` is demoted. */
  readonly demoteRate: number;
  readonly coolDownMs: number;
  readonly rateWindowMs: number;
  readonly maxHotRooms: number;
}

/** A promotion or demotion decided by the tracker. */
export interface HotRoomEvent {
  readonly kind: 'promote' | 'demote';
  readonly roomId: U64;
  /** The room's shard: `from_shard` of RoomPromoted, `to_shard` of RoomDemoted. */
  readonly shard: number;
}

interface RoomRate {
  /** Message counts per bucket, indexed by (bucket number mod bucket count). */
  readonly buckets: Uint32Array;
  /** Bucket number (floor(time / BUCKET_MS)) of the newest bucket the counts are valid for. */
  headBucket: number;
  /** Sum of `buckets`. */
  total: number;
  /** When the room was promoted; null while not hot. */
  hotSince: number | null;
  /** Since when a hot room's rate has been seen below the demote rate; null when it is not. */
  belowSince: number | null;
}

/** Per-room sliding-window message rates and the set of hot rooms. */
export class HotRoomTracker {
  private readonly rooms = new Map<U64, RoomRate>();
  private readonly hot = new Set<U64>();
  private readonly bucketCount: number;

  constructor(
    private readonly settings: HotRoomSettings,
    private readonly shardOf: (roomId: U64) => number,
  ) {
    if (!(settings.rateWindowMs >= BUCKET_MS)) throw new RangeError(`rateWindowMs must be >= ${BUCKET_MS}`);
    this.bucketCount = Math.ceil(settings.rateWindowMs / BUCKET_MS);
  }

  /** Rooms currently hot. */
  get hotRooms(): ReadonlySet<U64> {
    return this.hot;
  }

  /** Number of rooms with a rate record (idle rooms are dropped by `tick`). */
  get trackedRoomCount(): number {
    return this.rooms.size;
  }

  /** True when the room is hot. */
  isHot(roomId: U64): boolean {
    return this.hot.has(roomId);
  }

  /** The room's current rate in messages per second. */
  rate(roomId: U64, now: number): number {
    const record = this.rooms.get(roomId);
    if (!record) return 0;
    this.advance(record, now);
    return (record.total * 1000) / this.settings.rateWindowMs;
  }

  /**
   * Records one accepted message in the room at `now`. Returns a promotion when this message brings the rate to
   * the promote rate, the room is not hot, and a hot slot is free; otherwise null.
   */
  recordMessage(roomId: U64, now: number): HotRoomEvent | null {
    let record = this.rooms.get(roomId);
    if (!record) {
      record = {
        buckets: new Uint32Array(this.bucketCount),
        headBucket: Math.floor(now / BUCKET_MS),
        total: 0,
        hotSince: null,
        belowSince: null,
      };
      this.rooms.set(roomId, record);
    }
    this.advance(record, now);
    record.buckets[record.headBucket % this.bucketCount]! += 1;
    record.total += 1;
    if (record.hotSince !== null) {
      if (!this.isBelowDemoteRate(record)) record.belowSince = null;
      return null;
    }
    if (!this.reachesPromoteRate(record) || this.hot.size >= this.settings.maxHotRooms) return null;
    record.hotSince = now;
    record.belowSince = this.isBelowDemoteRate(record) ? now : null;
    this.hot.add(roomId);
    return { kind: 'promote', roomId, shard: this.shardOf(roomId) };
  }

  /**
   * Periodic evaluation at `now`: demotes hot rooms whose rate stayed below the demote rate for the cool-down (and
   * that have been hot at least that long), and forgets idle rooms. Call at least once a second.
   */
  tick(now: number): HotRoomEvent[] {
    const events: HotRoomEvent[] = [];
    for (const [roomId, record] of this.rooms) {
      this.advance(record, now);
      if (record.hotSince === null) {
        // Memory stays bounded by recently active rooms: an empty window carries no information.
        if (record.total === 0) this.rooms.delete(roomId);
        continue;
      }
      if (!this.isBelowDemoteRate(record)) {
        record.belowSince = null;
        continue;
      }
      if (record.belowSince === null) record.belowSince = now;
      const coolDown = this.settings.coolDownMs;
      if (now - record.belowSince >= coolDown && now - record.hotSince >= coolDown) {
        record.hotSince = null;
        record.belowSince = null;
        this.hot.delete(roomId);
        events.push({ kind: 'demote', roomId, shard: this.shardOf(roomId) });
        if (record.total === 0) this.rooms.delete(roomId);
      }
    }
    return events;
  }

  /** Forgets a room (it was deleted); frees its hot slot without an event, as nobody is left to notify. */
  forget(roomId: U64): boolean {
    this.rooms.delete(roomId);
    return this.hot.delete(roomId);
  }

  /** rate >= promoteRate, compared on integers (count x 1000 vs rate x window) to avoid rounding at the edge. */
  private reachesPromoteRate(record: RoomRate): boolean {
    return record.total * 1000 >= this.settings.promoteRate * this.settings.rateWindowMs;
  }

  private isBelowDemoteRate(record: RoomRate): boolean {
    return record.total * 1000 < this.settings.demoteRate * this.settings.rateWindowMs;
  }

  /** Moves the window's head to `now`'s bucket, zeroing the buckets that fell out of the window. */
  private advance(record: RoomRate, now: number): void {
    const bucket = Math.floor(now / BUCKET_MS);
    const steps = bucket - record.headBucket;
    if (steps <= 0) return; // same bucket, or a clock that went backwards: keep counting in the head bucket
    if (steps >= this.bucketCount) {
      record.buckets.fill(0);
      record.total = 0;
    } else {
      for (let b = record.headBucket + 1; b <= bucket; b++) {
        const index = b % this.bucketCount;
        record.total -= record.buckets[index]!;
        record.buckets[index] = 0;
      }
    }
    record.headBucket = bucket;
  }
}
