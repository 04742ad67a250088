import { describe, expect, it } from 'vitest';
import { HotRoomTracker, type HotRoomSettings } from '../../reference-server/hot-room-tracker.js';
import { ShardRouter } from '../../reference-server/shard-router.js';

// Small numbers keep the arithmetic visible: promote at 10 msgs/s over a 1 s window = 10 messages in the window;
// demote below 2 msgs/s = fewer than 2 messages in the window.
const SETTINGS: HotRoomSettings = {
  promoteRate: 10,
  demoteRate: 2,
  coolDownMs: 2000,
  rateWindowMs: 1000,
  maxHotRooms: 2,
};

function tracker(settings: Partial<HotRoomSettings> = {}): HotRoomTracker {
  const router = new ShardRouter(8);
  return new HotRoomTracker({ ...SETTINGS, ...settings }, (room) => router.shardOf(room));
}

/** Sends `count` messages to `room` spread evenly from `start` (exclusive of the window edge). */
function send(t: HotRoomTracker, room: number | bigint, count: number, start: number, spacing = 10) {
  const events = [];
  for (let i = 0; i < count; i++) {
    const event = t.recordMessage(room, start + i * spacing);
    if (event) events.push({ event, at: start + i * spacing, index: i });
  }
  return events;
}

/** Ticks every 250 ms from `from` to `to` inclusive, collecting events with their time. */
function tickRange(t: HotRoomTracker, from: number, to: number) {
  const out = [];
  for (let now = from; now <= to; now += 250) for (const event of t.tick(now)) out.push({ event, at: now });
  return out;
}

describe('HotRoomTracker promotion', () => {
  it('promotes exactly at the message that brings the rate to the threshold', () => {
    const t = tracker();
    const events = send(t, 9, 10, 0);
    expect(events).toEqual([{ event: { kind: 'promote', roomId: 9, shard: 1 }, at: 90, index: 9 }]);
    expect(t.isHot(9)).toBe(true);
    expect(t.rate(9, 90)).toBe(10);
  });

  it('does not promote just below the threshold, however long it lasts', () => {
    const t = tracker();
    // 9 messages per second, forever: the window never holds 10.
    for (let second = 0; second < 20; second++) {
      expect(send(t, 3, 9, second * 1000, 100)).toEqual([]);
      t.tick(second * 1000 + 950);
    }
    expect(t.isHot(3)).toBe(false);
  });

  it('does not count messages that left the window', () => {
    const t = tracker();
    send(t, 4, 9, 0);
    // 1 s later the first 9 have expired: one more message is 1 in the window, not 10.
    expect(t.recordMessage(4, 1100)).toBeNull();
    expect(t.rate(4, 1100)).toBe(1);
  });

  it('keeps at most maxHotRooms hot; a waiting room is promoted on its next message after a slot frees', () => {
    const t = tracker();
    expect(send(t, 1, 10, 0)).toHaveLength(1);
    expect(send(t, 2, 10, 0)).toHaveLength(1);
    expect(send(t, 3, 10, 0)).toEqual([]); // at max: no promotion, no event
    expect(t.hotRooms.size).toBe(2);
    // Rooms 1 and 2 go quiet; room 3 keeps its rate up.
    let demoted: number[] = [];
    let promotedAt: number | null = null;
    for (let now = 100; now <= 6000; now += 50) {
      const event = t.recordMessage(3, now);
      if (event?.kind === 'promote') promotedAt = now;
      if (now % 250 === 0) demoted = demoted.concat(t.tick(now).map((e) => e.roomId as number));
    }
    expect(demoted.sort()).toEqual([1, 2]);
    // Both slots free at the 3000 tick; room 3's next message (3050) takes one.
    expect(promotedAt).toBe(3050);
    expect(t.isHot(3)).toBe(true);
  });

  it('computes the shard of bigint room ids exactly', () => {
    const t = tracker();
    const big = 0xffff_ffff_ffff_fff1n;
    const [promotion] = send(t, big, 10, 0);
    expect(promotion?.event).toEqual({ kind: 'promote', roomId: big, shard: Number(big % 8n) });
  });
});

describe('HotRoomTracker demotion', () => {
  it('demotes only after the rate stayed below the demote rate for the whole cool-down', () => {
    const t = tracker();
    send(t, 5, 10, 0); // promoted at 90
    // Window empties by ~1000; the first tick that sees it below is 1000; cool-down 2000 -> demotion at 3000.
    const events = tickRange(t, 250, 5000);
    expect(events).toEqual([{ event: { kind: 'demote', roomId: 5, shard: 5 }, at: 3000 }]);
    expect(t.isHot(5)).toBe(false);
  });

  it('restarts the cool-down when the rate rises to the demote rate again', () => {
    const t = tracker();
    send(t, 5, 10, 0);
    expect(tickRange(t, 250, 2500)).toEqual([]); // below since 1000
    // Two messages at 2600: rate 2/s, not below 2/s -> continuity broken.
    t.recordMessage(5, 2600);
    t.recordMessage(5, 2610);
    const events = tickRange(t, 2750, 7000);
    // Those two expire from the 1 s window by 3600 (tick at 3750 sees below), demotion 2 s later.
    expect(events).toEqual([{ event: { kind: 'demote', roomId: 5, shard: 5 }, at: 5750 }]);
  });

  it('a hot room at exactly the demote rate is not demoted', () => {
    const t = tracker();
    send(t, 6, 10, 0);
    // Keep 2 messages in every 1 s window.
    for (let now = 1000; now <= 8000; now += 500) {
      t.recordMessage(6, now);
      expect(t.tick(now + 100)).toEqual([]);
    }
    expect(t.isHot(6)).toBe(true);
  });

  it('a room must be hot for the cool-down even when its rate falls at once', () => {
    // demoteRate above promoteRate (the config forbids it, the tracker must still be safe): below from the start.
    const t = tracker({ promoteRate: 1, demoteRate: 50, rateWindowMs: 1000 });
    expect(t.recordMessage(7, 1000)?.kind).toBe('promote');
    expect(tickRange(t, 1250, 2750)).toEqual([]);
    expect(t.tick(3000)).toEqual([{ kind: 'demote', roomId: 7, shard: 7 }]);
  });

  it('drops idle rooms so memory follows activity', () => {
    const t = tracker();
    for (let room = 100; room < 200; room++) t.recordMessage(room, 0);
    expect(t.trackedRoomCount).toBe(100);
    t.tick(500);
    expect(t.trackedRoomCount).toBe(100);
    t.tick(1100);
    expect(t.trackedRoomCount).toBe(0);
  });

  it('forget frees the hot slot silently', () => {
    const t = tracker({ maxHotRooms: 1 });
    send(t, 1, 10, 0);
    expect(send(t, 2, 10, 0)).toEqual([]);
    expect(t.forget(1)).toBe(true);
    expect(t.recordMessage(2, 200)?.kind).toBe('promote');
    expect(t.forget(99)).toBe(false);
  });
});
