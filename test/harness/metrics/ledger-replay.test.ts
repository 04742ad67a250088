/**
 * Cross-segment judgment from segment ledgers: each segment records into its own RunRecorder (with a ledger), as
 * a segment run does; judgeCrossSegmentPairs replays the ledgers.
 */
import { describe, expect, it } from 'vitest';
import { judgeCrossSegmentPairs } from '../../../harness/metrics/ledger-replay.js';
import { RunRecorder } from '../../../harness/metrics/run-recorder.js';
import { encodeSendStamp } from '../../../harness/metrics/send-stamp.js';

const ROOM = 7;
const T0 = Date.UTC(2030, 0, 1);

function recorder(): RunRecorder {
  return new RunRecorder({ startMs: T0, phases: [], graceMs: 1000, segmentLedger: true });
}

/** Segment 0 holds sender 0, segment 1 recipient 1; message 41 sent at +100, acked at +110. */
function twoSegments(recipientJoinsAt: number): [RunRecorder, RunRecorder] {
  const sender = recorder();
  const receiver = recorder();
  sender.delivery.joined(0, ROOM, T0);
  receiver.delivery.joined(1, ROOM, T0 + recipientJoinsAt);
  sender.recordAcked({
    roomId: ROOM,
    messageId: 41,
    scheduledAtMs: T0 + 99,
    sentAtMs: T0 + 100,
    ackedAtMs: T0 + 110,
  });
  return [sender, receiver];
}

function judge(segments: RunRecorder[]) {
  const results = segments.map((r) => {
    r.delivery.finish();
    return r.snapshot();
  });
  return {
    cross: judgeCrossSegmentPairs(results.map((r, segment) => ({ segment, ledger: r.ledger! }))),
    own: results.map((r) => r.delivery.rooms.find(([room]) => room === ROOM)?.[1]),
  };
}

function receive(r: RunRecorder, recipient: number, messageId: number, atMs: number) {
  return r.recordCrossSegmentDelivery({ recipient, roomId: ROOM, messageId, receivedAtMs: T0 + atMs });
}

describe('judgeCrossSegmentPairs', () => {
  it('finds a message lost between segments', () => {
    const { cross } = judge(twoSegments(0));
    expect(cross.total).toMatchObject({ expected: 1, seen: 0, loss: 1, unexpected: 0, optional: 0 });
    expect(cross.rooms).toEqual([[ROOM, cross.total]]);
  });

  it('counts a received cross-segment message as seen', () => {
    const [sender, receiver] = twoSegments(0);
    expect(receive(receiver, 1, 41, 120)).toBe('ok');
    const { cross } = judge([sender, receiver]);
    expect(cross.total).toMatchObject({ expected: 1, seen: 1, loss: 0, unexpected: 0 });
  });

  it('counts a second delivery as a duplicate in the recipient segment, and the pair as seen once', () => {
    const [sender, receiver] = twoSegments(0);
    receive(receiver, 1, 41, 120);
    expect(receive(receiver, 1, 41, 130)).toBe('duplicate');
    const { cross, own } = judge([sender, receiver]);
    expect(cross.total).toMatchObject({ expected: 1, seen: 1, loss: 0, duplicates: 0 });
    expect(own[1]).toMatchObject({ duplicates: 1, expected: 0 });
  });

  it('treats a membership that began while the message was in flight as optional', () => {
    const [sender, receiver] = twoSegments(105);
    const { cross: notReceived } = judge([sender, receiver]);
    expect(notReceived.total).toMatchObject({ expected: 0, loss: 0, optional: 0 });

    const [sender2, receiver2] = twoSegments(105);
    receive(receiver2, 1, 41, 120);
    const { cross } = judge([sender2, receiver2]);
    expect(cross.total).toMatchObject({ expected: 0, loss: 0, optional: 1, unexpected: 0 });
  });

  it('counts deliveries to non-members and of ids no segment acked as unexpected', () => {
    const [sender, receiver] = twoSegments(500);
    receive(receiver, 1, 41, 120);
    receive(receiver, 1, 99, 121);
    const { cross } = judge([sender, receiver]);
    expect(cross.total).toMatchObject({ expected: 0, loss: 0, unexpected: 2 });
  });

  it('attributes foreign deliveries of a send whose ack timed out in its segment, by the send, in its room', () => {
    const [sender, receiver] = twoSegments(0);
    const nonce = (seq: number): string => encodeSendStamp({ client: 0, seq, scheduledAtMs: T0 + 200 });
    // Sender 0's send #3 to ROOM got no ack: the id (77) is known to the recipients only, with the nonce.
    sender.recordAckTimedOut({ nonce: nonce(3), roomId: ROOM });
    const foreign = (recipient: number, roomId: number, messageId: number, seq: number) =>
      receiver.recordCrossSegmentDelivery({
        recipient,
        roomId,
        messageId,
        receivedAtMs: T0 + 210,
        sender: 0,
        seq,
        scheduledAtMs: T0 + 200,
      });
    foreign(1, ROOM, 77, 3);
    receiver.delivery.joined(2, ROOM, T0);
    foreign(2, ROOM, 77, 3);
    // Send #4 did not time out, and no segment acked id 78: unexplained.
    foreign(1, ROOM, 78, 4);
    // The same send's id delivered in another room: not explained by a timeout in ROOM.
    receiver.delivery.joined(1, ROOM + 1, T0);
    foreign(1, ROOM + 1, 79, 3);
    const { cross } = judge([sender, receiver]);
    expect(cross.total).toMatchObject({ ackTimedOutDeliveries: 2, unexpected: 2, loss: 2 });
    expect(cross.rooms).toEqual([
      [ROOM, expect.objectContaining({ ackTimedOutDeliveries: 2, unexpected: 1 })],
      [ROOM + 1, expect.objectContaining({ ackTimedOutDeliveries: 0, unexpected: 1 })],
    ]);
  });

  it('judges order over local and foreign deliveries together, in arrival order', () => {
    const receiver = recorder();
    receiver.delivery.joined(1, ROOM, T0);
    receiver.recordAcked({ roomId: ROOM, messageId: 50, scheduledAtMs: T0, sentAtMs: T0, ackedAtMs: T0 + 5 });
    expect(receive(receiver, 1, 60, 10)).toBe('ok');
    // Local 50 after foreign 60: out of order.
    const verdict = receiver.recordDelivery({
      recipient: 1,
      roomId: ROOM,
      messageId: 50,
      scheduledAtMs: T0,
      receivedAtMs: T0 + 11,
    });
    expect(verdict).toBe('reordered');
    expect(receive(receiver, 1, 55, 12)).toBe('reordered');
  });
});
