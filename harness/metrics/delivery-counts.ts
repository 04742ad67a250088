/**
 * Correctness counts of the delivery tracker as plain data: per room, summed across workers (exact: workers track
 * disjoint recipients) and over rooms. Kept apart from the tracker (delivery-tracker.ts re-exports them).
 */
/** Correctness figures of one room (or of the whole run). */
export interface DeliveryCounts {
  /** (message, recipient) pairs that had to be delivered. */
  expected: number;
  /** Expected pairs delivered at least once (on time or late). */
  seen: number;
  /** Expected pairs never delivered (checked `graceMs` after the send, and again at the end). */
  loss: number;
  /** Deliveries of an id the recipient had already received in that room. */
  duplicates: number;
  /** First deliveries whose id is lower than an id the recipient already received in that room. */
  reorders: number;
  /** Expected pairs delivered after their grace period (included in `seen`). */
  late: number;
  /**
   * Deliveries nothing explains: an id never acked whose nonce names no send of the run that timed out, or a
   * recipient that was not a member.
   */
  unexpected: number;
  /** Deliveries to recipients whose membership changed while the message was in flight. */
  optional: number;
  /**
   * Deliveries of messages whose MessageAck never reached their sender within the grace period (an ack timeout,
   * counted in errors): recognised by the send's nonce, which RoomMessage echoes. Not in `unexpected`: the harness
   * sent them, only their id was never learnt, so nothing can be said of their loss or order.
   */
  ackTimedOutDeliveries: number;
}

/** Serializable tracker state for merging across workers: counts per room. */
export interface DeliveryState {
  rooms: Array<[roomId: number, counts: DeliveryCounts]>;
  /**
   * Lost pairs confirmed by a gap (set by `finish`): the recipient was a member without a break from the message
   * to the end and received later messages of the room, never this one. A late harness cannot cause these.
   */
  confirmedLoss?: number;
}

/** A zeroed set of correctness counts. */
export function zeroDeliveryCounts(): DeliveryCounts {
  return {
    expected: 0,
    seen: 0,
    loss: 0,
    duplicates: 0,
    reorders: 0,
    late: 0,
    unexpected: 0,
    optional: 0,
    ackTimedOutDeliveries: 0,
  };
}

/** Adds `other` into `into`. */
export function addDeliveryCounts(into: DeliveryCounts, other: DeliveryCounts): void {
  // `?? 0`: states of older versions lack the newer fields.
  for (const key of Object.keys(into) as Array<keyof DeliveryCounts>) into[key] += other[key] ?? 0;
}

/** Sums per-worker tracker states room by room (exact: workers track disjoint recipients). */
export function mergeDeliveryStates(states: readonly DeliveryState[]): DeliveryState {
  const rooms = new Map<number, DeliveryCounts>();
  let confirmedLoss = 0;
  for (const state of states) {
    confirmedLoss += state.confirmedLoss ?? 0;
    for (const [roomId, counts] of state.rooms) {
      let into = rooms.get(roomId);
      if (!into) {
        into = zeroDeliveryCounts();
        rooms.set(roomId, into);
      }
      addDeliveryCounts(into, counts);
    }
  }
  return { rooms: [...rooms.entries()].sort((a, b) => a[0] - b[0]), confirmedLoss };
}

/** Totals of a tracker state over all rooms. */
export function deliveryTotals(state: DeliveryState): DeliveryCounts {
  const total = zeroDeliveryCounts();
  for (const [, counts] of state.rooms) addDeliveryCounts(total, counts);
  return total;
}
