/**
 * A closed connection ends a membership, but the harness learns of the close late (a starved event loop) or
 * causes it itself (a deliberate disconnect that waited the grace period for what was owed). Pairs the close
 * may have cut off are optional; pairs the recipient demonstrably missed stay lost (issue 15).
 */
import { describe, expect, it } from 'vitest';
import { AnomalyExamples } from '../../../harness/metrics/anomaly-examples.js';
import { DeliveryTracker } from '../../../harness/metrics/delivery-tracker.js';

const ROOM = 7;

function ack(t: DeliveryTracker, id: number, sentAtMs: number, ackedAtMs: number): void {
  t.registerSent({ roomId: ROOM, messageId: id, sentAtMs, ackedAtMs });
}

function lossIds(examples: AnomalyExamples): Array<number | null> {
  return examples
    .list()
    .filter((e) => e.kind === 'loss')
    .map((e) => e.messageId);
}

describe('DeliveryTracker: a connection the server closed', () => {
  it('does not owe what was acked after the last received packet, noticed before or after the grace', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    ack(t, 1, 100, 110);
    expect(t.delivered(0, ROOM, 1, 120)).toBe('ok'); // the last packet heard on the connection: 120
    ack(t, 2, 200, 210); // in the gap: the server may have closed before fanning it out
    t.expire(1300); // grace of #2 over before the close is noticed: counted lost for now
    expect(t.totals().loss).toBe(1);
    ack(t, 3, 1400, 1410); // still pending when the close is noticed
    t.left(0, ROOM, 120, true); // the close, noticed at 1500 but dated back to the last packet
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, loss: 0, optional: 0, unexpected: 0 });
  });

  it('still owes what was acked before the last received packet and never arrived', () => {
    const examples = new AnomalyExamples();
    const t = new DeliveryTracker({ graceMs: 1000, examples });
    t.joined(0, ROOM, 0);
    ack(t, 1, 100, 110); // acked before the last packet (#2 at 300): never delivered
    ack(t, 2, 150, 160);
    expect(t.delivered(0, ROOM, 2, 300)).toBe('ok');
    ack(t, 3, 400, 410); // in the gap
    t.left(0, ROOM, 300, true);
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 2, seen: 1, loss: 1, reorders: 0 });
    expect(lossIds(examples)).toEqual([1]);
  });

  it('a late delivery of a released pair is optional, not unexpected', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    ack(t, 1, 100, 110);
    t.expire(1200);
    t.left(0, ROOM, 50, true);
    expect(t.delivered(0, ROOM, 1, 1250)).toBe('optional');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 0, loss: 0, optional: 1, unexpected: 0 });
  });
});

describe('DeliveryTracker: a connection the harness closed while owed deliveries', () => {
  it('excuses owed pairs above the highest id received, not the gaps below it', () => {
    const examples = new AnomalyExamples();
    const t = new DeliveryTracker({ graceMs: 1000, examples });
    t.joined(0, ROOM, 0);
    for (let id = 1; id <= 4; id++) ack(t, id, id * 10, id * 10 + 5);
    expect(t.delivered(0, ROOM, 1, 60)).toBe('ok');
    expect(t.delivered(0, ROOM, 3, 70)).toBe('ok'); // #2 skipped: a gap
    t.leaving(0, ROOM, 100); // the deliberate disconnect is decided
    t.expire(1100); // #2 and #4 counted lost for now
    t.cutOff(0, ROOM); // the harness closes after waiting the grace period
    t.left(0, ROOM, 1100, true);
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 3, seen: 2, loss: 1 });
    expect(lossIds(examples)).toEqual([2]);
  });

  it('a recipient that keeps its connection is still owed everything', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    ack(t, 1, 10, 15);
    ack(t, 2, 20, 25);
    t.delivered(0, ROOM, 1, 30);
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 2, seen: 1, loss: 1 });
  });
});
