import { describe, expect, it } from 'vitest';
import { RoomSwitchOrder, type OrderedDeliverySink } from '../../../harness/client/room-switch-order.js';
import type { RoomMessage } from '../../../spec/index.js';

const HOLD_MS = 100;
const HOT_STREAM = 35;

function message(id: number): RoomMessage {
  return {
    message_id: id,
    room_id: 5000,
    sender: { user_id: 1, username: 'u', avatar_url: null },
    content: '',
    timestamp: 0,
    reply_to: null,
    attachments: [],
    nonce: null,
  };
}

/** Records delivered ids and their arrival times. */
class Sink implements OrderedDeliverySink {
  readonly ids: number[] = [];
  readonly times: number[] = [];
  deliverOrdered(m: RoomMessage, receivedAtMs: number): void {
    this.ids.push(Number(m.message_id));
    this.times.push(receivedAtMs);
  }
}

function setup(): {
  order: RoomSwitchOrder;
  sink: Sink;
  shard(id: number, at?: number): void;
  hot(id: number, at?: number): void;
} {
  const order = new RoomSwitchOrder(HOLD_MS);
  const sink = new Sink();
  return {
    order,
    sink,
    shard: (id, at = 0) => order.shardMessage(message(id), id, at, sink),
    hot: (id, at = 0) => order.hotMessage(message(id), id, at, sink),
  };
}

describe('RoomSwitchOrder (PROTOCOL.md 8/switch-reorder)', () => {
  it('passes shard messages straight through while the room is not hot', () => {
    const { order, sink, shard } = setup();
    shard(1);
    shard(2);
    expect(sink.ids).toEqual([1, 2]);
    expect(order.deadlineMs).toBe(Infinity);
  });

  it('on promotion holds hot messages until shard stragglers are in, then merges by id', () => {
    const { order, sink, shard, hot } = setup();
    shard(3);
    order.promoted();
    order.hotStreamOpened(HOT_STREAM);
    hot(5, 10);
    hot(6, 11);
    expect(sink.ids).toEqual([3]);
    shard(4, 12); // pre-promotion straggler on the shard stream: below the first hot id
    expect(sink.ids).toEqual([3, 4]);
    // Another room's message on the same shard with a higher id: the shard is past the switch.
    order.shardProgress(7, sink);
    expect(sink.ids).toEqual([3, 4, 5, 6]);
    expect(sink.times).toEqual([0, 12, 10, 11]); // arrival times are kept
    hot(8);
    expect(sink.ids).toEqual([3, 4, 5, 6, 8]);
    expect(order.deadlineMs).toBe(Infinity);
  });

  it('releases held hot messages when the hold time passes without shard progress', () => {
    const { order, sink, hot } = setup();
    order.promoted();
    hot(5, 1000);
    expect(order.deadlineMs).toBe(1000 + HOLD_MS);
    order.expire(1000 + HOLD_MS - 1, sink);
    expect(sink.ids).toEqual([]);
    order.expire(1000 + HOLD_MS, sink);
    expect(sink.ids).toEqual([5]);
    expect(order.deadlineMs).toBe(Infinity);
  });

  it('shard progress below the first hot id does not release anything', () => {
    const { order, sink, hot } = setup();
    order.promoted();
    hot(10);
    order.shardProgress(9, sink);
    expect(sink.ids).toEqual([]);
    expect(order.awaitsShardProgress).toBe(true);
  });

  it('on demotion holds shard messages until the hot stream finishes', () => {
    const { order, sink, shard, hot } = setup();
    order.promoted();
    order.hotStreamOpened(HOT_STREAM);
    order.shardProgress(Number.MAX_SAFE_INTEGER, sink);
    hot(20);
    order.demotedSignal();
    shard(22);
    shard(23);
    expect(sink.ids).toEqual([20]);
    hot(21); // the hot stream's last message arrives after the shard ones
    expect(sink.ids).toEqual([20, 21]);
    order.hotFinished(HOT_STREAM, sink);
    expect(sink.ids).toEqual([20, 21, 22, 23]);
    shard(24);
    expect(sink.ids).toEqual([20, 21, 22, 23, 24]);
    expect(order.isHot).toBe(false);
  });

  it('holds shard messages with ids beyond the hot stream even before RoomDemoted arrives', () => {
    const { order, sink, shard, hot } = setup();
    order.promoted();
    order.hotStreamOpened(HOT_STREAM);
    hot(30);
    shard(33); // after the demotion (its RoomDemoted not seen yet): higher than the hot stream's ids
    hot(31);
    order.hotFinished(HOT_STREAM, sink);
    expect(sink.ids).toEqual([30, 31, 33]);
  });

  it('ignores the FIN of another hot stream', () => {
    const { order, sink, hot } = setup();
    order.promoted();
    order.hotStreamOpened(HOT_STREAM);
    hot(5);
    order.hotFinished(HOT_STREAM + 4, sink);
    expect(order.isHot).toBe(true);
    expect(order.hotStream).toBe(HOT_STREAM);
  });

  it('passes a straggler that arrives after its successors were released (the tracker counts the reorder)', () => {
    const { order, sink, shard, hot } = setup();
    order.promoted();
    hot(5, 0);
    order.expire(HOLD_MS, sink);
    shard(4, HOLD_MS + 1);
    expect(sink.ids).toEqual([5, 4]);
  });

  it('reset delivers what is held and forgets the switch', () => {
    const { order, sink, hot, shard } = setup();
    order.promoted();
    hot(7);
    order.reset(sink);
    expect(sink.ids).toEqual([7]);
    shard(8);
    expect(sink.ids).toEqual([7, 8]);
    expect(order.isHot).toBe(false);
  });
});
