/**
 * Per-room delivery order across a hot-room stream switch (PROTOCOL.md 8/switch-reorder, 10/split-point).
 *
 * QUIC orders bytes only within a stream, so when a room moves from its shard stream to a hot-room stream
 * (promotion) or back (demotion), RoomMessages of the old and the new stream may arrive interleaved. The
 * server guarantees that every message of the earlier stream has a lower id than every message of the later
 * one, so the client merges them by message_id:
 *
 * - Promotion: hot-stream messages are held until the shard stream is known to be past the switch (it
 *   delivered a RoomMessage, of any room, with an id above the first hot id: written after the promotion),
 *   or until a short hold time passes. Shard messages with ids below the first hot id are delivered at once.
 * - Demotion: shard messages with ids at or above the hot stream's are held until the hot stream ends (FIN),
 *   or the hold time passes.
 *
 * Released messages keep their arrival time, so holding adds no latency to the figures. A message that
 * arrives after its successors were released is passed on anyway; the delivery tracker counts it as a reorder.
 */
import type { PeekedRoomMessage } from '../../spec/index.js';

/** Receives a room's RoomMessages in merged order, with the time each arrived. */
export interface OrderedDeliverySink {
  deliverOrdered(message: PeekedRoomMessage, receivedAtMs: number): void;
}

interface Held {
  message: PeekedRoomMessage;
  id: number;
  receivedAtMs: number;
}

/** No hot stream bound yet (promotion announced on the control stream only). */
const UNBOUND = -1;
/**
 * Shard messages held after a demotion wait for the hot stream's FIN, which always comes: they may wait
 * this many times the hold time (a cool room holds few messages).
 */
const DEMOTION_HOLD_FACTOR = 8;

/** The merge state of one room for one connection. */
export class RoomSwitchOrder {
  /** A hot-room stream is live for the room (announced or open). */
  private hot = false;
  /** QUIC id of the live hot-room stream, UNBOUND until its first bytes arrive. */
  private hotStreamId = UNBOUND;
  /** Pre-promotion shard messages may still be in flight: hot messages are held. */
  private shardDraining = false;
  /** RoomDemoted seen while the hot stream has not finished yet. */
  private demoted = false;
  /** Lowest RoomMessage id seen on the live hot stream. */
  private firstHotId = Infinity;
  private heldHot: Held[] | null = null;
  private heldShard: Held[] | null = null;
  /** When held messages are released regardless (epoch ms); Infinity while nothing is held. */
  private deadline = Infinity;

  constructor(private holdMs: number) {}

  /** Changes the hold time for the next switch (the client adapts it to the connection's round-trip time). */
  setHoldMs(holdMs: number): void {
    this.holdMs = holdMs;
  }

  /** Time at which `expire` must be called (epoch ms); Infinity when nothing is held. */
  get deadlineMs(): number {
    return this.deadline;
  }

  /** Whether a hot-room stream is live (or announced) for the room. */
  get isHot(): boolean {
    return this.hot;
  }

  /** QUIC id of the bound hot-room stream, or -1. */
  get hotStream(): number {
    return this.hotStreamId;
  }

  /** RoomPromoted arrived on the control stream. */
  promoted(): void {
    if (this.hot) return;
    this.startHot(UNBOUND);
  }

  /** The room's hot-room stream delivered its header (or, header-less, its first frame). */
  hotStreamOpened(streamId: number): void {
    if (!this.hot) {
      this.startHot(streamId);
      return;
    }
    if (this.hotStreamId === UNBOUND) this.hotStreamId = streamId;
  }

  /** RoomDemoted arrived on the control stream. */
  demotedSignal(): void {
    if (this.hot) this.demoted = true;
  }

  /** A RoomMessage of this room arrived on the hot-room stream. */
  hotMessage(message: PeekedRoomMessage, id: number, receivedAtMs: number, sink: OrderedDeliverySink): void {
    if (id < this.firstHotId) this.firstHotId = id;
    if (!this.shardDraining) {
      sink.deliverOrdered(message, receivedAtMs);
      return;
    }
    (this.heldHot ??= []).push({ message, id, receivedAtMs });
    if (this.deadline === Infinity) this.deadline = receivedAtMs + this.holdMs;
  }

  /** A RoomMessage of this room arrived on its shard stream. */
  shardMessage(
    message: PeekedRoomMessage,
    id: number,
    receivedAtMs: number,
    sink: OrderedDeliverySink,
  ): void {
    if (!this.hot || (!this.demoted && id < this.firstHotId)) {
      // Not hot, or a pre-promotion straggler: it precedes everything held on the hot stream.
      sink.deliverOrdered(message, receivedAtMs);
      return;
    }
    // Written after the demotion: the shard stream is past the promotion, and the hot stream may still
    // hold earlier messages.
    if (this.shardDraining) this.endShardDrain(sink);
    (this.heldShard ??= []).push({ message, id, receivedAtMs });
    if (this.deadline === Infinity) this.deadline = receivedAtMs + DEMOTION_HOLD_FACTOR * this.holdMs;
  }

  /**
   * The room's shard stream delivered a RoomMessage (of any room) with this id: once it is above the first
   * hot id, the shard stream has passed the promotion point.
   */
  shardProgress(id: number, sink: OrderedDeliverySink): void {
    if (this.shardDraining && id > this.firstHotId) this.endShardDrain(sink);
  }

  /** Whether `shardProgress` can still change anything (the client only calls it then). */
  get awaitsShardProgress(): boolean {
    return this.shardDraining && this.firstHotId !== Infinity;
  }

  /** The hot-room stream `streamId` finished (FIN): everything it carried has arrived. */
  hotFinished(streamId: number, sink: OrderedDeliverySink): void {
    if (!this.hot || (this.hotStreamId !== UNBOUND && this.hotStreamId !== streamId)) return;
    this.releaseAll(sink);
    this.hot = false;
    this.hotStreamId = UNBOUND;
    this.demoted = false;
    this.firstHotId = Infinity;
  }

  /** Releases held messages whose hold time has passed. */
  expire(nowMs: number, sink: OrderedDeliverySink): void {
    if (nowMs < this.deadline) return;
    this.releaseAll(sink);
  }

  /** The membership ended (RoomClose) or the connection closed: deliver what is held, forget the switch. */
  reset(sink: OrderedDeliverySink): void {
    this.releaseAll(sink);
    this.hot = false;
    this.hotStreamId = UNBOUND;
    this.demoted = false;
    this.firstHotId = Infinity;
  }

  private startHot(streamId: number): void {
    this.hot = true;
    this.hotStreamId = streamId;
    this.shardDraining = true;
    this.demoted = false;
    this.firstHotId = Infinity;
  }

  private endShardDrain(sink: OrderedDeliverySink): void {
    this.shardDraining = false;
    const held = this.heldHot;
    this.heldHot = null;
    if (held !== null) for (const h of held) sink.deliverOrdered(h.message, h.receivedAtMs);
    if (this.heldShard === null) this.deadline = Infinity;
  }

  /** Delivers everything held, merged by id (each list is already in stream order). */
  private releaseAll(sink: OrderedDeliverySink): void {
    this.shardDraining = false;
    this.deadline = Infinity;
    const hot = this.heldHot;
    const shard = this.heldShard;
    this.heldHot = null;
    this.heldShard = null;
    if (hot === null && shard === null) return;
    const a = hot ?? [];
    const b = shard ?? [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const next =
        j >= b.length || (i < a.length && (a[i] as Held).id <= (b[j] as Held).id)
          ? (a[i++] as Held)
          : (b[j++] as Held);
      sink.deliverOrdered(next.message, next.receivedAtMs);
    }
  }
}
