/**
 * Judges the cross-segment (message, recipient) pairs of a segmented run from the segments' ledgers
 * (segment-ledger.ts), with the model of delivery-tracker.ts: a message acked in segment A is EXPECTED at a
 * recipient of segment B != A whose membership of the room covers its whole in-flight window [sentAt, ackedAt]
 * (seen if B received it, else lost), OPTIONAL where the membership covers part of it (counted when received),
 * and UNEXPECTED where it covers none of it but the recipient received it anyway. A foreign id that no segment
 * acked in that room is a delivery of an ack-timed-out message when its send (the nonce's stamp, which the
 * recipient's segment noted) is one whose ack timed out in its sender's segment in that room, as a single run
 * attributes it by nonce (counted in `ackTimedOutDeliveries`); else it is unexpected too. Duplicates and reorders
 * of foreign deliveries were judged by the recipient's own segment (they are in its counts already).
 *
 * Limits. Late arrivals cannot be told apart across segments (the ledger keeps which ids arrived, not when): a
 * received expected pair counts as seen, never as late. The membership times come from the recipient's clock,
 * the send and ack times from the sender's, so coverage near the edges of a membership is only as exact as the
 * clocks agree. The merge judges with the final membership intervals, where a live tracker uses those known
 * when the ack was registered (they differ only when a lost connection ends a membership at its last contact,
 * before an ack it had already covered).
 */
import {
  addDeliveryCounts,
  membershipCoverage,
  zeroDeliveryCounts,
  type DeliveryCounts,
  type MembershipInterval,
} from './delivery-tracker.js';
import { decodeLedger, type SegmentLedger } from './segment-ledger.js';
import { sendKey, type SendIdentity } from './send-identities.js';

/** The ledger of one segment, with the segment's index. */
export interface IndexedLedger {
  segment: number;
  ledger: SegmentLedger;
}

/** Counts of the cross-segment pairs, per room and in total (to add to the segments' own counts). */
export interface CrossSegmentCounts {
  rooms: Array<[roomId: number, counts: DeliveryCounts]>;
  total: DeliveryCounts;
}

interface Recipient {
  segment: number;
  recipient: number;
  intervals: MembershipInterval[];
  /** Foreign ids received, inclusive ranges flat (start0, end0, ...), increasing. */
  received: number[];
}

interface Acked {
  segment: number;
  roomId: number;
  sentAtMs: number;
  ackedAtMs: number;
}

/** Whether `id` falls in one of the sorted inclusive ranges of `flat`. */
function inRanges(flat: readonly number[], id: number): boolean {
  let lo = 0;
  let hi = flat.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((flat[2 * mid] as number) > id) hi = mid - 1;
    else if ((flat[2 * mid + 1] as number) < id) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Judges every cross-segment pair of the given segments (one ledger per segment). */
export function judgeCrossSegmentPairs(ledgers: readonly IndexedLedger[]): CrossSegmentCounts {
  const acks = new Map<number, Acked>();
  /** Sends whose ack timed out (any segment): send key -> room. */
  const ackTimedOut = new Map<string, number>();
  /** The send of each foreign id, as the recipients' segments noted it. */
  const sendOf = new Map<number, SendIdentity>();
  const ackedMessages: Array<[id: number, Acked]> = [];
  /** room -> recipient -> what the ledgers say about it. */
  const rooms = new Map<number, Map<number, Recipient>>();
  const recipientIn = (segment: number, roomId: number, recipient: number): Recipient => {
    let roomRecipients = rooms.get(roomId);
    if (!roomRecipients) {
      roomRecipients = new Map();
      rooms.set(roomId, roomRecipients);
    }
    let entry = roomRecipients.get(recipient);
    if (!entry) {
      entry = { segment, recipient, intervals: [], received: [] };
      roomRecipients.set(recipient, entry);
    }
    return entry;
  };
  for (const { segment, ledger } of ledgers) {
    const data = decodeLedger(ledger);
    for (const m of data.acked) {
      const acked = { segment, roomId: m.roomId, sentAtMs: m.sentAtMs, ackedAtMs: m.ackedAtMs };
      if (acks.has(m.messageId)) continue;
      acks.set(m.messageId, acked);
      ackedMessages.push([m.messageId, acked]);
    }
    for (const log of data.memberships) {
      const entry = recipientIn(segment, log.roomId, log.recipient);
      for (const interval of log.intervals) entry.intervals.push(interval);
    }
    for (const log of data.foreign) {
      const entry = recipientIn(segment, log.roomId, log.recipient);
      for (const bound of log.ranges) entry.received.push(bound);
    }
    for (const send of data.ackTimeouts) ackTimedOut.set(sendKey(send), send.roomId);
    for (const m of data.foreignSends) if (!sendOf.has(m.messageId)) sendOf.set(m.messageId, m);
  }
  const timedOutIn = (id: number): number | undefined => {
    const send = sendOf.get(id);
    return send === undefined ? undefined : ackTimedOut.get(sendKey(send));
  };

  const counts = new Map<number, DeliveryCounts>();
  const room = (roomId: number): DeliveryCounts => {
    let c = counts.get(roomId);
    if (!c) {
      c = zeroDeliveryCounts();
      counts.set(roomId, c);
    }
    return c;
  };
  for (const [id, message] of ackedMessages) {
    const recipients = rooms.get(message.roomId);
    if (recipients === undefined) continue;
    for (const r of recipients.values()) {
      if (r.segment === message.segment) continue;
      const coverage = membershipCoverage(r.intervals, message.sentAtMs, message.ackedAtMs);
      const received = r.received.length > 0 && inRanges(r.received, id);
      if (coverage === 'full') {
        const c = room(message.roomId);
        c.expected++;
        if (received) c.seen++;
        else c.loss++;
      } else if (received) {
        room(message.roomId)[coverage === 'partial' ? 'optional' : 'unexpected']++;
      }
    }
  }
  // Foreign deliveries that no other segment's ack (in that room) explains.
  for (const [roomId, recipients] of rooms) {
    for (const r of recipients.values()) {
      for (let k = 0; k < r.received.length; k += 2) {
        for (let id = r.received[k] as number; id <= (r.received[k + 1] as number); id++) {
          const ack = acks.get(id);
          if (ack !== undefined && ack.segment !== r.segment && ack.roomId === roomId) continue;
          // Never acked: a send whose ack timed out explains it (as by nonce in a single run).
          if (ack === undefined && timedOutIn(id) === roomId) room(roomId).ackTimedOutDeliveries++;
          else room(roomId).unexpected++;
        }
      }
    }
  }
  const total = zeroDeliveryCounts();
  for (const c of counts.values()) addDeliveryCounts(total, c);
  return { rooms: [...counts.entries()].sort((a, b) => a[0] - b[0]), total };
}
