/**
 * What delivery tracking takes in and gives out: acked messages, membership intervals with their uncertain
 * edges, the logs a segment run keeps for the merge, and the verdict on one delivery. Shapes and one rule
 * (membership coverage of an in-flight window), shared by the tracker, the anomaly examples and the segment
 * ledger replay without those depending on each other.
 */

/** What `DeliveryTracker.delivered` concluded about one delivery. */
export type DeliveryVerdict =
  | 'ok'
  | 'reordered'
  | 'optional'
  | 'late'
  | 'duplicate'
  | 'unexpected'
  /** The message's ack is not registered yet; it is classified when it is. */
  | 'pending';

/** An acked message, as known to its sender. Times are epoch milliseconds. */
export interface AckedMessage {
  roomId: number;
  messageId: number;
  /** When the SendMessage was written (actual send time). */
  sentAtMs: number;
  /** When the MessageAck was received. */
  ackedAtMs: number;
  /** Client index of the sender (for anomaly examples); absent when not known. */
  sender?: number;
}

/** A membership of a recipient in a room, with its uncertain edges. Epoch ms. */
export interface MembershipInterval {
  /** Earliest time the membership may have started (JoinRoom sent, or RoomInit if no request was seen). */
  from: number;
  /** Latest time the membership may have ended (RoomClose or close); Infinity while open. */
  to: number;
  /** From here on the server certainly has the member (RoomInit received); Infinity while only joining. */
  certainFrom: number;
  /** Up to here the server certainly has the member (LeaveRoom sent, deliberate disconnect); Infinity by default. */
  certainTo: number;
}

/** Membership intervals of one recipient in one room, oldest first. */
export interface MembershipLog {
  recipient: number;
  roomId: number;
  intervals: MembershipInterval[];
}

/** Ids one recipient received in one room from senders of other segments (first deliveries). */
export interface ForeignIdLog {
  recipient: number;
  roomId: number;
  /** Inclusive id ranges in increasing order, flat: start0, end0, start1, end1, ... */
  ranges: number[];
}

/** Whether membership intervals cover the whole in-flight window [sentAt, ackedAt], part of it, or none. */
export function membershipCoverage(
  intervals: readonly MembershipInterval[],
  sentAtMs: number,
  ackedAtMs: number,
): 'full' | 'partial' | 'none' {
  let partial = false;
  for (const interval of intervals) {
    if (interval.certainFrom <= sentAtMs && interval.certainTo >= ackedAtMs) return 'full';
    if (interval.from <= ackedAtMs && interval.to >= sentAtMs) partial = true;
  }
  return partial ? 'partial' : 'none';
}
