/**
 * Synthetic run results for the gate's tests: one scenario, one phase, latencies drawn from a seeded lognormal
 * distribution whose scale moves from run to run by `runNoise` (the run-to-run noise the gate must tolerate).
 */
import { LatencyRecorder, SIGNIFICANT_DIGITS } from '../../../harness/metrics/latency-recorder.js';
import { LATENCY_METRICS, zeroCounters, type LatencyMetric } from '../../../harness/metrics/metric-names.js';
import { zeroDeliveryCounts } from '../../../harness/metrics/delivery-tracker.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from '../../../harness/metrics/run-result.js';
import { serializeResult } from '../../../harness/report/summary-json.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a synthetic run looks like. */
export interface SyntheticRun {
  seed: number;
  /** Median deliver latency (ms) before run noise. */
  deliverMs?: number;
  /** Median ack latency (ms) before run noise. */
  ackMs?: number;
  /** Relative standard deviation of a run's latency scale (0.03 = 3%). */
  runNoise?: number;
  /** Latency samples per metric. */
  samples?: number;
  /** Deliveries in the run (throughput = deliveries / 4 s). */
  deliveries?: number;
  errors?: number;
  loss?: number;
  scenario?: string;
  /** Epoch ms of the start. */
  startMs?: number;
  /** Explicit samples of `deliver` (ms), replacing the drawn ones. */
  deliverSamples?: number[];
}

const WINDOW_MS = 4000;

/** Builds one synthetic RunResult. */
export function syntheticRun(spec: SyntheticRun): RunResult {
  const random = SeededRandom.derive(spec.seed, 'synthetic-run');
  const scale = Math.max(0.1, 1 + (spec.runNoise ?? 0) * random.normal(0, 1));
  const draw = (medianMs: number): LatencyRecorder => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < (spec.samples ?? 400); i++)
      recorder.recordMs(medianMs * scale * Math.exp(0.4 * random.normal(0, 1)));
    return recorder;
  };
  const histograms = {} as Record<LatencyMetric, LatencyRecorder>;
  for (const metric of LATENCY_METRICS) histograms[metric] = new LatencyRecorder();
  if (spec.deliverSamples) for (const ms of spec.deliverSamples) histograms.deliver.recordMs(ms);
  else histograms.deliver = draw(spec.deliverMs ?? 2);
  histograms.ack = draw(spec.ackMs ?? 1);
  const latency = {} as RunResult['latency'];
  const encoded = {} as RunResult['histograms'];
  for (const metric of LATENCY_METRICS) {
    latency[metric] = histograms[metric].summary();
    encoded[metric] = histograms[metric].encode();
  }
  const deliveries = spec.deliveries ?? 1600;
  const counters = zeroCounters();
  counters.sent = deliveries / 20;
  counters.acked = deliveries / 20;
  counters.delivered = deliveries - (spec.loss ?? 0);
  counters.errors = spec.errors ?? 0;
  counters.connects = 20;
  const throughput = {
    windowMs: WINDOW_MS,
    sends: (counters.sent * 1000) / WINDOW_MS,
    acks: (counters.acked * 1000) / WINDOW_MS,
    deliveries: (counters.delivered * 1000) / WINDOW_MS,
  };
  const total = {
    ...zeroDeliveryCounts(),
    expected: deliveries,
    seen: deliveries - (spec.loss ?? 0),
    loss: spec.loss ?? 0,
  };
  const startMs = spec.startMs ?? Date.UTC(2025, 5, 1, 12, 0, 0) + spec.seed * 10_000;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'garou-bench', version: '0.1.0' },
    scenario: {
      name: spec.scenario ?? 'synthetic',
      description: 'synthetic',
      file: 'scenarios/synthetic.yaml',
      seed: 1,
    },
    target: 'embedded (127.0.0.1:4433)',
    workers: 1,
    startedAt: new Date(startMs).toISOString(),
    endedAt: new Date(startMs + WINDOW_MS + 1000).toISOString(),
    durationMs: WINDOW_MS + 1000,
    units: { latency: 'ms', histograms: 'us', significantDigits: SIGNIFICANT_DIGITS },
    latency,
    histograms: encoded,
    counters,
    throughput,
    errorsByCode: counters.errors ? { '1010': counters.errors } : {},
    correctness: { total, rooms: [{ roomId: 7000, room: 'lobby', ...total }] },
    phases: [
      {
        name: 'steady',
        startOffsetMs: 500,
        durationMs: WINDOW_MS,
        counters: { ...counters },
        throughput: { ...throughput },
        latency,
        histograms: encoded,
      },
    ],
    timeline: [0, 1, 2, 3, 4].map((t) => ({
      t,
      connected: 20,
      sent: counters.sent / 5,
      acked: counters.acked / 5,
      delivered: counters.delivered / 5,
      errors: 0,
      p99Ms: t === 0 ? null : 5,
      p99SoFarMs: t === 0 ? null : 5,
    })),
    events: [],
    schedulingLag: latency.schedule_lag,
    negativeLatencies: 0,
    thresholds: [],
    expectations: [],
    passed: true,
  };
}

/** `count` runs with consecutive seeds from `firstSeed`. */
export function syntheticRuns(
  count: number,
  firstSeed: number,
  spec: Omit<SyntheticRun, 'seed'> = {},
): RunResult[] {
  return Array.from({ length: count }, (_, i) => syntheticRun({ ...spec, seed: firstSeed + i }));
}

/** Writes runs as <dir>/run-N/summary.json (the layout of a folder of repeated runs). */
export async function writeRuns(dir: string, runs: readonly RunResult[]): Promise<string[]> {
  const files: string[] = [];
  for (const [i, run] of runs.entries()) {
    const runDir = join(dir, `run-${i + 1}`);
    await mkdir(runDir, { recursive: true });
    const file = join(runDir, 'summary.json');
    await writeFile(file, serializeResult(run));
    files.push(file);
  }
  return files;
}
