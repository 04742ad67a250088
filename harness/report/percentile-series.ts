/**
 * Points of the classic HdrHistogram percentile plot: x = 1/(1-p) on a log axis (1 = 0%, 10 = 90%,
 * 100 = 99%, ...), y = latency at that percentile. Same tick spacing as outputPercentileDistribution.
 */
import { LatencyRecorder } from '../metrics/latency-recorder.js';

/** One point of the percentile plot. */
export interface PercentilePoint {
  /** Percentile, 0..100. */
  percentile: number;
  /** 1 / (1 - percentile/100); the last point (100%) uses twice the previous x. */
  x: number;
  /** Latency in ms. */
  valueMs: number;
}

/** Percentile points of an encoded histogram, from 0% up to the maximum. */
export function percentileSeries(encodedHistogram: string, ticksPerHalfDistance = 5): PercentilePoint[] {
  const recorder = LatencyRecorder.decode(encodedHistogram);
  const count = recorder.count;
  if (count === 0) return [];
  const points: PercentilePoint[] = [];
  for (let i = 0; ; i++) {
    const remaining = Math.pow(0.5, i / ticksPerHalfDistance);
    const x = 1 / remaining;
    // Beyond 1/(1-p) = count the histogram cannot tell percentiles apart.
    if (x > count || i > 50 * ticksPerHalfDistance) break;
    const percentile = 100 * (1 - remaining);
    points.push({ percentile, x, valueMs: recorder.percentileMs(percentile) });
  }
  const lastX = points.at(-1)?.x ?? 1;
  points.push({ percentile: 100, x: lastX * 2, valueMs: recorder.summary().max });
  return points;
}
