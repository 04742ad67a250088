import { describe, expect, it } from 'vitest';
import {
  classifyServerStream,
  serverUniStreamIndex,
  shardOfRoom,
  shardStreamId,
} from '../../../harness/client/server-streams.js';

describe('server stream mapping (PROTOCOL.md 9/stream-ids)', () => {
  it('maps the i-th server uni stream (id 4i+3) to index i, and other ids to -1', () => {
    expect(serverUniStreamIndex(3)).toBe(0);
    expect(serverUniStreamIndex(7)).toBe(1);
    expect(serverUniStreamIndex(35)).toBe(8);
    for (const other of [0, 1, 2, 4, 5, 6, 8]) expect(serverUniStreamIndex(other)).toBe(-1);
  });

  it('classifies indexes below num_shards as shards and later ones as hot-room streams', () => {
    expect(classifyServerStream(3, 8)).toEqual({ kind: 'shard', shard: 0 });
    expect(classifyServerStream(31, 8)).toEqual({ kind: 'shard', shard: 7 });
    expect(classifyServerStream(35, 8)).toEqual({ kind: 'hot' });
    expect(classifyServerStream(35, 9)).toEqual({ kind: 'shard', shard: 8 });
    expect(classifyServerStream(0, 8)).toEqual({ kind: 'not-server-uni' });
  });

  it('round-trips shard stream ids', () => {
    for (let shard = 0; shard < 255; shard++) expect(serverUniStreamIndex(shardStreamId(shard))).toBe(shard);
  });

  it('computes room % num_shards exactly, also above 2^53', () => {
    expect(shardOfRoom(5000, 8)).toBe(0);
    expect(shardOfRoom(1, 8)).toBe(1);
    // 2^64 - 1 = 18446744073709551615; % 7 = 1 (a double would round the id)
    expect(shardOfRoom(18446744073709551615n, 7)).toBe(Number(18446744073709551615n % 7n));
    expect(shardOfRoom(9007199254740993n, 10)).toBe(3);
  });
});
