/**
 * Which figures of a run the gate compares, which way each one gets worse, and how to read it from a RunResult.
 * Metric names are the scenario threshold names (`deliver.p99`, `throughput.deliveries`, `errors`, `loss`,
 * `ack.p50@steady`), so a budget, a threshold and a report row all mean the same figure.
 */
import { LatencyRecorder } from '../metrics/latency-recorder.js';
import { LATENCY_METRICS, type CounterName, type LatencyMetric } from '../metrics/metric-names.js';
import type { RunResult } from '../metrics/run-result.js';
import { metricValue } from '../metrics/threshold-evaluation.js';
import { formatMetricRef, metricUnit, parseThreshold, type MetricRef } from '../scenario/threshold.js';

/** Which way a metric improves. */
export type Direction = 'lower-is-better' | 'higher-is-better';

/** A figure the gate compares between runs. */
export interface ComparedMetric {
  /** Canonical name, e.g. "deliver.p99", "deliver.p99.9", "throughput.deliveries@steady", "errors". */
  name: string;
  ref: MetricRef;
  direction: Direction;
  /** Unit of the values: ms, per second, a count ("") or a fraction ("ratio"). */
  unit: 'ms' | '/s' | '' | 'ratio';
}

/** Counters where more is better (work done); every other counter counts trouble. */
const HIGHER_IS_BETTER_COUNTERS: ReadonlySet<CounterName> = new Set<CounterName>([
  'scheduled',
  'sent',
  'acked',
  'delivered',
  'edits',
  'deletes',
  'reactions',
  'typing_sent',
  'typing_received',
  'joins',
  'leaves',
  'connects',
  'reconnects',
  'uploads',
  'upload_bytes',
  'receipts_delivered',
  'receipts_read',
]);

/** Which way `ref` improves. */
export function metricDirection(ref: MetricRef): Direction {
  switch (ref.kind) {
    case 'latency':
    case 'ratio':
      return 'lower-is-better';
    case 'throughput':
      return 'higher-is-better';
    case 'counter':
      return HIGHER_IS_BETTER_COUNTERS.has(ref.counter) ? 'higher-is-better' : 'lower-is-better';
    case 'correctness':
      return ref.field === 'expected' || ref.field === 'seen' ? 'higher-is-better' : 'lower-is-better';
  }
}

/** A compared metric from its reference. */
export function comparedMetric(ref: MetricRef): ComparedMetric {
  return { name: formatMetricRef(ref), ref, direction: metricDirection(ref), unit: metricUnit(ref) };
}

/** Shape of a metric name: `<metric>[.<stat or field>][@<phase>]`. */
export const METRIC_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_.]+)?(?:@[^\s<>=!@]+)?$/;

/**
 * Parses a metric name with the scenario threshold grammar. `phases` lists the phase names `@phase` may use;
 * undefined accepts any phase. Throws ThresholdSyntaxError with a suggestion for an unknown name.
 */
export function parseMetricName(name: string, phases?: readonly string[]): ComparedMetric {
  const at = name.indexOf('@');
  const phase = at < 0 ? undefined : name.slice(at + 1);
  const head = (at < 0 ? name : name.slice(0, at)).split('.')[0] as string;
  // The threshold parser needs a value of the right kind; any will do, only the metric is kept.
  const probe = (LATENCY_METRICS as readonly string[]).includes(head) ? '0ms' : '0';
  const allowed = phases ?? (phase === undefined ? [] : [phase]);
  return comparedMetric(parseThreshold(`${name} >= ${probe}`, allowed).metric);
}

/** Latency statistics compared by default: the two end-to-end paths in detail, the others at p50 and p99. */
const DETAILED_LATENCY: ReadonlySet<LatencyMetric> = new Set<LatencyMetric>(['deliver', 'ack']);

/**
 * The metrics compared when nothing else is asked: per latency metric with samples in any of `results`
 * p50/p90/p99/p99.9 (deliver, ack) or p50/p99 (the others); throughput; loss, duplicates, reorders; errors and
 * connect failures.
 */
export function defaultMetrics(results: readonly RunResult[]): ComparedMetric[] {
  const metrics: ComparedMetric[] = [];
  for (const metric of LATENCY_METRICS) {
    if (!results.some((r) => r.latency[metric].count > 0)) continue;
    const percentiles = DETAILED_LATENCY.has(metric) ? [50, 90, 99, 99.9] : [50, 99];
    for (const percentile of percentiles) {
      metrics.push(
        comparedMetric({
          kind: 'latency',
          metric,
          stat: { kind: 'percentile', percentile },
          phase: undefined,
        }),
      );
    }
  }
  for (const field of ['deliveries', 'sends', 'acks'] as const)
    metrics.push(comparedMetric({ kind: 'throughput', field, phase: undefined }));
  for (const field of ['loss', 'duplicates', 'reorders'] as const)
    metrics.push(comparedMetric({ kind: 'correctness', field }));
  for (const counter of ['errors', 'connect_failures'] as const)
    metrics.push(comparedMetric({ kind: 'counter', counter, phase: undefined }));
  return metrics;
}

/** The value of `metric` in one run, or null when the run has no data for it (no samples, phase missing). */
export function extractMetric(result: RunResult, metric: ComparedMetric): number | null {
  const ref = metric.ref;
  if (ref.kind === 'latency') {
    const holder = ref.phase === undefined ? result : result.phases.find((p) => p.name === ref.phase);
    if (!holder || holder.latency[ref.metric].count === 0) return null;
    if (ref.stat.kind === 'percentile')
      return LatencyRecorder.decode(holder.histograms[ref.metric]).percentileMs(ref.stat.percentile);
  }
  return metricValue(ref, result).value;
}
