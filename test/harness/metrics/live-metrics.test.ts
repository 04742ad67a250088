/** LiveMetrics: counters summed over workers, quantiles exact over the workers' merged intervals, a sliding window. */
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { LiveMetrics } from '../../../harness/metrics/live-metrics.js';
import { zeroCounters } from '../../../harness/metrics/metric-names.js';
import type { ProgressSnapshot } from '../../../harness/metrics/run-recorder.js';

const progress = (phase: string | null, connected: number): ProgressSnapshot => ({
  elapsedMs: 1000,
  phase,
  connected,
  sentPerSec: 0,
  deliveredPerSec: 0,
  p99Ms: null,
  errors: 0,
});

function encoded(values: number[]): string {
  const recorder = new LatencyRecorder();
  for (const v of values) recorder.recordMs(v);
  return recorder.encode();
}

describe('LiveMetrics', () => {
  it('sums cumulative counters per worker (the latest report of each, not the sum of reports)', () => {
    const live = new LiveMetrics(2);
    const a = { ...zeroCounters(), sent: 5, delivered: 50 };
    const b = { ...zeroCounters(), sent: 7, delivered: 70 };
    live.add(0, progress('surge', 3), { counters: a, interval: {} }, 1000);
    live.add(1, progress('surge', 4), { counters: b, interval: {} }, 1000);
    live.add(0, progress('surge', 3), { counters: { ...a, sent: 9 }, interval: {} }, 2000);
    const sample = live.sample(2000);
    expect(sample.counters.sent).toBe(16);
    expect(sample.counters.delivered).toBe(120);
    expect(sample.connected).toBe(7);
    expect(sample.phase).toBe('surge');
  });

  it('merges interval histograms exactly: the p99 of the union, not the max of the workers', () => {
    const live = new LiveMetrics(2);
    // Worker 0: 99 fast deliveries; worker 1: one slow one. Union p99 = 1 ms, max of per-worker p99s = 500 ms.
    live.add(
      0,
      progress('s', 1),
      { counters: zeroCounters(), interval: { deliver: encoded(Array(99).fill(1)) } },
      1000,
    );
    live.add(1, progress('s', 1), { counters: zeroCounters(), interval: { deliver: encoded([500]) } }, 1000);
    const sample = live.sample(1000);
    expect(sample.latency.deliver!.count).toBe(100);
    expect(sample.latency.deliver!.p99).toBeCloseTo(1, 2);
    expect(sample.latency.deliver!.max).toBeCloseTo(500, 0);
    expect(sample.latency.ack).toBeUndefined();
  });

  it('keeps the cumulative figures but forgets intervals older than the window', () => {
    const live = new LiveMetrics(1, 5000);
    live.add(
      0,
      progress('s', 1),
      { counters: zeroCounters(), interval: { deliver: encoded([200, 200]) } },
      1000,
    );
    live.add(0, progress('s', 1), { counters: zeroCounters(), interval: { deliver: encoded([10]) } }, 4000);
    expect(live.windowP99Ms(5000)).toBeCloseTo(200, 0);
    // At 7 s the report of 1 s is out of the 5 s window; the one of 4 s is not.
    expect(live.windowP99Ms(7000)).toBeCloseTo(10, 1);
    const sample = live.sample(7000);
    expect(sample.window.latency.deliver!.count).toBe(1);
    expect(sample.latency.deliver!.count).toBe(3);
    expect(live.windowP99Ms(20_000)).toBeNull();
  });
});
