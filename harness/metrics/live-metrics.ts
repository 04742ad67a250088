/**
 * Live metrics of a running load test: the workers' progress reports combined into one sample per second, with
 * the metric names of summary.json (counters by name, latency summaries per metric). Feeds the Prometheus
 * endpoint (`--metrics-port`), the NDJSON event stream (`--events`) and the progress line's windowed p99.
 *
 * Latency quantiles are exact across workers: each worker sends the histogram of what it recorded since its
 * previous report, and the sums are kept both since the start and for the last `windowMs`.
 */
import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';
import {
  COUNTERS,
  RECORDED_LATENCY_METRICS,
  zeroCounters,
  type Counters,
  type RecordedLatencyMetric,
} from './metric-names.js';
import type { ProgressSnapshot, WorkerLiveReport } from './run-recorder.js';

/** Length of the recent window (ms) of the windowed quantiles and the progress line's p99. */
export const LIVE_WINDOW_MS = 5000;

/** One live sample: what the NDJSON stream writes per line and the Prometheus endpoint exposes. */
export interface LiveSample {
  /** Wall-clock time of the sample (ISO 8601). */
  time: string;
  /** Since the workers started connecting. */
  elapsedMs: number;
  /** Current phase, or null before the first phase (connecting) and after the last (grace period). */
  phase: string | null;
  connected: number;
  /** Counters since the start, summed over the workers (summary.json `counters`). */
  counters: Counters;
  /** Latency since the start, per metric with samples (summary.json `latency`, milliseconds). */
  latency: Partial<Record<RecordedLatencyMetric, LatencySummary>>;
  /** Latency over the last `window.ms` only, per metric with samples in it. */
  window: { ms: number; latency: Partial<Record<RecordedLatencyMetric, LatencySummary>> };
}

interface TimedInterval {
  atMs: number;
  histograms: Partial<Record<RecordedLatencyMetric, LatencyRecorder>>;
}

/** Combines the workers' live reports; `sample()` reads the current figures. */
export class LiveMetrics {
  private readonly workerCounters: Counters[];
  private readonly latest: (ProgressSnapshot | undefined)[];
  private readonly total = new Map<RecordedLatencyMetric, LatencyRecorder>();
  private recent: TimedInterval[] = [];

  constructor(
    workerCount: number,
    private readonly windowMs = LIVE_WINDOW_MS,
  ) {
    this.workerCounters = Array.from({ length: workerCount }, () => zeroCounters());
    this.latest = Array.from({ length: workerCount }, () => undefined);
  }

  /** Takes worker `index`'s progress message (every report is consumed once: intervals are additive). */
  add(index: number, progress: ProgressSnapshot, live: WorkerLiveReport | undefined, nowMs: number): void {
    this.latest[index] = progress;
    if (live === undefined) return;
    this.workerCounters[index] = live.counters;
    const histograms: TimedInterval['histograms'] = {};
    for (const metric of RECORDED_LATENCY_METRICS) {
      const encoded = live.interval[metric];
      if (encoded === undefined) continue;
      const interval = LatencyRecorder.decode(encoded);
      histograms[metric] = interval;
      let total = this.total.get(metric);
      if (total === undefined) this.total.set(metric, (total = new LatencyRecorder()));
      total.add(interval);
    }
    this.recent.push({ atMs: nowMs, histograms });
    this.forgetBefore(nowMs - this.windowMs);
  }

  /** The deliver p99 of the last `windowMs` (ms), or null without deliveries in it. */
  windowP99Ms(nowMs: number): number | null {
    this.forgetBefore(nowMs - this.windowMs);
    const deliver = this.windowRecorder('deliver');
    return deliver === null ? null : deliver.percentileMs(99);
  }

  /** The current figures. */
  sample(nowMs: number): LiveSample {
    this.forgetBefore(nowMs - this.windowMs);
    const counters = zeroCounters();
    for (const worker of this.workerCounters) for (const name of COUNTERS) counters[name] += worker[name];
    const latency: LiveSample['latency'] = {};
    const window: LiveSample['window'] = { ms: this.windowMs, latency: {} };
    for (const metric of RECORDED_LATENCY_METRICS) {
      const total = this.total.get(metric);
      if (total !== undefined) latency[metric] = total.summary();
      const recent = this.windowRecorder(metric);
      if (recent !== null) window.latency[metric] = recent.summary();
    }
    const known = this.latest.filter((p): p is ProgressSnapshot => p !== undefined);
    return {
      time: new Date(nowMs).toISOString(),
      elapsedMs: Math.round(Math.max(0, ...known.map((p) => p.elapsedMs))),
      phase: known[0]?.phase ?? null,
      connected: known.reduce((sum, p) => sum + p.connected, 0),
      counters,
      latency,
      window,
    };
  }

  private windowRecorder(metric: RecordedLatencyMetric): LatencyRecorder | null {
    let sum: LatencyRecorder | null = null;
    for (const interval of this.recent) {
      const histogram = interval.histograms[metric];
      if (histogram === undefined) continue;
      sum ??= new LatencyRecorder();
      sum.add(histogram);
    }
    return sum;
  }

  private forgetBefore(cutoffMs: number): void {
    // Reports arrive in time order, so the stale ones are a prefix.
    let stale = 0;
    while (stale < this.recent.length && (this.recent[stale] as TimedInterval).atMs <= cutoffMs) stale++;
    if (stale > 0) this.recent = this.recent.slice(stale);
  }
}
