/**
 * Membership changes seen from the client are asynchronous: between JoinRoom sent and RoomInit, and between
 * LeaveRoom sent (or a deliberate disconnect) and RoomClose, a message may or may not reach the member.
 * `joining`/`leaving` make those windows optional instead of expected or unexpected.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../../harness/metrics/delivery-tracker.js';

const ROOM = 7;

function ack(t: DeliveryTracker, id: number, sentAtMs: number, ackedAtMs: number): void {
  t.registerSent({ roomId: ROOM, messageId: id, sentAtMs, ackedAtMs });
}

describe('DeliveryTracker joining / leaving', () => {
  it('a message accepted while the leave is in flight is optional, before it expected', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    ack(t, 1, 10, 20); // acked before LeaveRoom was sent: must arrive
    t.leaving(0, ROOM, 100);
    ack(t, 2, 150, 160); // sent after LeaveRoom: the server may still deliver it
    ack(t, 3, 170, 180); // and may not
    expect(t.delivered(0, ROOM, 1, 110)).toBe('ok');
    expect(t.delivered(0, ROOM, 2, 190)).toBe('optional');
    t.left(0, ROOM, 200); // RoomClose
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, loss: 0, unexpected: 0, optional: 1 });
  });

  it('without leaving, the same late delivery would be unexpected', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    t.left(0, ROOM, 100);
    ack(t, 2, 150, 160);
    expect(t.delivered(0, ROOM, 2, 190)).toBe('unexpected');
  });

  it('a message accepted while the join is in flight is optional; after RoomInit it is expected', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joining(0, ROOM, 100); // JoinRoom sent
    ack(t, 1, 90, 110); // may land before or after the server adds the member
    t.joined(0, ROOM, 120); // RoomInit
    ack(t, 2, 130, 140);
    expect(t.delivered(0, ROOM, 1, 125)).toBe('optional');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 0, loss: 1, optional: 1 });
  });

  it('counts the expected deliveries still owed to a recipient', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    t.joined(1, ROOM, 0);
    ack(t, 1, 10, 20);
    ack(t, 2, 30, 40);
    expect(t.outstandingFor(0)).toBe(2);
    t.delivered(0, ROOM, 1, 50);
    expect(t.outstandingFor(0)).toBe(1);
    expect(t.outstandingFor(1)).toBe(2);
    t.leaving(0, ROOM, 60);
    ack(t, 3, 70, 80); // optional for recipient 0: not owed
    expect(t.outstandingFor(0)).toBe(1);
  });

  it("a rejoin sent before the leave's RoomClose keeps deliveries in between optional, then expected", () => {
    // Seen in connection-storm: LeaveRoom at 100, JoinRoom at 200, the old RoomClose at 300, RoomInit at 500; the
    // server processed the JoinRoom somewhere in between and delivered a message sent at 350.
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    t.leaving(0, ROOM, 100);
    t.joining(0, ROOM, 200);
    t.left(0, ROOM, 300);
    ack(t, 1, 350, 360);
    expect(t.delivered(0, ROOM, 1, 510)).toBe('optional');
    t.joined(0, ROOM, 500);
    ack(t, 2, 600, 610);
    expect(t.delivered(0, ROOM, 2, 620)).toBe('ok');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 1, seen: 1, loss: 0, unexpected: 0, optional: 1 });
  });

  it('a closed connection ends a membership even while a rejoin is under way', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joined(0, ROOM, 0);
    t.leaving(0, ROOM, 100);
    t.joining(0, ROOM, 200);
    t.left(0, ROOM, 300, true);
    ack(t, 1, 350, 360);
    expect(t.delivered(0, ROOM, 1, 370)).toBe('unexpected');
  });

  it('an optional pair delivered after its message was finalized stays optional, not unexpected', () => {
    const t = new DeliveryTracker({ graceMs: 1000 });
    t.joining(0, ROOM, 100);
    ack(t, 1, 150, 160); // in flight while the join is: optional
    t.joined(0, ROOM, 400);
    t.expire(1200); // grace over: the message is finalized
    expect(t.delivered(0, ROOM, 1, 1300)).toBe('optional');
    expect(t.delivered(0, ROOM, 1, 1310)).toBe('duplicate');
    t.finish();
    expect(t.totals()).toMatchObject({ expected: 0, optional: 1, duplicates: 1, unexpected: 0 });
  });
});
