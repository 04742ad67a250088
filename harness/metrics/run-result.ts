/**
 * The run result: plain JSON-able data holding every figure of a run (written as summary.json, schema
 * version 1). Built once from the merged WorkerResult (run-result-builder.ts); the console table, summary.json,
 * .hgrm and HTML writers only read it. This module holds only the shapes, so that what builds, checks and
 * reads a result depends on it and never the other way round.
 */
import type { AnomalyExample } from './anomaly-examples.js';
import type { ExpectationResult, ThresholdResult } from './check-outcomes.js';
import type { DeliveryCounts } from './delivery-counts.js';
import type { LatencySummary } from './latency-recorder.js';
import type { Counters, LatencyMetric } from './metric-names.js';
import type { RunVerdict } from './run-verdict.js';
import type { ClockOffset, ForeignDeliverHistograms } from './clock-offset.js';
import type { SegmentLedger } from './segment-ledger.js';
import type { ConnectFailureSummary, HarnessSocketSummary } from './fleet-health.js';
import type { ReadinessReport } from './readiness-report.js';

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
  correctness: {
    total: DeliveryCounts;
    rooms: RoomCorrectness[];
    /** Lost pairs confirmed by a gap (never excused by an unhealthy harness; see run-verdict.ts). */
    confirmedLoss?: number;
  };
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
  /**
   * PASS, FAIL, or INCONCLUSIVE when every failed check was measured while the load generator was unhealthy, with
   * the reasons and the harness's health per window (see run-verdict.ts). Absent in results of older versions.
   */
  verdict?: RunVerdict;
  /**
   * Evidence: the first examples of each counted correctness anomaly (times in ms since the run start, as the
   * timeline). Absent in results of older versions.
   */
  anomalies?: AnomalyEvidence;
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
  /** How long the run waited after its last phase for missing deliveries, and why it stopped (absent in older versions). */
  drain?: DrainSummary;
}

/**
 * summary.json `drain`: the wait after the last phase. The run always waits the grace period; past it, it keeps
 * waiting while missing deliveries (expected pairs past their grace) still arrive late, up to
 * `correctness.max_drain`. Pairs still missing when it stops are lost.
 */
export interface DrainSummary {
  graceMs: number;
  /** correctness.max_drain: the cap on the whole wait, grace included. */
  maxMs: number;
  /** From the end of the last phase to the end of the wait (ms). */
  waitedMs: number;
  /** Whether it waited past the grace period. */
  extended: boolean;
  /**
   * Why it stopped: 'nothing-missing' (every expected pair arrived, some late), 'no-late-arrivals' (missing
   * pairs stopped arriving: what is still missing was lost or is stuck), 'max-reached' (they were still arriving).
   */
  ended: 'nothing-missing' | 'no-late-arrivals' | 'max-reached';
  /** Expected pairs past their grace and not delivered, when the grace ended and when the wait ended. */
  missingAtGraceEnd: number;
  missingAtEnd: number;
  /** Missing pairs that arrived (late) after the grace ended. */
  lateAfterGrace: number;
  /**
   * Present in merged results (`garou-bench merge`): the drain above combines those of the results merged (longest
   * wait, worst end, figures summed; see compare/merge-drains.ts). `withDrain` of the `results` reported one (older
   * versions do not), `extended` of them waited past their grace.
   */
  merged?: { results: number; withDrain: number; extended: number };
}

/** summary.json `anomalies`: the first examples of each anomaly kind. */
export interface AnomalyEvidence {
  /** At most this many examples are kept per kind (the earliest). */
  perKind: number;
  /** Client usernames follow the scenario's pattern with the client index (sender, recipient). */
  usernamePattern: string;
  examples: AnomalyExample[];
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
