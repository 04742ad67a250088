import { describe, expect, it } from 'vitest';
import { ShardRouter, serverUniStreamId } from '../../reference-server/shard-router.js';

describe('ShardRouter', () => {
  it('maps room r to shard r % n', () => {
    const router = new ShardRouter(8);
    expect(router.shardOf(0)).toBe(0);
    expect(router.shardOf(1)).toBe(1);
    expect(router.shardOf(9)).toBe(1);
    expect(router.shardOf(Number.MAX_SAFE_INTEGER)).toBe(Number(BigInt(Number.MAX_SAFE_INTEGER) % 8n));
  });

  it('is exact for ids above 2^53', () => {
    const router = new ShardRouter(7);
    const big = 0xffff_ffff_ffff_fffbn;
    expect(router.shardOf(big)).toBe(Number(big % 7n));
    // Converting to a double first would round and give a different shard.
    expect(router.shardOf(big)).not.toBe(Number(big) % 7);
  });

  it('shard i is server uni stream 4i+3', () => {
    const router = new ShardRouter(8);
    expect([0, 1, 7].map((s) => router.shardStreamId(s))).toEqual([3, 7, 31]);
    expect(serverUniStreamId(8)).toBe(35);
  });

  it('assigns every shard, each with the rooms it carries', () => {
    const router = new ShardRouter(3);
    expect(router.assignment([1, 4, 5, 9n])).toEqual([
      { shard_id: 0, room_ids: [9n] },
      { shard_id: 1, room_ids: [1, 4] },
      { shard_id: 2, room_ids: [5] },
    ]);
    expect(router.assignment([])).toHaveLength(3);
  });

  it('rejects shard counts outside 1-255', () => {
    expect(() => new ShardRouter(0)).toThrow(RangeError);
    expect(() => new ShardRouter(256)).toThrow(RangeError);
  });
});

describe('ConnectionRoutes', () => {
  it('routes to the shard stream until the room is hot, then to its hot stream', () => {
    const router = new ShardRouter(4);
    const routes = router.newConnectionRoutes();
    expect(routes.streamFor(6)).toBe(11); // shard 2 -> 4*2+3
    const hot = routes.openHotStream(6);
    expect(hot).toBe(19); // first uni stream after the 4 shard streams
    expect(routes.streamFor(6)).toBe(19);
    expect(routes.streamFor(2)).toBe(11); // same shard, not hot
    expect(routes.openHotStream(2)).toBe(23); // ids keep increasing
    expect(routes.closeHotStream(6)).toBe(19);
    expect(routes.streamFor(6)).toBe(11);
    expect(routes.closeHotStream(6)).toBeUndefined();
    // A re-promotion gets a new stream id, never a reused one.
    expect(routes.openHotStream(6)).toBe(27);
    expect([...routes.hotRooms()].sort()).toEqual([2, 6]);
  });

  it('refuses a second hot stream for the same room', () => {
    const routes = new ShardRouter(2).newConnectionRoutes();
    routes.openHotStream(1);
    expect(() => routes.openHotStream(1)).toThrow();
  });
});
