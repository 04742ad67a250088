import { describe, expect, it } from 'vitest';
import { newDeliveryTracking, RunRecorder } from '../../../harness/metrics/run-recorder.js';
import { PendingRecorder } from '../../../harness/runner/pending-recorder.js';

const START = 1_000_000;
const phases = [{ name: 'steady', startMs: START + 1000, endMs: START + 3000 }];
const options = { startMs: START, phases, graceMs: 1000, segmentLedger: true };

/** The early events of a worker (connects and memberships before the phases are known). */
function connectTwo(rec: PendingRecorder): void {
  rec.recordConnected(START, START + 5, START + 8);
  rec.joining(0, 9, START + 8);
  rec.joined(0, 9, START + 10);
  rec.count('connects', START + 10);
  rec.recordConnected(START + 1, START + 6, START + 9);
  rec.joining(1, 9, START + 9);
  rec.joined(1, 9, START + 12);
  rec.leaving(1, 9, START + 20);
  rec.left(1, 9, START + 25);
}

/** A message to room 9 in the phase: member 0 gets it, member 1 (gone) does not. */
function sendOne(recorder: RunRecorder): void {
  const base = { roomId: 9, messageId: 1, scheduledAtMs: START + 1500 };
  recorder.recordAcked({ ...base, sentAtMs: START + 1500, ackedAtMs: START + 1502 });
  recorder.recordDelivery({ ...base, recipient: 0, receivedAtMs: START + 1504 });
}

describe('PendingRecorder', () => {
  it('hands memberships to the tracker given by track() at once, before any recorder is attached', () => {
    const rec = new PendingRecorder();
    rec.joining(0, 9, START + 1);
    const tracking = newDeliveryTracking(options);
    rec.track(tracking);
    // The one buffered before track() was handed over too.
    expect(tracking.delivery.membershipLog()).toEqual([
      { recipient: 0, roomId: 9, intervals: [expect.objectContaining({ from: START + 1 })] },
    ]);
    rec.joined(0, 9, START + 4);
    rec.joining(1, 9, START + 5);
    expect(tracking.delivery.membershipLog()).toHaveLength(2);
    expect(rec.attached).toBeNull();
  });

  it('gives the same result with memberships tracked live as with all of them replayed at attach', () => {
    const replayed = new PendingRecorder();
    connectTwo(replayed);
    const plain = new RunRecorder(options);
    replayed.attach(plain);
    sendOne(plain);

    const live = new PendingRecorder();
    const tracking = newDeliveryTracking(options);
    live.track(tracking);
    connectTwo(live);
    const tracked = new RunRecorder({ ...options, tracking });
    live.attach(tracked);
    expect(tracked.delivery).toBe(tracking.delivery);
    expect(tracked.examples).toBe(tracking.examples);
    sendOne(tracked);

    plain.delivery.finish();
    tracked.delivery.finish();
    const a = plain.snapshot();
    const b = tracked.snapshot();
    expect(b.delivery).toEqual(a.delivery);
    expect(b.counters).toEqual(a.counters);
    expect(b.ledger).toEqual(a.ledger);
    // Member 0 expected and got it; member 1 had left (not expected): the comparison is not of two empty states.
    expect(a.delivery.rooms).toEqual([[9, expect.objectContaining({ expected: 1, seen: 1, loss: 0 })]]);
  });

  it('refuses a recorder made without the tracking it was given', () => {
    const rec = new PendingRecorder();
    rec.track(newDeliveryTracking(options));
    expect(() => rec.attach(new RunRecorder(options))).toThrow(/tracking/);
    expect(() => rec.track(newDeliveryTracking(options))).toThrow(/track/);
  });
});
