/**
 * Exact merge of per-worker results: histograms are decoded and added bucket by bucket, counters summed,
 * timelines summed second by second, delivery counts summed room by room (workers track disjoint
 * recipients), room events from different workers folded into one event per promotion/demotion, and segment
 * ledgers (segment runs) combined.
 */
import { bestClockOffset, mergeForeignDeliver } from './clock-offset.js';
import { mergeClientSocketReports } from './client-socket-report.js';
import { mergeConnectFailures } from './connect-failure-log.js';
import { mergeDeliveryStates } from './delivery-tracker.js';
import { LatencyRecorder } from './latency-recorder.js';
import { addCounters, RECORDED_LATENCY_METRICS, zeroCounters } from './metric-names.js';
import { mergeLedgers } from './segment-ledger.js';
import {
  WORKER_RESULT_VERSION,
  type EncodedHistograms,
  type RoomEventRecord,
  type TimelineBucket,
  type WorkerResult,
} from './worker-result.js';

/** Merges encoded histograms (same metric) into one encoded histogram. */
export function mergeEncodedHistograms(
  encoded: readonly string[],
  options: { packed?: boolean } = {},
): string {
  const total = new LatencyRecorder(options);
  for (const item of encoded) total.add(LatencyRecorder.decode(item, options));
  return total.encode();
}

function mergeHistogramSets(sets: readonly EncodedHistograms[]): EncodedHistograms {
  const merged = {} as EncodedHistograms;
  for (const metric of RECORDED_LATENCY_METRICS)
    merged[metric] = mergeEncodedHistograms(sets.map((s) => s[metric]));
  return merged;
}

/** Merges the results of several workers of the same run into one result (exact). */
export function mergeResults(results: readonly WorkerResult[]): WorkerResult {
  const first = results[0];
  if (!first) throw new RangeError('mergeResults needs at least one result');
  for (const result of results) {
    if (result.version !== WORKER_RESULT_VERSION)
      throw new TypeError(`unsupported WorkerResult version ${String(result.version)}`);
    if (result.startMs !== first.startMs || result.phases.length !== first.phases.length) {
      throw new RangeError('mergeResults: results come from different runs (start time or phases differ)');
    }
  }
  const counters = zeroCounters();
  for (const result of results) addCounters(counters, result.counters);
  const errorsByCode: Record<string, number> = {};
  for (const result of results) {
    for (const [code, n] of Object.entries(result.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
  }
  return {
    version: WORKER_RESULT_VERSION,
    startMs: first.startMs,
    phases: first.phases.map((p) => ({ ...p })),
    latency: mergeHistogramSets(results.map((r) => r.latency)),
    counters,
    phaseStats: first.phases.map((_, i) => {
      const phaseCounters = zeroCounters();
      for (const result of results)
        addCounters(phaseCounters, result.phaseStats[i]?.counters ?? zeroCounters());
      return {
        latency: mergeHistogramSets(
          results.flatMap((r) => (r.phaseStats[i] ? [r.phaseStats[i].latency] : [])),
        ),
        counters: phaseCounters,
      };
    }),
    errorsByCode,
    delivery: mergeDeliveryStates(results.map((r) => r.delivery)),
    timeline: mergeTimelines(results.map((r) => r.timeline)),
    events: mergeRoomEvents(results.map((r) => r.events)),
    negativeLatencies: results.reduce((sum, r) => sum + r.negativeLatencies, 0),
    crossSegmentDeliveries: results.reduce((sum, r) => sum + (r.crossSegmentDeliveries ?? 0), 0),
    connectFailures: mergeConnectFailures(results.map((r) => r.connectFailures ?? {})),
    ...mergedClientSockets(results),
    // The workers of one segment split its senders and recipients: their ledgers add up to the segment's.
    ...(results.every((r) => r.ledger !== undefined)
      ? {
          ledger: mergeLedgers(results.map((r) => r.ledger as NonNullable<WorkerResult['ledger']>)),
          clockOffset: bestClockOffset(results.map((r) => r.clockOffset)),
          foreignDeliver: mergeForeignDeliver(results.map((r) => r.foreignDeliver ?? [])),
        }
      : {}),
  };
}

/** Sums timelines second by second; a worker's connected count carries forward past its last second. */
export function mergeTimelines(timelines: readonly TimelineBucket[][]): TimelineBucket[] {
  const length = Math.max(0, ...timelines.map((t) => t.length));
  const merged: TimelineBucket[] = [];
  for (let second = 0; second < length; second++) {
    const bucket = { sent: 0, acked: 0, delivered: 0, errors: 0, connected: 0 };
    const histograms: string[] = [];
    for (const timeline of timelines) {
      const own = timeline[second];
      if (own) {
        bucket.sent += own.sent;
        bucket.acked += own.acked;
        bucket.delivered += own.delivered;
        bucket.errors += own.errors;
        bucket.connected += own.connected;
        histograms.push(own.deliver);
      } else {
        bucket.connected += timeline.at(-1)?.connected ?? 0;
      }
    }
    merged.push({ ...bucket, deliver: mergeEncodedHistograms(histograms) });
  }
  return merged;
}

/**
 * Folds room events of several workers: per room, in time order, consecutive events of the same type are
 * one promotion (or demotion) seen by several clients (earliest time, earliest reference, observers summed).
 */
export function mergeRoomEvents(lists: readonly RoomEventRecord[][]): RoomEventRecord[] {
  const all = lists.flat().sort((a, b) => a.atMs - b.atMs || a.roomId - b.roomId);
  const merged: RoomEventRecord[] = [];
  const last = new Map<number, RoomEventRecord>();
  for (const event of all) {
    const previous = last.get(event.roomId);
    if (previous && previous.type === event.type) {
      previous.observers += event.observers;
      if (event.referenceAtMs !== null) {
        previous.referenceAtMs =
          previous.referenceAtMs === null
            ? event.referenceAtMs
            : Math.min(previous.referenceAtMs, event.referenceAtMs);
      }
      continue;
    }
    const copy = { ...event };
    merged.push(copy);
    last.set(event.roomId, copy);
  }
  return merged;
}

/** The workers' socket reports added up, or nothing when no worker sent one (older versions). */
function mergedClientSockets(results: readonly WorkerResult[]): Pick<WorkerResult, 'clientSockets'> {
  const reports = results.flatMap((r) => (r.clientSockets === undefined ? [] : [r.clientSockets]));
  const merged = mergeClientSocketReports(reports);
  return merged === null ? {} : { clientSockets: merged };
}
