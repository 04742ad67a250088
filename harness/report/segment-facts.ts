/**
 * What a segment result (`run --segment i/n`) or a merge of segments says about its slice, its clocks and how far
 * its correctness and latency figures reach, as plain sentences for the console summary, `garou-bench merge` and
 * report.html. Empty for a whole run: then nothing needs saying.
 */
import type { RunResult } from '../metrics/run-result.js';

function barrier(startAt: string | null, lateMs: number | null, what: string): string {
  if (startAt === null) return 'no start barrier (--start-at): phases started on each machine’s own clock';
  return `start barrier ${startAt}; ${what} ${lateMs ?? 0} ms late`;
}

/** The facts as sentences, one per line; [] for a result that is neither a segment nor a merge of segments. */
export function segmentFactLines(result: RunResult): string[] {
  const one = result.segment;
  if (one !== undefined) {
    const offset =
      one.clockOffset === undefined || one.clockOffset === null
        ? 'clock offset to the server: unknown (no MessageAck carried a server time)'
        : `clock offset to the server: ${one.clockOffset.offsetMs.toFixed(1)} ms ` +
          `(+-${one.clockOffset.uncertaintyMs.toFixed(1)} ms)`;
    return [
      `segment ${one.index} of ${one.count} (0-based); ${barrier(one.startAt, one.startLateMs, 'started')}`,
      `correctness here covers pairs whose sender and recipient are both in this segment; ` +
        `${one.crossSegmentDeliveries} deliveries from other segments wait for \`garou-bench merge\` ` +
        (one.ledger === undefined ? '(no ledger: they cannot be judged)' : '(kept in the ledger)'),
      `deliver latency: same-segment pairs only; ${offset}`,
    ];
  }
  const merged = result.segments;
  if (merged === undefined) return [];
  const p = merged.crossSegmentPairs;
  const detection =
    p === null
      ? `loss detection: per segment only, a segment result has no ledger ` +
        `(${merged.crossSegmentDeliveries} cross-segment deliveries counted, not judged)`
      : `loss detection: global; cross-segment pairs judged: ${p.expected} expected ` +
        `(${p.seen} seen, ${p.loss} lost), ${p.optional} optional, ${p.unexpected} unexpected` +
        ((p.ackTimedOutDeliveries ?? 0) > 0 ? `, ${p.ackTimedOutDeliveries} of ack-timed-out messages` : '') +
        ` (${merged.crossSegmentDeliveries} cross-segment deliveries)`;
  const c = merged.crossSegmentDeliver;
  const latency =
    c === null
      ? 'deliver latency: same-segment pairs only (a segment has no clock offset)'
      : `deliver latency: same-segment pairs in deliver.*; cross-segment pairs on the server's clock ` +
        `(+-${c.uncertaintyMs.toFixed(1)} ms): p50 ${c.latency.p50.toFixed(1)} ms, ` +
        `p99 ${c.latency.p99.toFixed(1)} ms over ${c.latency.count}`;
  return [
    `segments ${merged.indices.join(', ')} of ${merged.count} merged; ` +
      barrier(merged.startAt, merged.maxStartLateMs, 'latest start'),
    detection,
    latency,
  ];
}
