import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { mergeResults, mergeRoomEvents } from '../../../harness/metrics/merge-results.js';
import { RECORDED_LATENCY_METRICS } from '../../../harness/metrics/metric-names.js';
import { RunRecorder } from '../../../harness/metrics/run-recorder.js';
import type { WorkerResult } from '../../../harness/metrics/worker-result.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';

const START = 1_700_000_000_000;
const options = {
  startMs: START,
  phases: [
    { name: 'a', startMs: START + 1000, endMs: START + 6000 },
    { name: 'b', startMs: START + 6000, endMs: START + 12_000 },
  ],
  graceMs: 2000,
  hotRooms: { promoteRate: 50, demoteRate: 10, coolDownMs: 2000, rateWindowMs: 1000, maxHotRooms: 4 },
};

const CLIENTS = 30;
const ROOMS = [10, 11, 12];

/**
 * Replays one deterministic workload into `single` (everything) and into `workers` (client c belongs to
 * worker c % n; acks are relayed to every worker, like the runner does).
 */
function replay(single: RunRecorder, workers: RunRecorder[]): void {
  const rng = new SeededRandom(99, 'merge-test');
  const owner = (client: number) => workers[client % workers.length] as RunRecorder;
  const both = (client: number, f: (r: RunRecorder) => void) => {
    f(single);
    f(owner(client));
  };
  for (let c = 0; c < CLIENTS; c++) {
    const started = START + c * 20;
    const connected = started + 3 + rng.next();
    const authOk = started + 8 + rng.next() * 4;
    both(c, (r) => r.recordConnected(started, connected, authOk));
    for (const room of ROOMS)
      if ((c + room) % 3 !== 0) both(c, (r) => r.delivery.joined(c, room, started + 10));
  }
  let id = 0;
  for (let t = START + 1000; t < START + 12_500; t += 4 + rng.int(8)) {
    const sender = rng.int(CLIENTS);
    const room = ROOMS[rng.int(ROOMS.length)] as number;
    const lag = rng.next() * 2;
    both(sender, (r) => {
      r.recordScheduled(t, t + lag);
      r.count('sent', t + lag);
    });
    const ackedAt = t + lag + 1 + rng.next() * 5;
    const ack = { roomId: room, messageId: ++id, scheduledAtMs: t, sentAtMs: t + lag, ackedAtMs: ackedAt };
    single.recordAcked(ack);
    const relayed = owner(sender).recordAcked(ack);
    for (const w of workers) if (w !== owner(sender)) w.registerAck(JSON.parse(JSON.stringify(relayed)));
    for (let c = 0; c < CLIENTS; c++) {
      if ((c + room) % 3 === 0 || rng.next() < 0.01) continue; // non-members, and an occasional loss
      const receivedAtMs = t + 2 + rng.exponential(4) + (rng.next() < 0.005 ? 300 : 0);
      const delivery = { recipient: c, roomId: room, messageId: id, scheduledAtMs: t, receivedAtMs };
      both(c, (r) => r.recordDelivery(delivery));
      if (rng.next() < 0.002)
        both(c, (r) => r.recordDelivery({ ...delivery, receivedAtMs: receivedAtMs + 1 }));
    }
    if (rng.next() < 0.01) {
      const code = rng.next() < 0.5 ? 1006 : 'timeout';
      both(sender, (r) => r.recordError(code, t));
    }
    if (rng.next() < 0.01) {
      const done = t + 50 + rng.next() * 100;
      const bytes = 1000 + rng.int(5000);
      both(sender, (r) => r.recordUpload(t, done, bytes));
    }
  }
  // Connected-client gauge: each worker samples its own clients; the single recorder samples the total.
  for (let s = 0; s < 13; s++) {
    const at = START + s * 1000 + 500;
    const perWorker = workers.map((_, w) => Math.max(0, Math.min(CLIENTS, s * 10) - w * 2));
    workers.forEach((w, i) => w.sampleConnected(at, perWorker[i] as number));
    single.sampleConnected(
      at,
      perWorker.reduce((a, b) => a + b, 0),
    );
  }
  // Room 10 is promoted then demoted; several clients in different workers observe each.
  for (const c of [4, 5, 6, 7]) both(c, (r) => r.roomPromoted(10, START + 3000 + c));
  for (const c of [5, 6, 8]) both(c, (r) => r.roomDemoted(10, START + 9000 + c));
  const end = START + 20_000;
  single.expire(end);
  single.delivery.finish();
  for (const w of workers) {
    w.expire(end);
    w.delivery.finish();
  }
}

function buckets(encoded: string, packed = false) {
  return LatencyRecorder.decode(encoded, { packed }).buckets();
}

describe('mergeResults', () => {
  const single = new RunRecorder(options);
  const workers = [new RunRecorder(options), new RunRecorder(options), new RunRecorder(options)];
  replay(single, workers);
  const expected = single.snapshot();
  // Worker results cross a process boundary as JSON.
  const merged = mergeResults(workers.map((w) => JSON.parse(JSON.stringify(w.snapshot())) as WorkerResult));

  it('merges every latency histogram bucket for bucket', () => {
    expect(expected.latency.deliver).not.toBe('');
    for (const metric of RECORDED_LATENCY_METRICS) {
      expect(buckets(merged.latency[metric])).toEqual(buckets(expected.latency[metric]));
      expect(buckets(merged.latency[metric]).length).toBeGreaterThan(0);
    }
    for (let phase = 0; phase < 2; phase++) {
      for (const metric of RECORDED_LATENCY_METRICS) {
        expect(buckets(merged.phaseStats[phase]!.latency[metric])).toEqual(
          buckets(expected.phaseStats[phase]!.latency[metric]),
        );
      }
    }
  });

  it('sums counters, per-phase counters and error codes', () => {
    expect(merged.counters).toEqual(expected.counters);
    expect(merged.counters.delivered).toBeGreaterThan(10_000);
    expect(merged.phaseStats.map((p) => p.counters)).toEqual(expected.phaseStats.map((p) => p.counters));
    expect(merged.errorsByCode).toEqual(expected.errorsByCode);
  });

  it('merges the timeline second by second', () => {
    expect(merged.timeline.length).toBe(expected.timeline.length);
    merged.timeline.forEach((bucket, i) => {
      const own = expected.timeline[i]!;
      expect([bucket.sent, bucket.acked, bucket.delivered, bucket.errors, bucket.connected]).toEqual([
        own.sent,
        own.acked,
        own.delivered,
        own.errors,
        own.connected,
      ]);
      expect(buckets(bucket.deliver)).toEqual(buckets(own.deliver));
    });
    // Every non-duplicate delivery is in exactly one second's histogram.
    const perSecond = merged.timeline.reduce((n, b) => n + LatencyRecorder.decode(b.deliver).count, 0);
    expect(perSecond).toBe(LatencyRecorder.decode(merged.latency.deliver).count);
  });

  it('gives the same correctness verdict as one process', () => {
    expect(merged.delivery).toEqual(expected.delivery);
    const loss = merged.delivery.rooms.reduce((sum, [, c]) => sum + c.loss, 0);
    const duplicates = merged.delivery.rooms.reduce((sum, [, c]) => sum + c.duplicates, 0);
    expect(loss).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
  });

  it('folds room events observed in several workers into one per promotion/demotion', () => {
    expect(merged.events).toEqual(expected.events);
    expect(merged.events.map((e) => [e.type, e.observers])).toEqual([
      ['promoted', 4],
      ['demoted', 3],
    ]);
    expect(merged.events[0]!.referenceAtMs).not.toBeNull();
  });

  it('rejects results of different runs', () => {
    const other = new RunRecorder({ ...options, startMs: START + 1 }).snapshot();
    expect(() => mergeResults([expected, other])).toThrow(/different runs/);
  });

  it('mergeRoomEvents keeps alternating episodes apart', () => {
    const e = (type: 'promoted' | 'demoted', atMs: number) => ({
      type,
      roomId: 1,
      atMs,
      referenceAtMs: null,
      observers: 1,
    });
    const folded = mergeRoomEvents([
      [e('promoted', 10), e('demoted', 50), e('promoted', 90)],
      [e('promoted', 12), e('demoted', 51)],
    ]);
    expect(folded.map((x) => [x.type, x.atMs, x.observers])).toEqual([
      ['promoted', 10, 2],
      ['demoted', 50, 2],
      ['promoted', 90, 1],
    ]);
  });
});
