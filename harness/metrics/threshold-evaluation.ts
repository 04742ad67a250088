/** Evaluates scenario thresholds against a run result: pass/fail with the actual value. */
import type { ThresholdResult } from './check-outcomes.js';
import type { RunResult } from './run-result.js';
import {
  compare,
  formatMetricRef,
  metricUnit,
  type MetricRef,
  type Threshold,
} from '../scenario/threshold.js';
import type { SourcePosition } from '../scenario/types.js';
import { LatencyRecorder } from './latency-recorder.js';

export type { ThresholdResult } from './check-outcomes.js';

/** Evaluates every threshold. */
export function evaluateThresholds(
  thresholds: ReadonlyArray<Threshold & { source?: SourcePosition | undefined }>,
  result: RunResult,
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { value, note } = metricValue(threshold.metric, result);
    return {
      expression: threshold.expression,
      metric: formatMetricRef(threshold.metric),
      op: threshold.op,
      expected: threshold.value,
      actual: value,
      unit: metricUnit(threshold.metric),
      passed: value !== null && compare(value, threshold.op, threshold.value),
      note,
      line: threshold.source?.line ?? null,
    };
  });
}

/** The value of a metric in a result (canonical unit), or null with the reason. */
export function metricValue(
  metric: MetricRef,
  result: RunResult,
): { value: number | null; note: string | null } {
  const phaseOf = (name: string | undefined) =>
    name === undefined ? undefined : result.phases.find((p) => p.name === name);
  switch (metric.kind) {
    case 'latency': {
      const phase = phaseOf(metric.phase);
      if (metric.phase !== undefined && !phase)
        return { value: null, note: `phase "${metric.phase}" not in result` };
      const summary = (phase ?? result).latency[metric.metric];
      if (summary.count === 0) return { value: null, note: 'no samples' };
      const stat = metric.stat;
      switch (stat.kind) {
        case 'min':
        case 'mean':
        case 'max':
        case 'stddev':
          return { value: summary[stat.kind], note: null };
        case 'percentile': {
          const histogram = LatencyRecorder.decode((phase ?? result).histograms[metric.metric]);
          return { value: histogram.percentileMs(stat.percentile), note: null };
        }
      }
      break;
    }
    case 'counter': {
      const phase = phaseOf(metric.phase);
      if (metric.phase !== undefined && !phase)
        return { value: null, note: `phase "${metric.phase}" not in result` };
      return { value: (phase ?? result).counters[metric.counter], note: null };
    }
    case 'throughput': {
      const phase = phaseOf(metric.phase);
      if (metric.phase !== undefined && !phase)
        return { value: null, note: `phase "${metric.phase}" not in result` };
      return { value: (phase ?? result).throughput[metric.field], note: null };
    }
    case 'correctness': {
      // Figures added later (ackTimedOutDeliveries) are absent from results of older versions.
      const value = result.correctness.total[metric.field] as number | undefined;
      return value === undefined
        ? { value: null, note: 'not in this result (written by an older version)' }
        : { value, note: null };
    }
    case 'ratio': {
      if (metric.ratio === 'loss_rate') {
        const { loss, expected } = result.correctness.total;
        return expected > 0
          ? { value: loss / expected, note: null }
          : { value: 0, note: 'no deliveries were expected' };
      }
      const c = result.counters;
      const operations = c.sent + c.edits + c.deletes + c.reactions + c.uploads;
      return operations > 0
        ? { value: c.errors / operations, note: null }
        : { value: 0, note: 'no operations were sent' };
    }
  }
}
