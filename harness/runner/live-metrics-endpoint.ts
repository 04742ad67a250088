/**
 * The harness's Prometheus endpoint (`garou-bench run --metrics-port`): the live sample of live-metrics.ts in
 * the Prometheus text format, read at scrape time. Names follow summary.json: counter `sent` is
 * `garou_bench_sent_total`, latency metric `deliver` at p99 is `garou_bench_latency_seconds{metric="deliver",
 * quantile="0.99"}` (seconds, the Prometheus base unit, where summary.json has milliseconds).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { LatencySummary } from '../metrics/latency-recorder.js';
import type { LiveSample } from '../metrics/live-metrics.js';
import { COUNTERS, RECORDED_LATENCY_METRICS } from '../metrics/metric-names.js';

const SAMPLE_REUSE_MS = 200;

/** Quantile label values and the LatencySummary field each reads. */
const QUANTILES: ReadonlyArray<[string, keyof LatencySummary]> = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
  ['1', 'max'],
];

/** One exposed value as prom-client's registry prints it. */
interface ExposedValue {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

/**
 * Registers a Prometheus summary whose quantiles come precomputed from the merged HDR histograms (prom-client's
 * own Summary would re-estimate them from observations the coordinator never sees).
 */
function registerSummary(
  registry: Registry,
  name: string,
  help: string,
  latency: () => LiveSample['latency'],
): void {
  const metric = {
    name,
    help,
    type: 'summary',
    aggregator: 'sum',
    get: async () => {
      const values: ExposedValue[] = [];
      const current = latency();
      for (const metric of RECORDED_LATENCY_METRICS) {
        const summary = current[metric];
        if (summary === undefined) continue;
        for (const [quantile, field] of QUANTILES)
          values.push({ value: summary[field] / 1000, labels: { metric, quantile } });
        values.push({
          metricName: `${name}_sum`,
          value: (summary.mean * summary.count) / 1000,
          labels: { metric },
        });
        values.push({ metricName: `${name}_count`, value: summary.count, labels: { metric } });
      }
      return { name, help, type: 'summary', aggregator: 'sum', values };
    },
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** A prom-client registry whose every metric reads `current()` when scraped. */
export function liveMetricsRegistry(current: () => LiveSample): Registry {
  const registry = new Registry();
  let sample: LiveSample | null = null;
  let sampledAt = -Infinity;
  // One sample per scrape (the metrics of one scrape are collected within a few ms): they show the same instant.
  const read = (): LiveSample => {
    const now = Date.now();
    if (sample === null || now - sampledAt > SAMPLE_REUSE_MS) {
      sample = current();
      sampledAt = now;
    }
    return sample;
  };
  new Gauge({
    name: 'garou_bench_elapsed_seconds',
    help: 'Time since the clients started connecting',
    registers: [registry],
    collect() {
      this.set(read().elapsedMs / 1000);
    },
  });
  new Gauge({
    name: 'garou_bench_connected_clients',
    help: 'Simulated clients connected now',
    registers: [registry],
    collect() {
      this.set(read().connected);
    },
  });
  new Gauge({
    name: 'garou_bench_phase',
    help: 'The scenario phase running now (value 1; "-" while connecting and during the grace period)',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ phase: read().phase ?? '-' }, 1);
    },
  });
  for (const name of COUNTERS) {
    new Counter({
      name: `garou_bench_${name}_total`,
      help: `summary.json counters.${name}, since the start`,
      registers: [registry],
      collect() {
        this.reset();
        const value = read().counters[name];
        if (value > 0) this.inc(value);
      },
    });
  }
  registerSummary(
    registry,
    'garou_bench_latency_seconds',
    'summary.json latency since the start, per metric (deliver, ack, connect, handshake, upload, schedule_lag)',
    () => read().latency,
  );
  registerSummary(
    registry,
    'garou_bench_latency_window_seconds',
    'Latency over the last seconds only (see garou_bench_latency_window_length_seconds), per metric',
    () => read().window.latency,
  );
  new Gauge({
    name: 'garou_bench_latency_window_length_seconds',
    help: 'Length of the window of garou_bench_latency_window_seconds',
    registers: [registry],
    collect() {
      this.set(read().window.ms / 1000);
    },
  });
  return registry;
}
