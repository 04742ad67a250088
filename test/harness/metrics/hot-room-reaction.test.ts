import { describe, expect, it } from 'vitest';
import { HotRoomReactionTracker, reactionTimeMs } from '../../../harness/metrics/hot-room-reaction.js';

const options = { promoteRate: 100, demoteRate: 20, coolDownMs: 10_000, rateWindowMs: 2000, maxHotRooms: 10 };

describe('HotRoomReactionTracker', () => {
  it('finds the moment the windowed rate reached promote_rate', () => {
    const t = new HotRoomReactionTracker(options);
    // 150 msgs/s from t=0: the 200th message (index 199) brings the 2 s window to 100 msgs/s.
    const times = Array.from({ length: 600 }, (_, i) => (i * 1000) / 150);
    for (const at of times) t.recordAccepted(1, at);
    expect(t.promoted(1, 1500)).toBeCloseTo(times[199] as number, 9);
    // A second member seeing the same promotion is not a new crossing.
    expect(t.promoted(1, 1600)).toBeUndefined();
  });

  it('does not report a crossing for a room that stayed below the threshold', () => {
    const t = new HotRoomReactionTracker(options);
    for (let i = 0; i < 100; i++) t.recordAccepted(2, i * 25); // 40 msgs/s
    expect(t.rate(2, 2475)).toBe(40); // window (475, 2475]: messages 20..99
    expect(t.promoted(2, 2600)).toBeUndefined();
  });

  it('computes the earliest allowed demotion: rate below demote_rate for cool_down, and hot for cool_down', () => {
    const t = new HotRoomReactionTracker(options);
    const times = Array.from({ length: 3000 }, (_, i) => (i * 1000) / 150); // 20 s at 150 msgs/s
    for (const at of times) t.recordAccepted(1, at);
    t.promoted(1, 1400);
    // The window holds fewer than 40 messages once message n-40 has left it.
    const belowSince = (times[3000 - 40] as number) + 2000;
    expect(t.demoted(1, 40_000)).toBeCloseTo(belowSince + 10_000, 9);
  });

  it('honours the minimum hot time when the rate drops quickly after promotion', () => {
    const t = new HotRoomReactionTracker(options);
    const times = Array.from({ length: 210 }, (_, i) => (i * 1000) / 150);
    for (const at of times) t.recordAccepted(1, at);
    // The rate is below 20/s from 3133 ms on, but the promotion was only seen at 5000 ms.
    t.promoted(1, 5000);
    expect(t.demoted(1, 20_000)).toBe(5000 + 10_000);
  });

  it('reaction time is observed minus due time, clamped at 0 when the send-time estimate puts the due time later', () => {
    expect(reactionTimeMs(15_000, 14_250.5)).toBeCloseTo(749.5, 9);
    expect(reactionTimeMs(15_000, 15_029.3)).toBe(0);
    expect(reactionTimeMs(15_000, 15_000)).toBe(0);
  });

  it('a demotion without an observed promotion has no reference', () => {
    const t = new HotRoomReactionTracker(options);
    expect(t.demoted(3, 5000)).toBeUndefined();
  });
});
