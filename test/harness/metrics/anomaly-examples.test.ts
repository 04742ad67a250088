/** Anomaly evidence: what the delivery tracker keeps about each anomaly, bounded, and how workers' lists merge. */
import { describe, expect, it } from 'vitest';
import { AnomalyExamples, mergeAnomalyExamples } from '../../../harness/metrics/anomaly-examples.js';
import { DeliveryTracker } from '../../../harness/metrics/delivery-tracker.js';

const ROOM = 7;
const GRACE = 1000;

function setup(perKind = 10) {
  const examples = new AnomalyExamples(perKind);
  const tracker = new DeliveryTracker({ graceMs: GRACE, examples });
  for (const r of [0, 1]) tracker.joined(r, ROOM, 0);
  return { examples, tracker };
}

describe('anomaly examples from the delivery tracker', () => {
  it('keeps a loss with sender, times and the membership, and drops it when the pair arrives late', () => {
    const { examples, tracker } = setup();
    tracker.registerSent({ roomId: ROOM, messageId: 5, sentAtMs: 100, ackedAtMs: 110, sender: 1 });
    tracker.delivered(1, ROOM, 5, 120);
    tracker.expire(100 + GRACE);
    const [loss] = examples.list();
    expect(loss).toMatchObject({
      kind: 'loss',
      roomId: ROOM,
      messageId: 5,
      sender: 1,
      recipient: 0,
      sentAt: 100,
      ackedAt: 110,
      deliveredAt: null,
      membership: [{ from: 0, to: null, certainFrom: 0, certainTo: null }],
    });
    tracker.delivered(0, ROOM, 5, 1500);
    expect(examples.list().map((e) => [e.kind, e.deliveredAt])).toEqual([['late', 1500]]);
  });

  it('says what order was expected for a reorder, and keeps duplicates and unexpected deliveries', () => {
    const { examples, tracker } = setup();
    for (const id of [1, 2])
      tracker.registerSent({ roomId: ROOM, messageId: id, sentAtMs: 100, ackedAtMs: 105 });
    tracker.delivered(0, ROOM, 2, 110);
    tracker.delivered(0, ROOM, 1, 111);
    tracker.delivered(0, ROOM, 1, 112);
    tracker.delivered(5, ROOM, 2, 113); // never a member
    const byKind = new Map(examples.list().map((e) => [e.kind, e]));
    expect(byKind.get('reorder')).toMatchObject({
      messageId: 1,
      recipient: 0,
      expectedAfter: 2,
      deliveredAt: 111,
    });
    expect(byKind.get('duplicate')).toMatchObject({ messageId: 1, recipient: 0, deliveredAt: 112 });
    expect(byKind.get('unexpected')).toMatchObject({ messageId: 2, recipient: 5, membership: [] });
  });

  it('keeps at most perKind examples of a kind, the first ones', () => {
    const { examples, tracker } = setup(3);
    for (let id = 1; id <= 20; id++)
      tracker.registerSent({ roomId: ROOM, messageId: id, sentAtMs: id, ackedAtMs: id });
    tracker.finish();
    const losses = examples.list().filter((e) => e.kind === 'loss');
    expect(tracker.totals().loss).toBe(40);
    expect(losses.map((e) => e.messageId)).toEqual([1, 1, 2]);
  });

  it('confirms a loss when the recipient, still a member, received later messages of the room', () => {
    const { examples, tracker } = setup();
    tracker.registerSent({ roomId: ROOM, messageId: 1, sentAtMs: 100, ackedAtMs: 105 });
    tracker.registerSent({ roomId: ROOM, messageId: 2, sentAtMs: 200, ackedAtMs: 205 });
    for (const r of [0, 1]) tracker.delivered(r, ROOM, 2, 210);
    tracker.delivered(1, ROOM, 1, 211);
    tracker.left(1, ROOM, 300);
    tracker.finish();
    expect(tracker.snapshot().confirmedLoss).toBe(1);
    expect(examples.list()[0]?.detail).toMatch(/confirmed: still a member at the end and received #2/);
  });
});

describe('mergeAnomalyExamples', () => {
  it('keeps per kind the earliest examples over all workers', () => {
    const a = new AnomalyExamples(2);
    const b = new AnomalyExamples(2);
    a.record('duplicate', { messageId: 1, deliveredAt: 30 });
    a.record('duplicate', { messageId: 2, deliveredAt: 10 });
    b.record('duplicate', { messageId: 3, deliveredAt: 20 });
    b.record('error', { detail: 'Error 1006', deliveredAt: 5 });
    const merged = mergeAnomalyExamples([a.list(), b.list(), undefined], 2);
    expect(merged.map((e) => [e.kind, e.messageId])).toEqual([
      ['duplicate', 2],
      ['duplicate', 3],
      ['error', null],
    ]);
  });
});
