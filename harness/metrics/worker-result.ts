/**
 * The plain-data result of one worker's recording (`RunRecorder.snapshot()`): JSON-able, sent from worker
 * processes to the parent and merged exactly with `mergeResults`.
 */
import type { DeliveryState } from './delivery-tracker.js';
import type { ClockOffset, ForeignDeliverHistograms } from './clock-offset.js';
import type { ClientSocketReport } from './client-socket-report.js';
import type { ConnectFailuresByReason } from './connect-failure-log.js';
import type { Counters, RecordedLatencyMetric } from './metric-names.js';
import type { SegmentLedger } from './segment-ledger.js';

/** Version of the WorkerResult layout. */
export const WORKER_RESULT_VERSION = 1;

/** A phase's wall-clock window (epoch ms, end exclusive). */
export interface PhaseWindow {
  name: string;
  startMs: number;
  endMs: number;
}

/** Encoded histograms (compressed base64, microseconds) of the metrics a worker records. */
export type EncodedHistograms = Record<RecordedLatencyMetric, string>;

/** A hot-room event as observed by clients: first observation of one promotion or demotion. */
export interface RoomEventRecord {
  type: 'promoted' | 'demoted';
  roomId: number;
  /** First observation, epoch ms. */
  atMs: number;
  /** When the server should have reacted (see HotRoomReactionTracker); null when unknown. */
  referenceAtMs: number | null;
  /** Clients that observed this event. */
  observers: number;
}

/** One second of the timeline (second k covers [startMs + k s, startMs + (k+1) s)). */
export interface TimelineBucket {
  sent: number;
  acked: number;
  delivered: number;
  errors: number;
  /** Connected clients at the end of the second (last sample, carried forward). */
  connected: number;
  /** Deliver latencies of the deliveries RECEIVED in this second (encoded, µs). */
  deliver: string;
}

/** Per-phase figures of a worker. Latency is attributed by scheduled time, counters by event time. */
export interface PhaseStats {
  latency: EncodedHistograms;
  counters: Counters;
}

/** Everything one worker recorded. */
export interface WorkerResult {
  version: typeof WORKER_RESULT_VERSION;
  /** Run start (epoch ms), shared by all workers: timeline second 0 starts here. */
  startMs: number;
  phases: PhaseWindow[];
  latency: EncodedHistograms;
  counters: Counters;
  phaseStats: PhaseStats[];
  /** Error counts by code ("1006", "timeout", ...). */
  errorsByCode: Record<string, number>;
  delivery: DeliveryState;
  timeline: TimelineBucket[];
  events: RoomEventRecord[];
  /** Latency samples that were negative (clock anomalies) and recorded as 0. */
  negativeLatencies: number;
  /**
   * Segment runs: deliveries of messages whose sender is in another segment (counted in `delivered`, neither
   * judged for correctness nor timed, the sender's clock being another machine's). Absent means 0.
   */
  crossSegmentDeliveries?: number;
  /** Segment runs (n > 1): what the merge needs to judge the cross-segment pairs (see segment-ledger.ts). */
  ledger?: SegmentLedger;
  /** Segment runs: this machine's clock offset to the server's (null without a usable ack). */
  clockOffset?: ClockOffset | null;
  /** Segment runs: raw latencies of deliveries from other segments, per sender segment (see clock-offset.ts). */
  foreignDeliver?: ForeignDeliverHistograms;
  /** Connect failures by reason with the first examples (absent in results of older versions). */
  connectFailures?: ConnectFailuresByReason;
  /** The kernel's drop counters of the worker's own client sockets (absent in results of older versions). */
  clientSockets?: ClientSocketReport;
}
