/**
 * Exactly-once delivery tracking: loss, duplicates, out-of-order and unexpected deliveries per room.
 *
 * Model. A message acked to its sender with id M in room R is EXPECTED at every recipient that was a
 * member of R for the whole time the message was in flight (joined before it was sent, still a member
 * when it was acked). A recipient whose membership changed during that window MAY receive it
 * ("optional": neither required nor an error). Expected (message, recipient) pairs not delivered within
 * `graceMs` of the send are missing; a missing delivery arriving later is "late" (seen, no longer lost).
 * A close can end a membership after the fact: a lost connection ends it at the last data heard (`left` with
 * `connectionClosed`), a deliberate one cuts off what was still on its way (`cutOff`); the pairs the close
 * excuses turn optional then, even those already counted missing (issue 15).
 *
 * Multi-worker. Each tracker tracks the deliveries of ITS OWN recipients only, but must be told about
 * EVERY acked message of the run (`registerSent`, fed by the runner from local acks and from acks relayed
 * by the other workers). The (message, recipient) pairs are thus partitioned by recipient: the per-worker
 * counts are disjoint and summing them (`mergeDeliveryStates`) gives exactly the single-process verdict.
 *
 * Segment runs (`run --segment i/n`). Acks are known only to the sender's segment, so a tracker registers
 * the acks of its own segment only and judges the same-segment pairs. A delivery whose sender is in
 * another segment ("foreign") goes to `deliveredForeign`: it is judged here for duplicates (an id the
 * recipient already received) and order (over all of the recipient's deliveries in the room, local and
 * foreign, in arrival order), and its id is kept so that the merge can judge loss and the rest from the
 * segments' ledgers (see segment-ledger.ts, `keepMembershipLog`).
 *
 * Memory stays bounded on long runs: messages are forgotten once every expected recipient has them (or
 * their grace has passed); a finished message leaves only its id in a range set; each recipient keeps,
 * per room, its highest id seen and its recent membership intervals (all of them with `keepMembershipLog`).
 */
import type { AnomalyExamples } from './anomaly-examples.js';
import type { DeliveryCounts, DeliveryState } from './delivery-counts.js';
import { addDeliveryCounts, zeroDeliveryCounts } from './delivery-counts.js';

export {
  addDeliveryCounts,
  deliveryTotals,
  mergeDeliveryStates,
  zeroDeliveryCounts,
  type DeliveryCounts,
  type DeliveryState,
} from './delivery-counts.js';
import { AckTimedOutSends, type AckTimedOutSend } from './ack-timed-out-sends.js';
import { IdRangeSet } from './id-set.js';
import { LeftOptionalPairs } from './left-optional-pairs.js';
import { MissingPairs, type MessageFacts } from './missing-pairs.js';
import { PendingWindow } from './pending-window.js';
import { addSlot, hasSlot, slotsOf, takeSlot } from './recipient-bits.js';
import { RecipientViews, type RecipientView } from './recipient-views.js';
import {
  membershipCoverage,
  type AckedMessage,
  type DeliveryVerdict,
  type ForeignIdLog,
  type MembershipLog,
} from './delivery-records.js';

export {
  membershipCoverage,
  type AckedMessage,
  type DeliveryVerdict,
  type ForeignIdLog,
  type MembershipInterval,
  type MembershipLog,
} from './delivery-records.js';

interface PendingMessage extends AckedMessage {
  /** Sender client index, -1 when unknown (one object shape). */
  sender: number;
  /** Expected recipients that have not received it yet. */
  remaining: number[];
  /** Number of slots in `remaining`. */
  remainingCount: number;
  /** Optional recipients that have not received it yet. */
  optional: number[] | null;
  /** Number of slots in `optional`. */
  optionalCount: number;
}

interface OrphanDelivery {
  recipient: number;
  roomId: number;
  atMs: number;
  /** The RoomMessage's nonce (names the send; see AckTimedOutSends), or null. */
  nonce: string | null;
}

/** Tracks the deliveries of this worker's recipients against every acked message of the run. */
export class DeliveryTracker {
  private readonly graceMs: number;
  /** Each recipient's membership and progress in each room, and its slot in the recipient bitmaps. */
  private readonly views: RecipientViews;
  private readonly pending = new PendingWindow<PendingMessage>();
  private readonly finished = new IdRangeSet();
  /** Deliveries of ids whose ack is not registered yet: id -> deliveries. */
  private readonly orphans = new Map<number, OrphanDelivery[]>();
  /** Expected pairs that missed their grace (bounded by maxMissingRecords). */
  private readonly missing: MissingPairs;
  /** Sends whose ack timed out: their deliveries are counted apart from the unexpected ones. */
  private readonly ackTimedOut: AckTimedOutSends;
  /** First examples of each anomaly (recorded only when one happens), or null when not wanted. */
  private readonly examples: AnomalyExamples | null;
  /** Receive time of the delivery being classified (for examples; set once per delivery). */
  private deliveringAtMs = 0;
  /** The latest ack time registered (a membership ended at or after it excuses nothing pending). */
  private latestAckedAtMs = -Infinity;
  /** Optional pairs still undelivered when their message was finalized, kept 3 grace periods. */
  private readonly optionalLeft = new LeftOptionalPairs();
  /** The time of the `expire` call retiring messages (when optional pairs were left). */
  private retireAtMs = 0;
  private readonly counts = new Map<number, DeliveryCounts>();
  /** One-entry cache of `room` (per-delivery lookups). */
  private lastCounts: DeliveryCounts | undefined = undefined;
  private lastCountsRoom = -1;

  /**
   * @param options.graceMs how long after its send a delivery may still arrive on time.
   * @param options.maxMissingRecords cap on remembered missing pairs (to recognise late arrivals); beyond
   *   it a late arrival is counted as unexpected instead of late. Also the cap on remembered ack-timed-out sends.
   * @param options.keepMembershipLog keep every membership interval (for `membershipLog`, segment runs)
   *   instead of forgetting those too old to matter here.
   */
  constructor(options: {
    graceMs: number;
    maxMissingRecords?: number;
    keepMembershipLog?: boolean;
    /** Where to keep the first examples of each anomaly. */
    examples?: AnomalyExamples;
  }) {
    this.examples = options.examples ?? null;
    this.graceMs = options.graceMs;
    this.missing = new MissingPairs(options.maxMissingRecords ?? 100_000);
    this.ackTimedOut = new AckTimedOutSends(options.maxMissingRecords ?? 100_000);
    this.views = new RecipientViews(options.keepMembershipLog ?? false);
  }

  /** A recipient became a member of a room (RoomInit received) at `atMs`. */
  joined(recipient: number, roomId: number, atMs: number): void {
    this.views.joined(recipient, roomId, atMs);
  }

  /** A recipient asked to join (JoinRoom sent) at `atMs`: see RecipientViews.joining. */
  joining(recipient: number, roomId: number, atMs: number): void {
    this.views.joining(recipient, roomId, atMs);
  }

  /** A recipient started to leave at `atMs`: see RecipientViews.leaving. */
  leaving(recipient: number, roomId: number, atMs: number): void {
    this.views.leaving(recipient, roomId, atMs);
  }

  /** A recipient stopped being a member at `atMs`: see RecipientViews.left. */
  left(recipient: number, roomId: number, atMs: number, connectionClosed = false): void {
    this.views.left(recipient, roomId, atMs, connectionClosed);
    // Nothing registered was acked after the end (the usual deliberate close, the end of the run): nothing to excuse.
    if (!connectionClosed || atMs >= this.latestAckedAtMs) return;
    // A lost connection ends the membership back at the last time the recipient heard from the server, but a
    // starved harness notices the close seconds later: pairs registered meanwhile as expected, whose message was
    // acked after that time, may have been fanned out after the close. They become optional (issue 15).
    const view = this.views.find(recipient, roomId);
    if (view === undefined) return;
    this.release(
      recipient,
      roomId,
      view,
      (message) => membershipCoverage(view.intervals, message.sentAtMs, message.ackedAtMs) !== 'full',
    );
  }

  /**
   * The harness closed the recipient's connection (a reconnect action or a storm) while deliveries were still owed
   * to it: it waited for them up to the grace period (see ClientReconnects.depart), so the server was late, and
   * the close cut off what was still on its way. Owed pairs above the highest id the recipient received in the
   * room become optional; those below it stay lost: the room's later messages arrived and they did not, a gap no
   * delay explains (deliveries of a room reach a recipient in id order). A message the server really dropped is
   * excused for such a recipient too (nothing here tells the two apart); the members that stay connected still
   * count it lost. Call before the membership ends.
   */
  cutOff(recipient: number, roomId: number): void {
    const view = this.views.find(recipient, roomId);
    if (view === undefined) return;
    this.release(recipient, roomId, view, (message) => message.messageId > view.highest);
  }

  /**
   * Expected deliveries to `recipient` still missing (messages registered and not yet received). Lets a
   * runner keep a connection it is about to close until what it is owed has arrived.
   */
  outstandingFor(recipient: number): number {
    let count = 0;
    const slot = this.views.slotOf(recipient);
    if (slot === undefined) return 0;
    for (const entry of this.pending.values()) if (hasSlot(entry.remaining, slot)) count++;
    return count;
  }

  /** Registers an acked message (from any worker). Idempotent. */
  registerSent(message: AckedMessage): void {
    const id = message.messageId;
    if (this.pending.has(id) || this.finished.has(id)) return;
    // Explicit fields (one object shape) and no optional set until needed: one entry per acked message.
    const entry: PendingMessage = {
      roomId: message.roomId,
      messageId: id,
      sentAtMs: message.sentAtMs,
      ackedAtMs: message.ackedAtMs,
      sender: message.sender ?? -1,
      remaining: [],
      remainingCount: 0,
      optional: null,
      optionalCount: 0,
    };
    for (const view of this.views.inRoom(message.roomId) ?? []) {
      const coverage = membershipCoverage(view.intervals, message.sentAtMs, message.ackedAtMs);
      if (coverage === 'full') {
        addSlot(entry.remaining, view.slot);
        entry.remainingCount++;
      } else if (coverage === 'partial') {
        addSlot((entry.optional ??= []), view.slot);
        entry.optionalCount++;
      }
    }
    this.room(message.roomId).expected += entry.remainingCount;
    if (message.ackedAtMs > this.latestAckedAtMs) this.latestAckedAtMs = message.ackedAtMs;
    this.pending.set(id, entry);
    const orphans = this.orphans.get(id);
    if (orphans) {
      this.orphans.delete(id);
      for (const orphan of orphans) {
        this.deliveringAtMs = orphan.atMs;
        this.classify(orphan.recipient, orphan.roomId, id, false);
      }
    }
    this.retireIfComplete(entry);
  }

  /**
   * Records that `recipient` received message `messageId` of `roomId` at `atMs`, in its room-view order. `nonce` is
   * the RoomMessage's: it names the send when no ack ever gives the id (see `sendTimedOut`).
   */
  delivered(
    recipient: number,
    roomId: number,
    messageId: number,
    atMs: number,
    nonce: string | null = null,
  ): DeliveryVerdict {
    this.deliveringAtMs = atMs;
    const entry = this.pending.get(messageId);
    if (entry !== undefined) return this.classifyPending(entry, recipient, roomId, messageId, true);
    if (this.missing.has(messageId) || this.finished.has(messageId)) {
      return this.classify(recipient, roomId, messageId, true);
    }
    const list = this.orphans.get(messageId) ?? [];
    if (list.some((o) => o.recipient === recipient)) {
      this.room(roomId).duplicates++;
      this.example('duplicate', recipient, roomId, messageId, null);
      return 'duplicate';
    }
    list.push({ recipient, roomId, atMs, nonce });
    this.orphans.set(messageId, list);
    // The order is a property of arrival, so it is judged now even though the verdict waits for the ack.
    this.advance(this.views.get(recipient, roomId), roomId, messageId);
    return 'pending';
  }

  /**
   * Records that `recipient` received message `messageId` of `roomId` from a sender of ANOTHER segment (segment
   * runs). Its ack is known to that segment only: the id is kept for the merge (`foreignIds`) and the delivery
   * is judged here for duplicates and order only.
   */
  deliveredForeign(
    recipient: number,
    roomId: number,
    messageId: number,
    atMs = 0,
  ): 'ok' | 'reordered' | 'duplicate' {
    this.deliveringAtMs = atMs;
    const view = this.views.get(recipient, roomId);
    const foreign = (view.foreign ??= new IdRangeSet());
    if (foreign.has(messageId)) {
      this.room(roomId).duplicates++;
      this.example('duplicate', recipient, roomId, messageId, null);
      return 'duplicate';
    }
    foreign.add(messageId);
    return this.advance(view, roomId, messageId) ? 'reordered' : 'ok';
  }

  /** Every membership interval of every recipient (all of them only with `keepMembershipLog`). */
  membershipLog(): MembershipLog[] {
    return this.views.membershipLog();
  }

  /** The ids each recipient received from other segments' senders (see `deliveredForeign`). */
  foreignIds(): ForeignIdLog[] {
    return this.views.foreignIds();
  }

  /** Finalizes messages whose grace has passed and drops orphans that no ack explained. Call about once a second. */
  expire(nowMs: number): void {
    this.retireAtMs = nowMs;
    for (const entry of this.pending.values()) {
      if (entry.sentAtMs + this.graceMs <= nowMs) this.retire(entry);
    }
    for (const [id, list] of this.orphans) {
      const kept = list.filter((orphan) => {
        if (orphan.atMs + this.graceMs > nowMs) return true;
        if (this.ackTimedOut.explains(orphan.nonce, orphan.roomId)) {
          this.room(orphan.roomId).ackTimedOutDeliveries++;
          return false;
        }
        this.room(orphan.roomId).unexpected++;
        if (orphan.nonce !== null)
          this.ackTimedOut.keepUnexplained(orphan.nonce, { ...orphan, messageId: id });
        if (this.examples?.wants('unexpected')) {
          this.deliveringAtMs = orphan.atMs;
          this.example(
            'unexpected',
            orphan.recipient,
            orphan.roomId,
            id,
            null,
            'no MessageAck registered for this id',
          );
        }
        return false;
      });
      if (kept.length === 0) this.orphans.delete(id);
      else this.orphans.set(id, kept);
    }
    // Membership intervals only matter for messages that can still be registered.
    const horizon = nowMs - 3 * this.graceMs;
    this.optionalLeft.forgetBefore(horizon);
    this.ackTimedOut.forgetBefore(horizon);
    this.views.prune(horizon);
  }

  /**
   * A send's MessageAck did not come within the grace period (from any worker, like `registerSent`): deliveries
   * carrying its nonce are counted in `ackTimedOutDeliveries`, those already counted unexpected too (moved).
   */
  sendTimedOut(send: AckTimedOutSend): void {
    for (const delivery of this.ackTimedOut.add(send)) {
      const counts = this.room(delivery.roomId);
      counts.unexpected--;
      counts.ackTimedOutDeliveries++;
      this.examples?.withdraw('unexpected', delivery.messageId, delivery.recipient);
    }
  }

  /** Ends tracking: every pending message is finalized and every unexplained delivery is unexpected. */
  finish(): void {
    this.expire(Infinity);
    this.confirmedLoss = 0;
    for (const [id, record] of this.missing.entries()) {
      for (const recipient of record.recipients) {
        const view = this.views.find(recipient, record.roomId);
        if (view === undefined || view.highest <= id) continue;
        // The interval that owed it the message is still open: no leave, drop or reconnect since.
        const owing = view.intervals.find(
          (i) => i.certainFrom <= record.sentAtMs && i.certainTo >= record.ackedAtMs,
        );
        if (owing === undefined || owing.to !== Infinity) continue;
        this.confirmedLoss++;
        this.examples?.annotate(
          'loss',
          id,
          recipient,
          `confirmed: still a member at the end and received #${view.highest} of the room, never this one`,
        );
      }
    }
  }

  /** Lost pairs confirmed by a gap (see DeliveryState.confirmedLoss); 0 before `finish`. */
  private confirmedLoss = 0;

  /** Counts per room so far. */
  roomCounts(): ReadonlyMap<number, DeliveryCounts> {
    return this.counts;
  }

  /** Counts over all rooms so far. */
  totals(): DeliveryCounts {
    const total = zeroDeliveryCounts();
    for (const counts of this.counts.values()) addDeliveryCounts(total, counts);
    return total;
  }

  /** Serializable state for `mergeDeliveryStates`. */
  snapshot(): DeliveryState {
    return {
      rooms: [...this.counts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([roomId, counts]) => [roomId, { ...counts }]),
      confirmedLoss: this.confirmedLoss,
    };
  }

  /** Number of messages still awaiting deliveries (a measure of the tracker's memory). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private classify(recipient: number, roomId: number, id: number, judgeOrder: boolean): DeliveryVerdict {
    const entry = this.pending.get(id);
    if (entry !== undefined) return this.classifyPending(entry, recipient, roomId, id, judgeOrder);
    return this.classifyDone(recipient, roomId, id, judgeOrder);
  }

  /** `classify` for a message still pending (the per-delivery hot path: its entry is already looked up). */
  private classifyPending(
    entry: PendingMessage,
    recipient: number,
    roomId: number,
    id: number,
    judgeOrder: boolean,
  ): DeliveryVerdict {
    if (entry.roomId !== roomId) return this.classifyDone(recipient, roomId, id, judgeOrder);
    const counts = this.room(roomId);
    const view = this.views.get(recipient, roomId);
    if (takeSlot(entry.remaining, view.slot)) {
      entry.remainingCount--;
      counts.seen++;
      const reordered = judgeOrder && this.advance(view, roomId, id);
      this.retireIfComplete(entry);
      return reordered ? 'reordered' : 'ok';
    }
    if (entry.optional !== null && takeSlot(entry.optional, view.slot)) {
      entry.optionalCount--;
      counts.optional++;
      if (judgeOrder) this.advance(view, roomId, id);
      this.retireIfComplete(entry);
      return 'optional';
    }
    if (membershipCoverage(view.intervals, entry.sentAtMs, entry.ackedAtMs) !== 'none') {
      counts.duplicates++;
      this.example('duplicate', recipient, roomId, id, entry);
      return 'duplicate';
    }
    counts.unexpected++;
    this.example('unexpected', recipient, roomId, id, entry, 'recipient not a member while in flight');
    return 'unexpected';
  }

  /** `classify` for a message no longer pending (or pending in another room). */
  private classifyDone(recipient: number, roomId: number, id: number, judgeOrder: boolean): DeliveryVerdict {
    const counts = this.room(roomId);
    const view = this.views.get(recipient, roomId);
    const missed = this.missing.take(id, roomId, recipient);
    if (missed !== null) {
      counts.late++;
      counts.seen++;
      counts.loss--;
      if (this.examples !== null) {
        this.examples.withdraw('loss', id, recipient);
        this.example('late', recipient, roomId, id, missed);
      }
      if (judgeOrder) this.advance(view, roomId, id);
      return 'late';
    }
    if (this.optionalLeft.take(id, roomId, recipient)) {
      counts.optional++;
      if (judgeOrder) this.advance(view, roomId, id);
      return 'optional';
    }
    // Finished message: this recipient either had it already or was never meant to get it.
    if (view.highest >= id) {
      counts.duplicates++;
      this.example('duplicate', recipient, roomId, id, null);
      return 'duplicate';
    }
    counts.unexpected++;
    this.example('unexpected', recipient, roomId, id, null, 'arrived after its message was finalized');
    return 'unexpected';
  }

  /**
   * Makes the recipient's owed pairs in `roomId` that `excused` accepts optional: those still pending, and
   * those already counted lost (their loss, its example and the pair's expectation are withdrawn).
   */
  private release(
    recipient: number,
    roomId: number,
    view: RecipientView,
    excused: (message: { messageId: number; sentAtMs: number; ackedAtMs: number }) => boolean,
  ): void {
    const counts = this.room(roomId);
    for (const entry of this.pending.values()) {
      if (entry.roomId !== roomId || !hasSlot(entry.remaining, view.slot) || !excused(entry)) continue;
      takeSlot(entry.remaining, view.slot);
      entry.remainingCount--;
      addSlot((entry.optional ??= []), view.slot);
      entry.optionalCount++;
      counts.expected--;
    }
    for (const id of this.missing.release(recipient, roomId, excused)) {
      counts.loss--;
      counts.expected--;
      this.examples?.withdraw('loss', id, recipient);
      this.optionalLeft.add(id, roomId, this.retireAtMs, [recipient]);
    }
  }

  /** Moves the recipient's view forward; returns whether `id` arrived out of order. */
  private advance(view: RecipientView, roomId: number, id: number): boolean {
    if (id < view.highest) {
      this.room(roomId).reorders++;
      if (this.examples?.wants('reorder')) {
        const recipient = this.views.recipientAt[view.slot] as number;
        const entry = this.pending.get(id) ?? this.missing.get(id) ?? null;
        this.examples.record('reorder', {
          ...this.exampleFacts(recipient, roomId, id, entry),
          expectedAfter: view.highest,
        });
      }
      return true;
    }
    view.highest = id;
    return false;
  }

  private retireIfComplete(entry: PendingMessage): void {
    if (entry.remainingCount === 0 && entry.optionalCount === 0) this.retire(entry);
  }

  private retire(entry: PendingMessage): void {
    this.pending.delete(entry.messageId);
    this.finished.add(entry.messageId);
    if (entry.optionalCount > 0 && entry.optional !== null) {
      const recipientAt = this.views.recipientAt;
      const recipients = slotsOf(entry.optional).map((slot) => recipientAt[slot] as number);
      this.optionalLeft.add(entry.messageId, entry.roomId, this.retireAtMs, recipients);
    }
    if (entry.remainingCount === 0) return;
    this.room(entry.roomId).loss += entry.remainingCount;
    const room = entry.roomId;
    const recipientAt = this.views.recipientAt;
    this.missing.add(
      entry.messageId,
      room,
      entry,
      slotsOf(entry.remaining).map((slot) => recipientAt[slot] as number),
    );
    if (this.examples?.wants('loss')) {
      for (const slot of slotsOf(entry.remaining)) {
        if (!this.examples.wants('loss')) break;
        const recipient = this.views.recipientAt[slot] as number;
        this.examples.record('loss', {
          ...this.exampleFacts(recipient, room, entry.messageId, entry),
          deliveredAt: null,
          detail: `not delivered within ${this.graceMs} ms of the send`,
        });
      }
    }
  }

  /** Keeps an example of an anomaly of one delivery (the one being classified) if more are wanted. */
  private example(
    kind: 'duplicate' | 'unexpected' | 'late',
    recipient: number,
    roomId: number,
    id: number,
    message: MessageFacts | null,
    detail?: string,
  ): void {
    if (this.examples === null || !this.examples.wants(kind)) return;
    this.examples.record(kind, {
      ...this.exampleFacts(recipient, roomId, id, message),
      detail: detail ?? null,
    });
  }

  private exampleFacts(recipient: number, roomId: number, id: number, message: MessageFacts | null) {
    const sender = message?.sender ?? -1;
    return {
      roomId,
      messageId: id,
      recipient,
      sender: sender >= 0 ? sender : null,
      sentAt: message?.sentAtMs ?? null,
      ackedAt: message?.ackedAtMs ?? null,
      deliveredAt: this.deliveringAtMs,
      membership: this.views.find(recipient, roomId)?.intervals ?? null,
    };
  }

  private room(roomId: number): DeliveryCounts {
    // Counts are never removed, so the last room's counts can be reused without a lookup.
    if (this.lastCounts !== undefined && this.lastCountsRoom === roomId) return this.lastCounts;
    let counts = this.counts.get(roomId);
    if (!counts) {
      counts = zeroDeliveryCounts();
      this.counts.set(roomId, counts);
    }
    this.lastCounts = counts;
    this.lastCountsRoom = roomId;
    return counts;
  }
}
