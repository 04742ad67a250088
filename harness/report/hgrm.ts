/** .hgrm files: HdrHistogram percentile distributions (values in milliseconds), one per latency metric. */
import { LatencyRecorder } from '../metrics/latency-recorder.js';
import { LATENCY_METRICS, type LatencyMetric } from '../metrics/metric-names.js';
import type { RunResult } from '../metrics/run-result.js';

/** Percentile distribution text of an encoded histogram (µs), scaled to milliseconds. */
export function formatHgrm(encodedHistogram: string, ticksPerHalfDistance = 5): string {
  return LatencyRecorder.decode(encodedHistogram).percentileDistribution(ticksPerHalfDistance);
}

/** The .hgrm files of a result: one per latency metric that has samples ("deliver.hgrm", ...). */
export function hgrmFiles(
  result: RunResult,
): Array<{ metric: LatencyMetric; fileName: string; content: string }> {
  return LATENCY_METRICS.filter((metric) => result.latency[metric].count > 0).map((metric) => ({
    metric,
    fileName: `${metric}.hgrm`,
    content: formatHgrm(result.histograms[metric]),
  }));
}
