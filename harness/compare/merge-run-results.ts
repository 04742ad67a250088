/**
 * Exact merge of complete run results (summary.json): repeated runs of a scenario, or segments of one run
 * measured by different machines. Histograms are added bucket by bucket, so every merged percentile is the
 * percentile of all samples together (never an average of percentiles); counters and correctness counts are summed.
 *
 * Clocks: figures tied to a moment of the run (timeline seconds, phase offsets, event offsets) are overlaid on a
 * common run clock, "seconds since the run's own start". Rates divide summed counts by the wall-clock time the
 * phases covered (the union of their windows): segments of one run share that window, so their rates add up;
 * repeated runs cover disjoint windows, so the merged rate is their average.
 *
 * Segments (`run --segment i/n`): all n results of one run (same n, same --start-at) are required, each once.
 * Each segment judged the (message, recipient) pairs whose sender and recipient it both holds (plus duplicates
 * and order of the deliveries it received from other segments). The pairs that cross segments are judged here,
 * by replaying the segments' ledgers (metrics/ledger-replay.ts: every message acked in one segment against the
 * membership intervals and received ids of every recipient in the others, and every id no segment acked against
 * the sends whose ack timed out, as a single run attributes those deliveries by nonce); their counts are added
 * room by room and the merge says `segments.lossDetection: 'global'`, so correctness thresholds are evaluated as
 * for a whole run. A cross-segment delivery after its grace period counts as seen, not late (the ledger keeps no
 * delivery times). When a segment result has no ledger (an older version), the cross-segment pairs cannot be
 * judged: the merge says `lossDetection: 'per-segment'` and refuses to pass correctness thresholds (loss == 0 and
 * the like). The segments' waits after the last phase are combined by merge-drains.ts.
 * Deliver latency (`deliver.*`) stays that of the same-segment pairs (one clock); the cross-segment pairs, timed in
 * two clocks, are shifted by the segments' clock offsets and reported apart (`segments.crossSegmentDeliver`, see
 * metrics/clock-offset.ts).
 */
import { addDeliveryCounts, zeroDeliveryCounts, type DeliveryCounts } from '../metrics/delivery-tracker.js';
import { crossSegmentLatency } from '../metrics/clock-offset.js';
import { judgeCrossSegmentPairs, type CrossSegmentCounts } from '../metrics/ledger-replay.js';
import { LedgerFormatError } from '../metrics/segment-ledger.js';
import type { ExpectationResult } from '../metrics/expectation-evaluation.js';
import { LatencyRecorder } from '../metrics/latency-recorder.js';
import { addCounters, LATENCY_METRICS, zeroCounters, type LatencyMetric } from '../metrics/metric-names.js';
import type {
  MergedSegmentsInfo,
  PhaseResult,
  RoomCorrectness,
  RoomEvent,
  RunResult,
  Throughput,
  TimelineSample,
} from '../metrics/run-result.js';
import { evaluateThresholds, type ThresholdResult } from '../metrics/threshold-evaluation.js';
import { parseThreshold, ThresholdSyntaxError, type Threshold } from '../scenario/threshold.js';
import { CompareInputError } from './errors.js';
import { mergeDrains } from './merge-drains.js';

/** Results that cannot be merged (none, or from different scenarios or histogram settings). */
export class RunMergeError extends CompareInputError {
  constructor(message: string) {
    super(message);
    this.name = 'RunMergeError';
  }
}

type Histograms = Record<LatencyMetric, LatencyRecorder>;

function addHistograms(holders: ReadonlyArray<{ histograms: Record<LatencyMetric, string> }>): Histograms {
  const merged = {} as Histograms;
  for (const metric of LATENCY_METRICS) {
    const total = new LatencyRecorder();
    for (const holder of holders) total.add(LatencyRecorder.decode(holder.histograms[metric]));
    merged[metric] = total;
  }
  return merged;
}

function summarize(histograms: Histograms): Pick<PhaseResult, 'latency' | 'histograms'> {
  const latency = {} as PhaseResult['latency'];
  const encoded = {} as PhaseResult['histograms'];
  for (const metric of LATENCY_METRICS) {
    latency[metric] = histograms[metric].summary();
    encoded[metric] = histograms[metric].encode();
  }
  return { latency, histograms: encoded };
}

/** Total length of the union of [start, end) intervals. */
export function unionLength(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      from = a;
      to = b;
    } else if (b > to) to = b;
  }
  if (to > from) total += to - from;
  return total;
}

function throughputOf(
  counts: { sent: number; acked: number; delivered: number },
  windowMs: number,
): Throughput {
  const perSecond = (n: number): number => (windowMs > 0 ? (n * 1000) / windowMs : 0);
  return {
    windowMs,
    sends: perSecond(counts.sent),
    acks: perSecond(counts.acked),
    deliveries: perSecond(counts.delivered),
  };
}

function phaseWindow(result: RunResult, phase: PhaseResult): [number, number] {
  const start = Date.parse(result.startedAt) + phase.startOffsetMs;
  return [start, start + phase.durationMs];
}

function mergePhases(results: readonly RunResult[]): PhaseResult[] {
  const names: string[] = [];
  for (const result of results)
    for (const phase of result.phases) if (!names.includes(phase.name)) names.push(phase.name);
  return names.map((name) => {
    const own = results.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => [r, p] as const));
    const counters = zeroCounters();
    for (const [, phase] of own) addCounters(counters, phase.counters);
    const first = own[0]![1];
    return {
      name,
      startOffsetMs: first.startOffsetMs,
      durationMs: Math.max(...own.map(([, p]) => p.durationMs)),
      counters,
      throughput: throughputOf(counters, unionLength(own.map(([r, p]) => phaseWindow(r, p)))),
      ...summarize(addHistograms(own.map(([, p]) => p))),
    };
  });
}

/** Timelines overlaid second by second; a per-second p99 survives only where a single run has one (see module doc). */
function mergeTimeline(results: readonly RunResult[]): TimelineSample[] {
  const length = Math.max(0, ...results.map((r) => r.timeline.length));
  const merged: TimelineSample[] = [];
  for (let t = 0; t < length; t++) {
    const sample: TimelineSample = {
      t,
      connected: 0,
      sent: 0,
      acked: 0,
      delivered: 0,
      errors: 0,
      p99Ms: null,
      p99SoFarMs: null,
    };
    const p99s: number[] = [];
    const p99SoFar: number[] = [];
    for (const result of results) {
      const own = result.timeline[t];
      if (!own) {
        sample.connected += result.timeline.at(-1)?.connected ?? 0;
        continue;
      }
      sample.connected += own.connected;
      sample.sent += own.sent;
      sample.acked += own.acked;
      sample.delivered += own.delivered;
      sample.errors += own.errors;
      if (own.p99Ms !== null) p99s.push(own.p99Ms);
      if (own.p99SoFarMs !== null) p99SoFar.push(own.p99SoFarMs);
    }
    // Percentiles of different runs cannot be combined without their histograms, which summary.json does not keep per second.
    if (p99s.length === 1) sample.p99Ms = p99s[0] as number;
    if (p99SoFar.length === 1) sample.p99SoFarMs = p99SoFar[0] as number;
    merged.push(sample);
  }
  return merged;
}

function mergeRooms(results: readonly RunResult[], cross: CrossSegmentCounts | null): RoomCorrectness[] {
  const rooms = new Map<number, RoomCorrectness>();
  const labels = new Map<number, string | null>();
  for (const result of results)
    for (const room of result.correctness.rooms) labels.set(room.roomId, room.room);
  const crossRooms = (cross?.rooms ?? []).map(([roomId, counts]) => ({
    roomId,
    room: labels.get(roomId) ?? null,
    ...counts,
  }));
  for (const list of [...results.map((r) => r.correctness.rooms), crossRooms]) {
    for (const room of list) {
      const into = rooms.get(room.roomId);
      if (!into) {
        rooms.set(room.roomId, { ...room });
        continue;
      }
      // Only the count fields: addDeliveryCounts walks the keys of its target, which here include roomId.
      for (const key of Object.keys(zeroDeliveryCounts()) as Array<keyof DeliveryCounts>)
        into[key] += room[key] ?? 0;
    }
  }
  return [...rooms.values()].sort((a, b) => a.roomId - b.roomId);
}

/** Whether a threshold judges delivery correctness (which segment merges cannot verify across segments). */
function judgesCorrectness(threshold: Threshold): boolean {
  const metric = threshold.metric;
  return metric.kind === 'correctness' || (metric.kind === 'ratio' && metric.ratio === 'loss_rate');
}

/**
 * The segment facts of segment results, checked (all results are segments of one run, same n and start, every
 * index 0..n-1 exactly once), and the cross-segment pairs judged from their ledgers (null when a segment has no
 * ledger). Undefined when no result is a segment.
 */
function mergeSegmentInfo(
  results: readonly RunResult[],
): { info: MergedSegmentsInfo; cross: CrossSegmentCounts | null } | undefined {
  const segments = results.map((r) => r.segment);
  if (segments.every((s) => s === undefined)) return undefined;
  if (segments.some((s) => s === undefined))
    throw new RunMergeError('cannot merge segment results (run --segment) with whole-run results');
  const present = segments as NonNullable<RunResult['segment']>[];
  const counts = [...new Set(present.map((s) => s.count))];
  if (counts.length > 1)
    throw new RunMergeError(`cannot merge segments of different segment counts (${counts.join(', ')})`);
  const count = counts[0] as number;
  const starts = [...new Set(present.map((s) => s.startAt))];
  if (starts.length > 1)
    throw new RunMergeError(
      `cannot merge segments of different runs (--start-at ${starts.map((s) => s ?? 'none').join(', ')})`,
    );
  const indices = present.map((s) => s.index).sort((a, b) => a - b);
  const twice = indices.filter((index, i) => indices[i - 1] === index);
  if (twice.length > 0)
    throw new RunMergeError(`segment ${twice[0]}/${count} is given more than once (results of two runs?)`);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !indices.includes(i));
  if (missing.length > 0)
    throw new RunMergeError(
      `incomplete run: segment${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
    );
  const late = present.map((s) => s.startLateMs).filter((ms): ms is number => ms !== null);
  const cross = present.every((s) => s.ledger !== undefined) ? judgeLedgers(present) : null;
  const crossSegmentDeliver = mergeCrossSegmentLatency(present);
  return {
    info: {
      count,
      indices,
      startAt: starts[0] ?? null,
      maxStartLateMs: late.length > 0 ? Math.max(...late) : null,
      latencyScope: crossSegmentDeliver === null ? 'same-segment' : 'same-segment+cross-segment',
      crossSegmentDeliver,
      lossDetection: cross === null ? 'per-segment' : 'global',
      crossSegmentDeliveries: present.reduce((sum, s) => sum + s.crossSegmentDeliveries, 0),
      crossSegmentPairs: cross === null ? null : { ...cross.total },
    },
    cross,
  };
}

/** Cross-segment deliver latency corrected by the clock offsets; null when a segment has no clock offset. */
function mergeCrossSegmentLatency(
  segments: readonly NonNullable<RunResult['segment']>[],
): MergedSegmentsInfo['crossSegmentDeliver'] {
  const facts = segments.map((s) =>
    s.clockOffset && s.foreignDeliver
      ? { segment: s.index, clockOffset: s.clockOffset, foreignDeliver: s.foreignDeliver }
      : null,
  );
  if (facts.some((f) => f === null)) return null;
  const { histogram, uncertaintyMs } = crossSegmentLatency(facts as NonNullable<(typeof facts)[number]>[]);
  return {
    latency: histogram.summary(),
    histogram: histogram.encode(),
    uncertaintyMs,
    negativeClamped: histogram.negativeClamped,
  };
}

/** The cross-segment pairs judged from the segments' ledgers; an unreadable ledger is a RunMergeError. */
function judgeLedgers(segments: readonly NonNullable<RunResult['segment']>[]): CrossSegmentCounts {
  try {
    return judgeCrossSegmentPairs(segments.map((s) => ({ segment: s.index, ledger: s.ledger! })));
  } catch (error) {
    if (error instanceof LedgerFormatError)
      throw new RunMergeError(`unreadable segment ledger: ${error.message}`);
    throw error;
  }
}

function mergeThresholds(results: readonly RunResult[], merged: RunResult): ThresholdResult[] {
  const phases = merged.phases.map((p) => p.name);
  const seen = new Map<string, ThresholdResult>();
  for (const result of results)
    for (const t of result.thresholds) if (!seen.has(t.expression)) seen.set(t.expression, t);
  return [...seen.values()].map((original) => {
    try {
      const threshold = parseThreshold(original.expression, phases);
      const [evaluated] = evaluateThresholds([threshold], merged);
      if (merged.segments?.lossDetection === 'per-segment' && judgesCorrectness(threshold)) {
        return {
          ...(evaluated as ThresholdResult),
          line: original.line,
          passed: false,
          note:
            `not verifiable: loss detection is per segment only (a segment result has no ledger; ` +
            `${merged.segments.crossSegmentDeliveries} cross-segment deliveries counted but not judged)`,
        };
      }
      return { ...(evaluated as ThresholdResult), line: original.line };
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError)) throw error;
      return {
        ...original,
        actual: null,
        passed: false,
        note: `not re-evaluated on the merged runs: ${error.message}`,
      };
    }
  });
}

/** An expectation holds for the merge only if it held in every run that checked it (each run saw its own events). */
function mergeExpectations(results: readonly RunResult[]): ExpectationResult[] {
  const byText = new Map<string, ExpectationResult>();
  for (const result of results) {
    for (const e of result.expectations) {
      const known = byText.get(e.text);
      if (!known || (known.passed && !e.passed)) byText.set(e.text, { ...e });
    }
  }
  return [...byText.values()];
}

/**
 * Room events of the segments of one run, in time order: per room, consecutive events of the same type are one
 * promotion (or demotion) seen by several segments, as workers' events are folded (merge-results.ts): the
 * earliest sighting with its reaction time, observers summed.
 */
function foldSegmentEvents(events: readonly RoomEvent[]): RoomEvent[] {
  const folded: RoomEvent[] = [];
  const last = new Map<number, RoomEvent>();
  for (const event of events) {
    const previous = last.get(event.roomId);
    if (previous !== undefined && previous.type === event.type) {
      previous.observers += event.observers;
      continue;
    }
    folded.push(event);
    last.set(event.roomId, event);
  }
  return folded;
}

/**
 * Merges run results of one scenario into one result (histogram addition; see the module comment for clocks).
 * Throws RunMergeError for an empty list, different scenarios or different histogram precision.
 */
export function mergeRunResults(results: readonly RunResult[]): RunResult {
  const first = results[0];
  if (!first) throw new RunMergeError('nothing to merge: no run results given');
  const scenarios = [...new Set(results.map((r) => r.scenario.name))];
  if (scenarios.length > 1)
    throw new RunMergeError(`cannot merge runs of different scenarios (${scenarios.join(', ')})`);
  const digits = [...new Set(results.map((r) => r.units.significantDigits))];
  if (digits.length > 1)
    throw new RunMergeError(
      `cannot merge histograms of different precision (significant digits ${digits.join(', ')})`,
    );

  const segmentFacts = mergeSegmentInfo(results);
  const cross = segmentFacts?.cross ?? null;
  const startedAtMs = Math.min(...results.map((r) => Date.parse(r.startedAt)));
  const endedAtMs = Math.max(...results.map((r) => Date.parse(r.endedAt)));
  const all = summarize(addHistograms(results));
  const counters = zeroCounters();
  for (const result of results) addCounters(counters, result.counters);
  const errorsByCode: Record<string, number> = {};
  for (const result of results)
    for (const [code, n] of Object.entries(result.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
  const total = zeroDeliveryCounts();
  for (const result of results)
    addDeliveryCounts(total, { ...zeroDeliveryCounts(), ...result.correctness.total });
  if (cross !== null) addDeliveryCounts(total, cross.total);
  const phases = mergePhases(results);
  const phaseCounts = { sent: 0, acked: 0, delivered: 0 };
  for (const phase of phases) {
    phaseCounts.sent += phase.counters.sent;
    phaseCounts.acked += phase.counters.acked;
    phaseCounts.delivered += phase.counters.delivered;
  }
  const windows = results.flatMap((r) => r.phases.map((p) => phaseWindow(r, p)));
  const overlaid: RoomEvent[] = results
    .flatMap((r) => r.events.map((e) => ({ ...e })))
    .sort((a, b) => a.offsetMs - b.offsetMs);
  // Segments of one run watched the same rooms: their events are the same promotions seen from n places.
  const events = segmentFacts !== undefined ? foldSegmentEvents(overlaid) : overlaid;

  const merged: RunResult = {
    schemaVersion: first.schemaVersion,
    tool: { ...first.tool },
    scenario: { ...first.scenario },
    target: [...new Set(results.map((r) => r.target))].join(', '),
    workers: results.reduce((sum, r) => sum + r.workers, 0),
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(endedAtMs).toISOString(),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    units: { ...first.units },
    latency: all.latency,
    histograms: all.histograms,
    counters,
    throughput: throughputOf(phaseCounts, unionLength(windows)),
    errorsByCode,
    correctness: { total, rooms: mergeRooms(results, cross) },
    phases,
    timeline: mergeTimeline(results),
    events,
    schedulingLag: all.latency.schedule_lag,
    negativeLatencies: results.reduce((sum, r) => sum + r.negativeLatencies, 0),
    thresholds: [],
    expectations: mergeExpectations(results),
    passed: true,
  };
  if (segmentFacts !== undefined) merged.segments = segmentFacts.info;
  const drain = mergeDrains(results);
  if (drain !== undefined) merged.drain = drain;
  merged.thresholds = mergeThresholds(results, merged);
  merged.passed = merged.thresholds.every((t) => t.passed) && merged.expectations.every((e) => e.passed);
  return merged;
}
