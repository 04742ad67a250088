/**
 * Deliveries of a message whose MessageAck timed out: the id is never registered, so they used to count as
 * "unexpected"; they are recognised by the send's nonce (echoed in RoomMessage) and counted apart.
 */
import { describe, expect, it } from 'vitest';
import { AnomalyExamples } from '../../../harness/metrics/anomaly-examples.js';
import { DeliveryTracker } from '../../../harness/metrics/delivery-tracker.js';

const ROOM = 7;
const GRACE = 1000;
const NONCE = 'gb1.3.1.abc';

function tracker(examples?: AnomalyExamples): DeliveryTracker {
  const t = new DeliveryTracker({ graceMs: GRACE, ...(examples ? { examples } : {}) });
  for (const r of [0, 1, 2]) t.joined(r, ROOM, 0);
  return t;
}

describe('DeliveryTracker: deliveries of ack-timed-out messages', () => {
  it('counts them apart from unexpected when the timeout is known before they expire', () => {
    const t = tracker();
    expect(t.delivered(1, ROOM, 40, 300, NONCE)).toBe('pending');
    expect(t.delivered(2, ROOM, 40, 320, NONCE)).toBe('pending');
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    t.expire(300 + GRACE);
    expect(t.totals()).toMatchObject({ unexpected: 0, ackTimedOutDeliveries: 1 });
    t.finish();
    expect(t.totals()).toMatchObject({ unexpected: 0, ackTimedOutDeliveries: 2, expected: 0, loss: 0 });
  });

  it('moves deliveries already counted unexpected when the timeout is learnt later (relayed)', () => {
    const examples = new AnomalyExamples();
    const t = tracker(examples);
    t.delivered(1, ROOM, 40, 300, NONCE);
    t.expire(300 + GRACE);
    expect(t.totals()).toMatchObject({ unexpected: 1, ackTimedOutDeliveries: 0 });
    expect(examples.list().filter((e) => e.kind === 'unexpected')).toHaveLength(1);
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    expect(t.totals()).toMatchObject({ unexpected: 0, ackTimedOutDeliveries: 1 });
    expect(examples.list().filter((e) => e.kind === 'unexpected')).toHaveLength(0);
    // Per room too (summary.json correctness.rooms).
    expect(t.roomCounts().get(ROOM)).toMatchObject({ unexpected: 0, ackTimedOutDeliveries: 1 });
  });

  it('leaves unexplained what the timeout does not name: another nonce, no nonce, another room', () => {
    const t = tracker();
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    t.joined(0, ROOM + 1, 0);
    t.delivered(0, ROOM, 41, 300, 'gb1.3.2.abd');
    t.delivered(0, ROOM, 42, 300, null);
    t.delivered(0, ROOM + 1, 43, 300, NONCE);
    t.finish();
    expect(t.totals()).toMatchObject({ unexpected: 3, ackTimedOutDeliveries: 0 });
  });

  it('forgets an unexplained delivery after a while: a much later timeout no longer moves it', () => {
    const t = tracker();
    t.delivered(1, ROOM, 40, 300, NONCE);
    t.expire(300 + GRACE);
    t.expire(300 + 4 * GRACE + 1);
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    expect(t.totals()).toMatchObject({ unexpected: 1, ackTimedOutDeliveries: 0 });
  });

  it('still counts a second delivery of it to the same recipient as a duplicate', () => {
    const t = tracker();
    t.delivered(1, ROOM, 40, 300, NONCE);
    expect(t.delivered(1, ROOM, 40, 310, NONCE)).toBe('duplicate');
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    t.finish();
    expect(t.totals()).toMatchObject({ duplicates: 1, ackTimedOutDeliveries: 1, unexpected: 0 });
  });

  it('does not touch a message whose ack did arrive (registered): its deliveries are judged by id', () => {
    const t = tracker();
    t.delivered(1, ROOM, 40, 300, NONCE);
    t.registerSent({ roomId: ROOM, messageId: 40, sentAtMs: 100, ackedAtMs: 150 });
    t.sendTimedOut({ nonce: NONCE, roomId: ROOM });
    t.finish();
    expect(t.totals()).toMatchObject({
      expected: 3,
      seen: 1,
      loss: 2,
      ackTimedOutDeliveries: 0,
      unexpected: 0,
    });
  });
});
