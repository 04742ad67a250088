import { describe, expect, it } from 'vitest';
import {
  ClockOffsetEstimator,
  crossSegmentLatency,
  ForeignDeliverRecorder,
} from '../../../harness/metrics/clock-offset.js';

describe('ClockOffsetEstimator', () => {
  it('keeps the sample of the smallest round trip', () => {
    const clock = new ClockOffsetEstimator();
    expect(clock.estimate).toBeNull();
    // Local clock 50 ms behind the server: the server stamps halfway through a 20 ms round trip.
    clock.sample(1000, 1020, 1060);
    expect(clock.estimate).toEqual({ offsetMs: 50, uncertaintyMs: 11 });
    clock.sample(2000, 2100, 2200); // slower round trip: ignored
    expect(clock.estimate).toEqual({ offsetMs: 50, uncertaintyMs: 11 });
    clock.sample(3000, 3004, 3051);
    expect(clock.estimate).toEqual({ offsetMs: 49, uncertaintyMs: 3 });
  });
});

describe('crossSegmentLatency', () => {
  it('puts the raw latencies of two clocks on the server clock', () => {
    // Segment 0 runs 30 ms ahead of the server (offset -30), segment 1 10 ms behind it (offset +10).
    // True latency 15 ms from a sender in 0 to a recipient in 1: raw = 15 - 10 - 30 = -25 (recipient clock behind).
    const atOne = new ForeignDeliverRecorder();
    atOne.record(0, -25);
    atOne.record(0, -20);
    // True latency 15 ms from 1 to 0: raw = 15 + 30 + 10 = 55.
    const atZero = new ForeignDeliverRecorder();
    atZero.record(1, 55);
    const { histogram, uncertaintyMs } = crossSegmentLatency([
      { segment: 0, clockOffset: { offsetMs: -30, uncertaintyMs: 2 }, foreignDeliver: atZero.encode() },
      { segment: 1, clockOffset: { offsetMs: 10, uncertaintyMs: 3 }, foreignDeliver: atOne.encode() },
    ]);
    expect(histogram.count).toBe(3);
    expect(histogram.percentileMs(0)).toBeCloseTo(15, 1);
    expect(histogram.percentileMs(100)).toBeCloseTo(20, 1);
    expect(histogram.negativeClamped).toBe(0);
    expect(uncertaintyMs).toBe(5);
  });
});
