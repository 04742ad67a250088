/**
 * The run result: plain JSON-able data holding every figure of a run (written as summary.json, schema
 * version 1). Built once from the merged WorkerResult; the console table, summary.json, .hgrm and HTML
 * writers only read it.
 */
import { buildRoomPlan } from '../scenario/membership.js';
import type { Scenario } from '../scenario/types.js';
import { deliveryTotals, type DeliveryCounts } from './delivery-tracker.js';
import { evaluateExpectations, type ExpectationResult } from './expectation-evaluation.js';
import { reactionTimeMs } from './hot-room-reaction.js';
import { LatencyRecorder, SIGNIFICANT_DIGITS, type LatencySummary } from './latency-recorder.js';
import {
  LATENCY_METRICS,
  RECORDED_LATENCY_METRICS,
  type Counters,
  type LatencyMetric,
} from './metric-names.js';
import { evaluateThresholds, type ThresholdResult } from './threshold-evaluation.js';
import type { ClockOffset, ForeignDeliverHistograms } from './clock-offset.js';
import type { SegmentLedger } from './segment-ledger.js';
import {
  summarizeConnectFailures,
  type ConnectFailureSummary,
  type HarnessSocketSummary,
} from './fleet-health.js';
import type { ReadinessReport } from './readiness-report.js';
import type { RoomEventRecord, WorkerResult } from './worker-result.js';

/** Version of the summary.json layout; bump on incompatible changes. */
export const RESULT_SCHEMA_VERSION = 1;

/** Throughput per second over a window. */
export interface Throughput {
  windowMs: number;
  sends: number;
  acks: number;
  deliveries: number;
}

/** Correctness of one room. */
export interface RoomCorrectness extends DeliveryCounts {
  roomId: number;
  /** Scenario label ("viral", "side#3"), null for rooms outside the plan. */
  room: string | null;
}

/** Figures of one phase. Latency by scheduled time, counters by event time, reactions by event time. */
export interface PhaseResult {
  name: string;
  startOffsetMs: number;
  durationMs: number;
  counters: Counters;
  throughput: Throughput;
  latency: Record<LatencyMetric, LatencySummary>;
  /** Compressed base64 HdrHistograms in microseconds. */
  histograms: Record<LatencyMetric, string>;
}

/** One second of the timeline. */
export interface TimelineSample {
  /** Seconds since the run start (this sample covers [t, t+1)). */
  t: number;
  connected: number;
  sent: number;
  acked: number;
  delivered: number;
  errors: number;
  /** Deliver p99 of the deliveries received in this second (ms). */
  p99Ms: number | null;
  /** Deliver p99 of every delivery received up to the end of this second (ms). */
  p99SoFarMs: number | null;
}

/** A promotion or demotion of a room, as observed. */
export interface RoomEvent {
  type: 'promoted' | 'demoted';
  roomId: number;
  room: string | null;
  /** Since the run start. */
  offsetMs: number;
  /** ISO 8601. */
  at: string;
  phase: string | null;
  observers: number;
  /** Observed time minus the moment the server should have reacted, at least 0 (see reactionTimeMs); null when unknown. */
  reactionMs: number | null;
}

/** The result of a run (summary.json). Latency figures are milliseconds; encoded histograms are microseconds. */
export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'garou-bench'; version: string };
  scenario: { name: string; description: string; file: string; seed: number };
  /** Where the load went, e.g. "embedded (127.0.0.1:4433)" or "10.0.0.5:4433". */
  target: string;
  workers: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  units: { latency: 'ms'; histograms: 'us'; significantDigits: number };
  latency: Record<LatencyMetric, LatencySummary>;
  histograms: Record<LatencyMetric, string>;
  counters: Counters;
  /** Over the phases (connect ramp and final drain excluded). */
  throughput: Throughput;
  errorsByCode: Record<string, number>;
  correctness: { total: DeliveryCounts; rooms: RoomCorrectness[] };
  phases: PhaseResult[];
  timeline: TimelineSample[];
  events: RoomEvent[];
  /** The harness's own scheduling lag (same figures as latency.schedule_lag). */
  schedulingLag: LatencySummary;
  /** Latency samples that were negative (clock anomalies) and clamped to 0. */
  negativeLatencies: number;
  thresholds: ThresholdResult[];
  expectations: ExpectationResult[];
  /** All thresholds and expectations passed. */
  passed: boolean;
  /** Present when this result is one segment of a run (`garou-bench run --segment i/n`, n > 1). */
  segment?: SegmentInfo;
  /** Present when this result merges segment results (`garou-bench merge`). */
  segments?: MergedSegmentsInfo;
  /** Connect failures by reason with the first examples (absent in results of older versions). */
  connectFailures?: ConnectFailureSummary;
  /** The harness's client sockets and the datagrams the kernel dropped at them (absent in older versions). */
  harnessSockets?: HarnessSocketSummary;
  /** Clients not ready when the phases started, by cause; null when all were (absent in older versions). */
  readiness?: ReadinessReport | null;
}

/** What a segment run's result says about its slice, its start and its limits (summary.json `segment`). */
export interface SegmentInfo {
  /** This result is slice `index` (0-based) of `count` slices of the scenario. */
  index: number;
  count: number;
  /** The absolute start of the first phase, shared by all segments (ISO time, from --start-at); null without. */
  startAt: string | null;
  /** How late this segment started its phases after `startAt` (ms, 0 when on time); null without --start-at. */
  startLateMs: number | null;
  /** Publish-to-deliver latency is measured only where sender and recipient share a clock (the same segment). */
  latencyScope: 'same-segment';
  /**
   * This result's correctness counts cover the (message, recipient) pairs whose sender and recipient are both
   * in this segment, plus the duplicates and reorders among deliveries from other segments (judged over all of a
   * recipient's deliveries in a room, in arrival order). Loss and the rest of the cross-segment pairs are judged
   * by `garou-bench merge` from the segments' `ledger`s.
   */
  lossDetection: 'per-segment';
  /** Deliveries of messages sent from other segments: counted, and kept in the ledger; not timed. */
  crossSegmentDeliveries: number;
  /**
   * What the merge needs to judge the cross-segment pairs: this segment's acked messages, its recipients'
   * membership intervals and the ids they received from other segments (see segment-ledger.ts). Absent in
   * results of older versions: their merge cannot judge cross-segment pairs.
   */
  ledger?: SegmentLedger;
  /**
   * This machine's clock offset to the server's (server minus local, ms), estimated from the ack of smallest round
   * trip; null when no ack carried a server time. Absent in results of older versions.
   */
  clockOffset?: ClockOffset | null;
  /**
   * Deliveries from other segments timed in two clocks (recipient's receive time minus the sender's scheduled
   * time), per sender segment, for the merge to correct by the clock offsets (see metrics/clock-offset.ts).
   */
  foreignDeliver?: ForeignDeliverHistograms;
}

/** What a merge of segment results says about them (summary.json `segments` of a merged result). */
export interface MergedSegmentsInfo {
  /** Segment count n of the run, and the indices merged (0..n-1 when complete). */
  count: number;
  indices: number[];
  startAt: string | null;
  /** Latest start among the segments (ms after startAt); null without a start barrier. */
  maxStartLateMs: number | null;
  /**
   * `latency.deliver` (and its thresholds) always covers the same-segment pairs only, timed on one clock.
   * 'same-segment+cross-segment': the cross-segment pairs are timed too, corrected by the segments' clock offsets,
   * in `crossSegmentDeliver` (within its `uncertaintyMs`). 'same-segment': they are not (a segment result has no
   * clock offset).
   */
  latencyScope: 'same-segment' | 'same-segment+cross-segment';
  /** Deliver latency of the cross-segment pairs on the server's clock; null with `latencyScope: 'same-segment'`. */
  crossSegmentDeliver: {
    latency: LatencySummary;
    /** Encoded histogram (µs), like `histograms`. */
    histogram: string;
    /** Each sample may be off by up to this much (the sum of two clocks' uncertainties, worst pair). */
    uncertaintyMs: number;
    /** Samples that came out negative after the correction (clock error) and were counted as 0. */
    negativeClamped: number;
  } | null;
  /**
   * 'global': every (message, recipient) pair was judged, the cross-segment ones from the segments' ledgers
   * (`crossSegmentPairs`), so correctness thresholds are evaluated as for a whole run. Across segments a
   * delivery after its grace period cannot be told from one on time (the ledger keeps which ids arrived, not
   * when): late cross-segment deliveries count as seen, not late. 'per-segment': some segment result has no
   * ledger, the cross-segment pairs were not judged, and correctness thresholds are not verifiable.
   */
  lossDetection: 'global' | 'per-segment';
  crossSegmentDeliveries: number;
  /**
   * The cross-segment pairs judged from the ledgers (already included in `correctness`): expected pairs (seen
   * or lost), optional and unexpected deliveries. Null with `lossDetection: 'per-segment'`.
   */
  crossSegmentPairs: DeliveryCounts | null;
}

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
    },
    phases,
    timeline,
    events,
    schedulingLag: latency.schedule_lag,
    negativeLatencies: merged.negativeLatencies,
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
  };
  partial.thresholds = evaluateThresholds(scenario.thresholds, partial);
  partial.expectations = evaluateExpectations(scenario.expectations, partial, plan);
  partial.passed = partial.thresholds.every((t) => t.passed) && partial.expectations.every((e) => e.passed);
  return partial;
}
