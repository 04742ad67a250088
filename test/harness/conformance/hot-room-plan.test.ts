import { describe, expect, it } from 'vitest';
import { hotRoomSkipReason, messagesForRate } from '../../../harness/conformance/hot-room-episode.js';
import { DEFAULT_HOT_ROOM_PARAMS } from '../../../harness/conformance/suite-environment.js';

describe('messagesForRate', () => {
  it('is the smallest count with count * 1000 >= rate * window (PROTOCOL.md 10/rate)', () => {
    expect(messagesForRate(20, 1000)).toBe(20);
    expect(messagesForRate(100, 10_000)).toBe(1000);
    expect(messagesForRate(20, 500)).toBe(10);
    expect(messagesForRate(2.5, 1000)).toBe(3);
    expect(messagesForRate(0, 1000)).toBe(1);
    expect(messagesForRate(0.1, 100)).toBe(1);
  });
});

describe('hotRoomSkipReason', () => {
  it('skips when promotion is disabled or needs more than one burst can carry', () => {
    expect(hotRoomSkipReason(DEFAULT_HOT_ROOM_PARAMS)).toBeNull();
    expect(hotRoomSkipReason({ ...DEFAULT_HOT_ROOM_PARAMS, maxHotRooms: 0 })).toMatch(/max_hot_rooms is 0/);
    expect(hotRoomSkipReason({ ...DEFAULT_HOT_ROOM_PARAMS, promoteRate: 1000 })).toMatch(/10000 messages/);
  });
});
