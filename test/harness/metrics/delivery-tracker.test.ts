import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeliveryTracker,
  deliveryTotals,
  mergeDeliveryStates,
  type AckedMessage,
} from '../../../harness/metrics/delivery-tracker.js';
import { IdRangeSet } from '../../../harness/metrics/id-set.js';

const ROOM = 7;
const GRACE = 1000;

/** A tracker with recipients 0..n-1 joined to ROOM at t=0. */
function tracker(recipients: number[], room = ROOM): DeliveryTracker {
  const t = new DeliveryTracker({ graceMs: GRACE });
  for (const r of recipients) t.joined(r, room, 0);
  return t;
}

function msg(id: number, sentAtMs = 100, room = ROOM): AckedMessage {
  return { roomId: room, messageId: id, sentAtMs, ackedAtMs: sentAtMs + 5 };
}

describe('DeliveryTracker', () => {
  it('counts every member as expected and clears messages once all have them', () => {
    const t = tracker([0, 1, 2]);
    for (let id = 1; id <= 3; id++) {
      t.registerSent(msg(id));
      for (const r of [0, 1, 2]) expect(t.delivered(r, ROOM, id, 110)).toBe('ok');
    }
    t.finish();
    expect(t.totals()).toMatchObject({
      expected: 9,
      seen: 9,
      loss: 0,
      duplicates: 0,
      reorders: 0,
      unexpected: 0,
    });
    expect(t.pendingCount).toBe(0);
  });

  it('detects loss after the grace period', () => {
    const t = tracker([0, 1]);
    t.registerSent(msg(1, 100));
    t.delivered(0, ROOM, 1, 120);
    t.expire(100 + GRACE - 1);
    expect(t.totals().loss).toBe(0);
    t.expire(100 + GRACE);
    expect(t.totals()).toMatchObject({ expected: 2, seen: 1, loss: 1 });
  });

  it('turns a missing delivery that arrives after the grace period into a late one', () => {
    const t = tracker([0]);
    t.registerSent(msg(1, 100));
    t.expire(5000);
    expect(t.totals().loss).toBe(1);
    expect(t.delivered(0, ROOM, 1, 6000)).toBe('late');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, loss: 0, late: 1, duplicates: 0 });
  });

  it('tracks rooms of many recipients (several bitmap words) exactly: loss, late, outstanding, optional', () => {
    // Recipients with sparse global indices, first seen in a shuffled order: slots 0..99 over 4 words.
    const recipients = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) * 1000 + 3);
    const t = tracker(recipients);
    t.joining(999_999, ROOM, 50); // joins while message 1 is in flight: optional for it
    t.registerSent(msg(1, 100));
    const missed = new Set([recipients[0], recipients[29], recipients[30], recipients[61], recipients[99]]);
    for (const r of recipients) if (!missed.has(r)) expect(t.delivered(r, ROOM, 1, 120)).toBe('ok');
    expect(t.outstandingFor(recipients[30]!)).toBe(1);
    expect(t.outstandingFor(recipients[31]!)).toBe(0);
    expect(t.delivered(999_999, ROOM, 1, 121)).toBe('optional');
    expect(t.delivered(recipients[31]!, ROOM, 1, 122)).toBe('duplicate');
    t.expire(100 + GRACE);
    expect(t.totals()).toMatchObject({ expected: 100, seen: 95, loss: 5, optional: 1, duplicates: 1 });
    // Every missed recipient is remembered individually: its delivery turns from lost into late.
    for (const r of missed) expect(t.delivered(r!, ROOM, 1, 3000)).toBe('late');
    expect(t.totals()).toMatchObject({ seen: 100, loss: 0, late: 5 });
    expect(t.pendingCount).toBe(0);
  });

  it('detects duplicates while pending and after the message is finished', () => {
    const t = tracker([0, 1]);
    t.registerSent(msg(1));
    expect(t.delivered(0, ROOM, 1, 110)).toBe('ok');
    expect(t.delivered(0, ROOM, 1, 111)).toBe('duplicate'); // recipient 1 still pending
    expect(t.delivered(1, ROOM, 1, 112)).toBe('ok');
    expect(t.delivered(1, ROOM, 1, 113)).toBe('duplicate'); // message finished
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 2, seen: 2, duplicates: 2, loss: 0 });
  });

  it('detects out-of-order deliveries on a recipient room view', () => {
    const t = tracker([0]);
    for (const id of [3, 5, 8]) t.registerSent(msg(id));
    expect(t.delivered(0, ROOM, 3, 110)).toBe('ok');
    expect(t.delivered(0, ROOM, 8, 111)).toBe('ok');
    expect(t.delivered(0, ROOM, 5, 112)).toBe('reordered');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 3, seen: 3, reorders: 1, duplicates: 0, loss: 0 });
  });

  it('accepts deliveries that arrive before the ack is registered', () => {
    const t = tracker([0, 1]);
    expect(t.delivered(0, ROOM, 1, 102)).toBe('pending');
    expect(t.delivered(0, ROOM, 1, 103)).toBe('duplicate');
    t.registerSent(msg(1, 100));
    t.delivered(1, ROOM, 1, 110);
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 2, seen: 2, duplicates: 1, unexpected: 0, loss: 0 });
  });

  it('counts deliveries no ack ever explains as unexpected', () => {
    const t = tracker([0]);
    t.delivered(0, ROOM, 42, 100);
    t.expire(100 + GRACE - 1);
    expect(t.totals().unexpected).toBe(0);
    t.expire(100 + GRACE);
    expect(t.totals().unexpected).toBe(1);
  });

  it('expects only members whose membership covers the whole in-flight window', () => {
    const t = new DeliveryTracker({ graceMs: GRACE });
    t.joined(0, ROOM, 0); // member throughout
    t.joined(1, ROOM, 0);
    t.left(1, ROOM, 102); // left while the message was in flight: optional
    t.joined(2, ROOM, 103); // joined while in flight: optional
    t.joined(3, ROOM, 200); // joined after the ack: not a recipient
    t.registerSent({ roomId: ROOM, messageId: 1, sentAtMs: 100, ackedAtMs: 104 });
    expect(t.delivered(0, ROOM, 1, 110)).toBe('ok');
    expect(t.delivered(2, ROOM, 1, 110)).toBe('optional');
    expect(t.delivered(3, ROOM, 1, 110)).toBe('unexpected');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, optional: 1, unexpected: 1, loss: 0 });
  });

  it('does not expect messages during a disconnection, and expects them again after rejoining', () => {
    const t = tracker([0]);
    t.left(0, ROOM, 1000);
    t.registerSent(msg(1, 1500));
    t.joined(0, ROOM, 2000);
    t.registerSent(msg(2, 2500));
    t.delivered(0, ROOM, 2, 2510);
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, loss: 0 });
  });

  it('registering the same ack twice (relayed copies) counts it once', () => {
    const t = tracker([0]);
    t.registerSent(msg(1));
    t.registerSent(msg(1));
    t.delivered(0, ROOM, 1, 110);
    t.registerSent(msg(1));
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1 });
  });

  it('keeps memory bounded: finished messages leave only compact id ranges', () => {
    const t = tracker([0, 1]);
    for (let id = 1; id <= 20_000; id++) {
      t.registerSent(msg(id, id));
      t.delivered(0, ROOM, id, id + 1);
      t.delivered(1, ROOM, id, id + 2);
    }
    expect(t.pendingCount).toBe(0);
    expect(t.totals()).toMatchObject({ expected: 40_000, seen: 40_000 });
  });

  it('keeps per-room figures', () => {
    const t = new DeliveryTracker({ graceMs: GRACE });
    t.joined(0, 1, 0);
    t.joined(0, 2, 0);
    t.registerSent(msg(1, 100, 1));
    t.registerSent(msg(2, 100, 2));
    t.delivered(0, 1, 1, 110);
    t.finish();
    expect(Object.fromEntries([...t.roomCounts()].map(([room, c]) => [room, [c.seen, c.loss]]))).toEqual({
      1: [1, 0],
      2: [0, 1],
    });
  });
});

type Step =
  | { kind: 'send'; room: number; lose: number[]; duplicate: number[]; early: boolean }
  | { kind: 'churn'; recipient: number; room: number };

describe('DeliveryTracker merge across workers', () => {
  it('per-worker states (partitioned by recipient, every ack relayed) sum to the single-process verdict', () => {
    const recipients = 9;
    const rooms = [1, 2, 3];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('send' as const),
        room: fc.constantFrom(...rooms),
        lose: fc.array(fc.nat(recipients - 1), { maxLength: 2 }),
        duplicate: fc.array(fc.nat(recipients - 1), { maxLength: 2 }),
        early: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('churn' as const),
        recipient: fc.nat(recipients - 1),
        room: fc.constantFrom(...rooms),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        (steps: Step[], workerCount) => {
          const single = new DeliveryTracker({ graceMs: GRACE });
          const workers = Array.from({ length: workerCount }, () => new DeliveryTracker({ graceMs: GRACE }));
          const owner = (r: number): DeliveryTracker => workers[r % workerCount] as DeliveryTracker;
          const member = new Map<string, boolean>();
          for (let r = 0; r < recipients; r++) {
            for (const room of rooms) {
              if ((r + room) % 2 === 0) {
                single.joined(r, room, 0);
                owner(r).joined(r, room, 0);
                member.set(`${r}:${room}`, true);
              }
            }
          }
          let now = 10;
          let id = 0;
          for (const s of steps) {
            now += 10;
            if (s.kind === 'churn') {
              const key = `${s.recipient}:${s.room}`;
              const action = member.get(key) ? 'left' : 'joined';
              single[action](s.recipient, s.room, now);
              owner(s.recipient)[action](s.recipient, s.room, now);
              member.set(key, !member.get(key));
              continue;
            }
            const message: AckedMessage = {
              roomId: s.room,
              messageId: ++id,
              sentAtMs: now,
              ackedAtMs: now + 2,
            };
            const deliver = (tracker: DeliveryTracker, r: number) => {
              if (!member.get(`${r}:${s.room}`) || s.lose.includes(r)) return;
              tracker.delivered(r, s.room, message.messageId, now + 3);
              if (s.duplicate.includes(r)) tracker.delivered(r, s.room, message.messageId, now + 4);
            };
            // Deliveries may reach recipients before their worker hears about the ack.
            const deliverAll = () => {
              for (let r = 0; r < recipients; r++) {
                deliver(single, r);
                deliver(owner(r), r);
              }
            };
            if (s.early) deliverAll();
            single.registerSent(message);
            for (const w of workers) w.registerSent(message);
            if (!s.early) deliverAll();
          }
          single.finish();
          for (const w of workers) w.finish();
          const merged = mergeDeliveryStates(workers.map((w) => JSON.parse(JSON.stringify(w.snapshot()))));
          expect(merged).toEqual(single.snapshot());
          const totals = deliveryTotals(merged);
          expect(totals.seen + totals.loss).toBe(totals.expected);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('IdRangeSet', () => {
  it('behaves like a Set of integers and stays compact for increasing ids', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }), (ids) => {
        const set = new IdRangeSet();
        const reference = new Set<number>();
        for (const id of ids) {
          set.add(id);
          reference.add(id);
        }
        for (let i = -1; i <= 301; i++) expect(set.has(i)).toBe(reference.has(i));
      }),
      { numRuns: 100, seed: 3 },
    );
    const set = new IdRangeSet();
    for (let id = 1; id <= 10_000; id++) if (id % 1000 !== 0) set.add(id);
    expect(set.rangeCount).toBe(10);
  });
});
