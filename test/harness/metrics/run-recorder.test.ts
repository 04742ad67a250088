import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { RunRecorder } from '../../../harness/metrics/run-recorder.js';

const START = 1_000_000;
const phases = [
  { name: 'one', startMs: START + 1000, endMs: START + 3000 },
  { name: 'two', startMs: START + 3000, endMs: START + 5000 },
];

function recorder(): RunRecorder {
  return new RunRecorder({ startMs: START, phases, graceMs: 1000 });
}

describe('RunRecorder', () => {
  it('attributes latency to the phase of the scheduled time and counters to the phase of the event', () => {
    const r = recorder();
    r.delivery.joined(0, 9, START);
    // Scheduled at the end of phase one, delivered in phase two.
    r.recordAcked({
      roomId: 9,
      messageId: 1,
      scheduledAtMs: START + 2990,
      sentAtMs: START + 2991,
      ackedAtMs: START + 3020,
    });
    r.recordDelivery({
      recipient: 0,
      roomId: 9,
      messageId: 1,
      scheduledAtMs: START + 2990,
      receivedAtMs: START + 3030,
    });
    const s = r.snapshot();
    expect(LatencyRecorder.decode(s.phaseStats[0]!.latency.deliver).summary()).toMatchObject({
      count: 1,
      min: 40,
    });
    expect(LatencyRecorder.decode(s.phaseStats[1]!.latency.deliver).count).toBe(0);
    expect(LatencyRecorder.decode(s.phaseStats[0]!.latency.ack).summary()).toMatchObject({
      count: 1,
      min: 30,
    });
    expect(s.phaseStats.map((p) => [p.counters.acked, p.counters.delivered])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(s.counters).toMatchObject({ acked: 1, delivered: 1 });
  });

  it('measures latency from the scheduled time and the harness lag separately', () => {
    const r = recorder();
    r.recordScheduled(START + 1500, START + 1512.5);
    const s = r.snapshot();
    expect(LatencyRecorder.decode(s.latency.schedule_lag).summary().max).toBeCloseTo(12.5, 2);
    expect(s.counters.scheduled).toBe(1);
  });

  it('does not record latency for duplicate deliveries, but counts them as delivered', () => {
    const r = recorder();
    r.delivery.joined(0, 9, START);
    r.registerAck({ roomId: 9, messageId: 1, sentAtMs: START + 1000, ackedAtMs: START + 1001 });
    const d = {
      recipient: 0,
      roomId: 9,
      messageId: 1,
      scheduledAtMs: START + 1000,
      receivedAtMs: START + 1004,
    };
    expect(r.recordDelivery(d)).toBe('ok');
    expect(r.recordDelivery({ ...d, receivedAtMs: START + 1006 })).toBe('duplicate');
    const s = r.snapshot();
    expect(s.counters.delivered).toBe(2);
    expect(LatencyRecorder.decode(s.latency.deliver).count).toBe(1);
  });

  it('keeps per-second histograms exact across sealing, stragglers included', () => {
    const r = recorder();
    for (let second = 0; second < 20; second++) {
      for (let i = 0; i < 10; i++) {
        const at = START + second * 1000 + i * 50;
        r.recordDelivery({
          recipient: 0,
          roomId: 1,
          messageId: second * 100 + i,
          scheduledAtMs: at - 5 - i,
          receivedAtMs: at,
        });
      }
    }
    // A straggler for second 2, long sealed.
    r.recordDelivery({
      recipient: 0,
      roomId: 1,
      messageId: 99_999,
      scheduledAtMs: START + 2000,
      receivedAtMs: START + 2100,
    });
    const s = r.snapshot();
    expect(s.timeline).toHaveLength(20);
    expect(s.timeline.map((b) => LatencyRecorder.decode(b.deliver).count)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i === 2 ? 11 : 10)),
    );
    expect(LatencyRecorder.decode(s.timeline[2]!.deliver).summary().max).toBeCloseTo(100, 1);
  });

  it('carries the connected-clients gauge forward', () => {
    const r = recorder();
    r.sampleConnected(START + 100, 5);
    r.count('sent', START + 3500);
    r.sampleConnected(START + 4200, 7);
    expect(r.snapshot().timeline.map((b) => b.connected)).toEqual([5, 5, 5, 5, 7]);
  });

  it('folds observations of the same promotion by several clients', () => {
    const r = recorder();
    r.roomPromoted(5, START + 2000);
    r.roomPromoted(5, START + 1990);
    r.roomDemoted(5, START + 4000);
    r.roomPromoted(5, START + 4500);
    expect(r.snapshot().events.map((e) => [e.type, e.atMs - START, e.observers, e.referenceAtMs])).toEqual([
      ['promoted', 1990, 2, null],
      ['demoted', 4000, 1, null],
      ['promoted', 4500, 1, null],
    ]);
  });

  it('reports live progress from the last complete second', () => {
    const r = recorder();
    r.sampleConnected(START + 10, 3);
    for (let i = 0; i < 4; i++) r.count('sent', START + 1100 + i);
    r.recordError(1004, START + 1200);
    const p = r.progress(START + 2500);
    expect(p).toMatchObject({ phase: 'one', connected: 3, sentPerSec: 4, errors: 1, p99Ms: null });
    expect(p.elapsedMs).toBe(2500);
    expect(r.snapshot().errorsByCode).toEqual({ '1004': 1 });
  });
});
