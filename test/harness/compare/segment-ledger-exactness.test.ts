/**
 * Exactness of segment merges with ledgers: one deterministic synthetic run (memberships with joins and leaves,
 * acked messages, ack timeouts, deliveries with latencies, drops and duplicates; fixed seed) is recorded once by a
 * single RunRecorder and once split by the segment rule (client c in segment c % 3) over three recorders, as three
 * segment runs would record it. The three results merged by the real merge (mergeRunResults) must judge every
 * (message, recipient) pair as the single recorder did, and carry the same histograms bucket by bucket.
 */
import { describe, expect, it } from 'vitest';
import { mergeRunResults } from '../../../harness/compare/merge-run-results.js';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { decodeSendStamp } from '../../../harness/metrics/send-stamp.js';
import { recordSyntheticSegments, syntheticSegmentEvents } from './synthetic-segment-runs.js';

const SEGMENTS = 3;

function buckets(encoded: string): Array<[number, number]> {
  return LatencyRecorder.decode(encoded).buckets();
}

describe('segment merge with ledgers', () => {
  for (const seed of [1, 2, 3]) {
    it(`judges every pair of a 3-segment run as one recorder does (seed ${seed})`, () => {
      const events = syntheticSegmentEvents(seed);
      const [single] = recordSyntheticSegments(events, 1) as [RunResult];
      const segments = recordSyntheticSegments(events, SEGMENTS);
      const merged = mergeRunResults(segments);

      // The synthetic run has something to find.
      const total = single.correctness.total;
      expect(total.loss).toBeGreaterThan(5);
      expect(total.duplicates).toBeGreaterThan(5);
      expect(total.reorders).toBeGreaterThan(5);
      expect(total.optional).toBeGreaterThan(5);
      expect(total.ackTimedOutDeliveries).toBeGreaterThan(5);
      expect(total.late + total.unexpected).toBe(0);
      expect(merged.segments?.lossDetection).toBe('global');
      expect(merged.segments?.crossSegmentPairs?.expected).toBeGreaterThan(total.expected / 2);

      expect(merged.correctness.total).toEqual(single.correctness.total);
      expect(merged.correctness.rooms).toEqual(single.correctness.rooms);
      expect(merged.counters).toEqual(single.counters);
      expect(merged.thresholds.map((t) => [t.expression, t.actual, t.passed])).toEqual(
        single.thresholds.map((t) => [t.expression, t.actual, t.passed]),
      );

      // Ack latency is recorded by the sender's segment: the same histogram, bucket for bucket.
      expect(buckets(merged.histograms.ack)).toEqual(buckets(single.histograms.ack));
      for (const [i, phase] of merged.phases.entries())
        expect(buckets(phase.histograms.ack)).toEqual(buckets(single.phases[i]!.histograms.ack));
      // Deliver latency is timed where sender and recipient share a clock: the same-segment first deliveries.
      const sameSegment = new LatencyRecorder();
      const firsts = new Set<string>();
      for (const e of events) {
        if (e.kind !== 'deliver' || firsts.has(`${e.client}:${e.id}`)) continue;
        firsts.add(`${e.client}:${e.id}`);
        const stamp = decodeSendStamp(e.nonce)!;
        if (stamp.client % SEGMENTS === e.client % SEGMENTS) sameSegment.recordMs(e.at - stamp.scheduledAtMs);
      }
      expect(buckets(merged.histograms.deliver)).toEqual(sameSegment.buckets());
      // The single recorder timed every first delivery, the segments those that did not cross segments; the
      // others are in the cross-segment histogram (corrected by clock offsets, all 0 here): together, the same.
      expect(single.latency.deliver.count).toBe(firsts.size);
      expect(merged.latency.deliver.count).toBeLessThan(firsts.size / 2);
      const crossDeliver = merged.segments!.crossSegmentDeliver!;
      expect(merged.segments!.latencyScope).toBe('same-segment+cross-segment');
      expect(crossDeliver.negativeClamped).toBe(0);
      const all = LatencyRecorder.decode(merged.histograms.deliver);
      all.add(LatencyRecorder.decode(crossDeliver.histogram));
      expect(all.buckets()).toEqual(buckets(single.histograms.deliver));
    });
  }
});
