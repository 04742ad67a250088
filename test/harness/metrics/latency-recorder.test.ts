import fc from 'fast-check';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, SIGNIFICANT_DIGITS } from '../../../harness/metrics/latency-recorder.js';

describe('LatencyRecorder', () => {
  it('records milliseconds at microsecond resolution and reports milliseconds', () => {
    const r = new LatencyRecorder();
    r.recordMs(0.5);
    r.recordMs(1.25);
    r.recordMicros(2000);
    const s = r.summary();
    expect(s.count).toBe(3);
    expect(s.min).toBe(0.5);
    expect(s.p50).toBe(1.25);
    expect(s.max).toBe(2);
    expect(s.mean).toBeCloseTo((0.5 + 1.25 + 2) / 3, 9);
  });

  it('keeps 3 significant digits over a wide range (relative error <= 0.1%)', () => {
    const r = new LatencyRecorder();
    for (let ms = 1; ms <= 10_000; ms++) r.recordMs(ms);
    for (const [p, exact] of [
      [50, 5000],
      [90, 9000],
      [99, 9900],
      [99.9, 9990],
    ] as const) {
      expect(Math.abs(r.percentileMs(p) - exact) / exact).toBeLessThanOrEqual(0.001);
    }
    // A one-hour sample is kept (auto-resize), not dropped.
    r.recordMs(3_600_000);
    expect(r.summary().max).toBeCloseTo(3_600_000, -4);
  });

  it('is empty-safe', () => {
    const s = new LatencyRecorder().summary();
    expect(s).toMatchObject({ count: 0, p99: 0, max: 0 });
    expect(new LatencyRecorder().percentileMs(99)).toBe(0);
  });

  it('clamps negative samples to 0 and counts them', () => {
    const r = new LatencyRecorder();
    r.recordMs(-3);
    r.recordMs(5);
    expect(r.negativeClamped).toBe(1);
    expect(r.summary().min).toBe(0);
    expect(r.count).toBe(2);
  });

  it('files every value in the bucket hdr-histogram-js itself would (integer index path)', () => {
    // Values around every power of two up to 2^40, where the bucket index changes, plus random ones; the
    // recorder's encoding must equal that of a histogram recording through the library's own arithmetic.
    const edges = Array.from({ length: 41 }, (_, k) => [2 ** k - 1, 2 ** k, 2 ** k + 1]).flat();
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...edges), fc.nat(), fc.integer({ min: 0, max: 2 ** 40 })), {
          maxLength: 200,
        }),
        fc.boolean(),
        (values, packed) => {
          const recorder = new LatencyRecorder({ packed });
          const reference = build({
            numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
            bitBucketSize: packed ? 'packed' : 32,
            autoResize: true,
            lowestDiscernibleValue: 1,
            highestTrackableValue: 2,
          });
          for (const value of values) {
            recorder.recordMicros(value);
            reference.recordValue(value);
          }
          expect(recorder.encode()).toBe(encodeIntoCompressedBase64(reference));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encode/decode round-trips bucket for bucket (regular and packed)', () => {
    for (const packed of [false, true]) {
      const r = new LatencyRecorder({ packed });
      for (let i = 0; i < 5000; i++) r.recordMs((i * 7.3) % 977);
      const back = LatencyRecorder.decode(r.encode(), { packed });
      expect(back.buckets()).toEqual(r.buckets());
      expect(back.count).toBe(5000);
    }
  });

  it('add() sums bucket counts exactly', () => {
    const all = new LatencyRecorder();
    const parts = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()];
    for (let i = 0; i < 3000; i++) {
      const v = ((i * 13.7) % 400) + (i % 50 === 0 ? 20_000 : 0);
      all.recordMs(v);
      (parts[i % 3] as LatencyRecorder).recordMs(v);
    }
    const merged = new LatencyRecorder();
    for (const p of parts) merged.add(p);
    expect(merged.buckets()).toEqual(all.buckets());
    expect(merged.summary()).toEqual(all.summary());
  });

  it('writes an HdrHistogram percentile distribution in milliseconds', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.recordMs(i);
    const text = r.percentileDistribution();
    expect(text.split('\n')[0]).toMatch(/^\s+Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)$/);
    expect(text).toMatch(/#\[Max\s+=\s+100\.000, Total count\s+=\s+100\]/);
  });
});
