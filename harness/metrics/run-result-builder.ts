/**
 * Builds the run result (run-result.ts) from the merged WorkerResult: summaries and encodings of the latency
 * histograms, throughput, correctness per room, phases, timeline, the scenario's thresholds and expectations
 * evaluated, the harness's health and the verdict.
 */
import { buildRoomPlan } from '../scenario/membership.js';
import { DEFAULT_EXAMPLES_PER_KIND, relativeExample } from './anomaly-examples.js';
import type { Scenario } from '../scenario/types.js';
import { deliveryTotals } from './delivery-tracker.js';
import { evaluateExpectations } from './expectation-evaluation.js';
import { reactionTimeMs } from './hot-room-reaction.js';
import { LatencyRecorder, SIGNIFICANT_DIGITS, type LatencySummary } from './latency-recorder.js';
import {
  LATENCY_METRICS,
  RECORDED_LATENCY_METRICS,
  type Counters,
  type LatencyMetric,
} from './metric-names.js';
import { evaluateThresholds } from './threshold-evaluation.js';
import { judgeWindowHealth, type WindowInput } from './harness-health.js';
import { decideVerdict } from './run-verdict.js';
import { summarizeConnectFailures } from './fleet-health.js';
import type { ReadinessReport } from './readiness-report.js';
import type { RoomEventRecord, WorkerResult } from './worker-result.js';

import {
  RESULT_SCHEMA_VERSION,
  type DrainSummary,
  type PhaseResult,
  type RoomEvent,
  type RunResult,
  type Throughput,
  type TimelineSample,
} from './run-result.js';

/** What `buildRunResult` needs besides the merged measurements. */
export interface RunMeta {
  scenario: Scenario;
  target: string;
  workers: number;
  /** Epoch ms. */
  startedAtMs: number;
  endedAtMs: number;
  toolVersion: string;
  /** Machine-wide UDP receive-buffer drops during the run (see HarnessSocketSummary); null when unknown. */
  machineRcvbufErrors?: number | null;
  /** Clients not ready when the phases started; null when all were. */
  readiness?: ReadinessReport | null;
  /** The wait after the last phase (see runner/end-drain.ts); absent when not known (merged or synthetic results). */
  drain?: DrainSummary;
  /** Packets the harness's receive sockets dropped during the run, when measured (null or absent: not measured). */
  socketDrops?: number | null;
}

type Histograms = Record<LatencyMetric, LatencyRecorder>;

function reactionRecorders(events: readonly RoomEventRecord[], filter: (e: RoomEventRecord) => boolean) {
  const promotion = new LatencyRecorder();
  const demotion = new LatencyRecorder();
  for (const event of events) {
    if (event.referenceAtMs === null || !filter(event)) continue;
    (event.type === 'promoted' ? promotion : demotion).recordMs(
      reactionTimeMs(event.atMs, event.referenceAtMs),
    );
  }
  return { promotion, demotion };
}

function histogramsOf(
  encoded: WorkerResult['latency'],
  events: readonly RoomEventRecord[],
  filter: (e: RoomEventRecord) => boolean,
): Histograms {
  const histograms = reactionRecorders(events, filter) as Partial<Histograms>;
  for (const metric of RECORDED_LATENCY_METRICS) histograms[metric] = LatencyRecorder.decode(encoded[metric]);
  return histograms as Histograms;
}

function summaries(histograms: Histograms): Record<LatencyMetric, LatencySummary> {
  const out = {} as Record<LatencyMetric, LatencySummary>;
  for (const metric of LATENCY_METRICS) out[metric] = histograms[metric].summary();
  return out;
}

function encodings(histograms: Histograms): Record<LatencyMetric, string> {
  const out = {} as Record<LatencyMetric, string>;
  for (const metric of LATENCY_METRICS) out[metric] = histograms[metric].encode();
  return out;
}

function throughputOf(counters: Counters, windowMs: number): Throughput {
  const perSecond = (n: number): number => (windowMs > 0 ? (n * 1000) / windowMs : 0);
  return {
    windowMs,
    sends: perSecond(counters.sent),
    acks: perSecond(counters.acked),
    deliveries: perSecond(counters.delivered),
  };
}

/** Builds the run result from the merged worker result, then evaluates thresholds and expectations. */
export function buildRunResult(merged: WorkerResult, meta: RunMeta): RunResult {
  const { scenario } = meta;
  const plan = buildRoomPlan(scenario);
  const label = (roomId: number): string | null => plan.byId.get(roomId)?.label ?? null;
  const phaseOf = (atMs: number): string | null =>
    merged.phases.find((p) => atMs >= p.startMs && atMs < p.endMs)?.name ?? null;

  const all = histogramsOf(merged.latency, merged.events, () => true);
  const phases: PhaseResult[] = merged.phases.map((window, i) => {
    const stats = merged.phaseStats[i] as WorkerResult['phaseStats'][number];
    const histograms = histogramsOf(
      stats.latency,
      merged.events,
      (e) => e.atMs >= window.startMs && e.atMs < window.endMs,
    );
    const durationMs = window.endMs - window.startMs;
    return {
      name: window.name,
      startOffsetMs: window.startMs - merged.startMs,
      durationMs,
      counters: { ...stats.counters },
      throughput: throughputOf(stats.counters, durationMs),
      latency: summaries(histograms),
      histograms: encodings(histograms),
    };
  });
  const phaseCounters = phases.reduce(
    (sum, p) => {
      sum.sent += p.counters.sent;
      sum.acked += p.counters.acked;
      sum.delivered += p.counters.delivered;
      return sum;
    },
    { sent: 0, acked: 0, delivered: 0 },
  );
  const phaseWindowMs = phases.reduce((sum, p) => sum + p.durationMs, 0);

  const cumulative = new LatencyRecorder();
  const timeline: TimelineSample[] = merged.timeline.map((bucket, t) => {
    const second = LatencyRecorder.decode(bucket.deliver);
    cumulative.add(second);
    return {
      t,
      connected: bucket.connected,
      sent: bucket.sent,
      acked: bucket.acked,
      delivered: bucket.delivered,
      errors: bucket.errors,
      p99Ms: second.count ? second.percentileMs(99) : null,
      p99SoFarMs: cumulative.count ? cumulative.percentileMs(99) : null,
    };
  });

  const events: RoomEvent[] = merged.events.map((event) => ({
    type: event.type,
    roomId: event.roomId,
    room: label(event.roomId),
    offsetMs: event.atMs - merged.startMs,
    at: new Date(event.atMs).toISOString(),
    phase: phaseOf(event.atMs),
    observers: event.observers,
    reactionMs: event.referenceAtMs === null ? null : reactionTimeMs(event.atMs, event.referenceAtMs),
  }));

  const latency = summaries(all);
  const partial: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'garou-bench', version: meta.toolVersion },
    scenario: {
      name: scenario.name,
      description: scenario.description,
      file: scenario.file,
      seed: scenario.seed,
    },
    target: meta.target,
    workers: meta.workers,
    startedAt: new Date(meta.startedAtMs).toISOString(),
    endedAt: new Date(meta.endedAtMs).toISOString(),
    durationMs: meta.endedAtMs - meta.startedAtMs,
    units: { latency: 'ms', histograms: 'us', significantDigits: SIGNIFICANT_DIGITS },
    latency,
    histograms: encodings(all),
    counters: { ...merged.counters },
    throughput: throughputOf({ ...merged.counters, ...phaseCounters }, phaseWindowMs),
    errorsByCode: { ...merged.errorsByCode },
    correctness: {
      total: deliveryTotals(merged.delivery),
      rooms: merged.delivery.rooms.map(([roomId, counts]) => ({ roomId, room: label(roomId), ...counts })),
      confirmedLoss: merged.delivery.confirmedLoss ?? 0,
    },
    phases,
    timeline,
    events,
    schedulingLag: latency.schedule_lag,
    negativeLatencies: merged.negativeLatencies,
    anomalies: {
      perKind: DEFAULT_EXAMPLES_PER_KIND,
      usernamePattern: scenario.clients.usernamePattern,
      examples: (merged.anomalies ?? []).map((e) => relativeExample(e, merged.startMs)),
    },
    thresholds: [],
    expectations: [],
    passed: true,
    connectFailures: summarizeConnectFailures(merged.connectFailures ?? {}, merged.startMs),
    ...(merged.clientSockets === undefined
      ? {}
      : {
          harnessSockets: { ...merged.clientSockets, machineRcvbufErrors: meta.machineRcvbufErrors ?? null },
        }),
    readiness: meta.readiness ?? null,
    ...(meta.drain === undefined ? {} : { drain: meta.drain }),
  };
  partial.thresholds = evaluateThresholds(scenario.thresholds, partial);
  partial.expectations = evaluateExpectations(scenario.expectations, partial, plan);
  partial.passed = partial.thresholds.every((t) => t.passed) && partial.expectations.every((e) => e.passed);
  partial.verdict = decideVerdict({
    thresholds: partial.thresholds,
    expectations: partial.expectations,
    health: healthWindows(merged, phases, meta.socketDrops ?? merged.clientSockets?.drops ?? null),
    confirmedLoss: merged.delivery.confirmedLoss ?? 0,
    workers: meta.workers,
  });
  return partial;
}

/** Health window of what the run did after its last phase (draining); a phase name cannot have spaces. */
export const AFTER_PHASES = 'after the phases';

/** The harness's health in the connect ramp and in each phase (nothing without health samples). */
function healthWindows(merged: WorkerResult, phases: readonly PhaseResult[], runSocketDrops: number | null) {
  const samples = merged.healthByWorker ?? (merged.health ? [merged.health] : []);
  if (samples.length === 0) return [];
  const windows: WindowInput[] = [];
  const first = merged.phases[0];
  if (first !== undefined && first.startMs > merged.startMs) {
    windows.push({ name: 'connect', startMs: merged.startMs, endMs: first.startMs, scheduleLagP99Ms: null });
  }
  merged.phases.forEach((window, i) => {
    const lag = phases[i]?.latency.schedule_lag;
    windows.push({
      name: window.name,
      startMs: window.startMs,
      endMs: window.endMs,
      scheduleLagP99Ms: lag !== undefined && lag.count > 0 ? lag.p99 : null,
    });
  });
  const judged = windows.map((w) => judgeWindowHealth(w, samples));
  // Drops count in the window of the second they were sampled in. Those sampled outside every window (while the
  // run drained after its last phase) get a window of their own; so do drops known only as a run total (workers
  // that did not sample them): their time is unknown, and claiming them for every phase would be false.
  const sampled = samples.flat().filter((s) => typeof s.socketDrops === 'number');
  const last = merged.phases[merged.phases.length - 1];
  if (sampled.length > 0) {
    const inWindows = judged.reduce((sum, w) => sum + (w.socketDrops ?? 0), 0);
    const outside = sampled.reduce((sum, s) => sum + (s.socketDrops as number), 0) - inWindows;
    if (outside > 0 && last !== undefined) {
      judged.push(
        judgeWindowHealth(
          {
            name: AFTER_PHASES,
            startMs: last.endMs,
            endMs: Infinity,
            scheduleLagP99Ms: null,
            socketDrops: outside,
          },
          samples,
        ),
      );
    }
  } else if (runSocketDrops !== null && runSocketDrops > 0) {
    judged.push(
      judgeWindowHealth(
        {
          name: 'run (time of the drops unknown)',
          startMs: merged.startMs,
          endMs: merged.startMs,
          scheduleLagP99Ms: null,
          socketDrops: runSocketDrops,
        },
        samples,
      ),
    );
  }
  return judged;
}
