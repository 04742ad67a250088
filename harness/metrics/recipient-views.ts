/**
 * What the delivery tracker knows of each recipient in each room: its membership intervals with their uncertain
 * edges (joins and leaves as the client can know them), the highest id it received, the ids it received from
 * other segments' senders, and its dense slot in the pending messages' recipient bitmaps.
 */
import type { ForeignIdLog, MembershipInterval, MembershipLog } from './delivery-records.js';
import type { IdRangeSet } from './id-set.js';

export interface Interval extends MembershipInterval {
  /**
   * A JoinRoom was sent while this membership's leave was still under way (RoomClose not in yet): the server ends the
   * old membership and starts the new one somewhere in between, so the interval stays open (uncertain) across that
   * RoomClose until the RoomInit starts a certain one.
   */
  rejoining?: boolean;
}

export interface RecipientView {
  /** Membership intervals, oldest first; the open one has `to = Infinity`. */
  intervals: Interval[];
  /** Highest message id delivered to this recipient in this room. */
  highest: number;
  /** Intervals pruned from `intervals`, oldest first (only with `keepMembershipLog`, else null). */
  past: Interval[] | null;
  /** Ids received from senders of other segments (first deliveries), or null before the first one. */
  foreign: IdRangeSet | null;
  /** The recipient's slot in the pending messages' recipient bitmaps (recipient-bits.ts). */
  slot: number;
}

/** Views by room and recipient, with each recipient's bitmap slot. */
export class RecipientViews {
  /** room -> recipient -> view. */
  private readonly byRoom = new Map<number, Map<number, RecipientView>>();
  /** Dense slot of each recipient (the bit of a pending message's recipient bitmap), and back. */
  private readonly slots = new Map<number, number>();
  /** The recipient of each slot. */
  readonly recipientAt: number[] = [];
  /**
   * The views with more than one interval: only these have an interval `prune` may drop (it keeps the last one).
   * Most recipients have one membership per room for the whole run, so `prune`, called every second, walks these
   * instead of every view of every room (100,000 views at 50,000 clients: a ~5 ms block of the event loop).
   */
  private readonly multiInterval = new Set<RecipientView>();
  /** One-entry cache of `get` (per-delivery lookups). */
  private lastView: RecipientView | undefined = undefined;
  private lastViewRoom = -1;
  private lastViewRecipient = -1;

  constructor(
    /** Keep pruned intervals (for `membershipLog`, segment runs) instead of forgetting them. */
    private readonly keepPast: boolean,
  ) {}

  /** The view of a recipient in a room, if it exists. */
  find(recipient: number, roomId: number): RecipientView | undefined {
    return this.byRoom.get(roomId)?.get(recipient);
  }

  /** The views of a room's recipients. */
  inRoom(roomId: number): Iterable<RecipientView> {
    return this.byRoom.get(roomId)?.values() ?? [];
  }

  /** The bitmap slot of a recipient, if it has one. */
  slotOf(recipient: number): number | undefined {
    return this.slots.get(recipient);
  }

  /** A recipient became a member of a room (RoomInit received) at `atMs`. */
  joined(recipient: number, roomId: number, atMs: number): void {
    const view = this.get(recipient, roomId);
    const last = view.intervals.at(-1);
    if (last && last.to === Infinity && last.rejoining === true) {
      // The rejoin's RoomInit: the old membership (leave under way) ends here at the latest, the new one is certain.
      last.to = Math.max(atMs, last.from);
      last.rejoining = false;
      this.addInterval(view, { from: atMs, to: Infinity, certainFrom: atMs, certainTo: Infinity });
      return;
    }
    if (last && last.to === Infinity) {
      // Ends the uncertain start opened by `joining`.
      if (last.certainFrom === Infinity) last.certainFrom = Math.max(atMs, last.from);
      return;
    }
    this.addInterval(view, { from: atMs, to: Infinity, certainFrom: atMs, certainTo: Infinity });
  }

  /**
   * A recipient asked to join (JoinRoom sent) at `atMs`: until `joined`, messages in flight may or may not
   * reach it (optional, never expected).
   */
  joining(recipient: number, roomId: number, atMs: number): void {
    const view = this.get(recipient, roomId);
    const last = view.intervals.at(-1);
    if (last && last.to === Infinity) {
      // Joining again while the leave is under way (issue 15: such deliveries counted as unexpected).
      if (last.certainTo !== Infinity) last.rejoining = true;
      return;
    }
    this.addInterval(view, { from: atMs, to: Infinity, certainFrom: Infinity, certainTo: Infinity });
  }

  /**
   * A recipient started to leave at `atMs` (LeaveRoom sent, deliberate disconnect): messages acked after it
   * may or may not reach it (optional) until `left` ends the membership.
   */
  leaving(recipient: number, roomId: number, atMs: number): void {
    const last = this.find(recipient, roomId)?.intervals.at(-1);
    if (last && last.to === Infinity) last.certainTo = Math.min(last.certainTo, atMs);
  }

  /**
   * A recipient stopped being a member at `atMs`: LeaveRoom sent, RoomClose received, or its connection
   * was lost (pass the last time the connection was known good, and `connectionClosed`). A RoomClose while a
   * rejoin is under way leaves the membership open (see Interval.rejoining); a closed connection ends it.
   */
  left(recipient: number, roomId: number, atMs: number, connectionClosed = false): void {
    const last = this.find(recipient, roomId)?.intervals.at(-1);
    if (last && last.to === Infinity) {
      if (last.rejoining === true && !connectionClosed) return;
      last.rejoining = false;
      last.to = Math.max(atMs, last.from);
      last.certainTo = Math.min(last.certainTo, last.to);
    }
  }

  /** Every membership interval of every recipient (all of them only with `keepMembershipLog`). */
  membershipLog(): MembershipLog[] {
    const logs: MembershipLog[] = [];
    for (const [roomId, roomViews] of this.byRoom) {
      for (const [recipient, view] of roomViews) {
        const intervals = [...(view.past ?? []), ...view.intervals].map((i) => ({ ...i }));
        if (intervals.length > 0) logs.push({ recipient, roomId, intervals });
      }
    }
    return logs;
  }

  /** The ids each recipient received from other segments' senders (see `deliveredForeign`). */
  foreignIds(): ForeignIdLog[] {
    const logs: ForeignIdLog[] = [];
    for (const [roomId, roomViews] of this.byRoom) {
      for (const [recipient, view] of roomViews) {
        if (view.foreign !== null) logs.push({ recipient, roomId, ranges: view.foreign.flatRanges() });
      }
    }
    return logs;
  }

  /** Forgets (or, keeping the past, moves aside) closed intervals that ended before `horizon`. */
  prune(horizon: number): void {
    for (const view of this.multiInterval) {
      while (view.intervals.length > 1 && (view.intervals[0] as Interval).to < horizon) {
        const old = view.intervals.shift() as Interval;
        if (this.keepPast) (view.past ??= []).push(old);
      }
      if (view.intervals.length <= 1) this.multiInterval.delete(view);
    }
  }

  /**
   * Appends a membership interval. A view's first interval gets an array of exactly one: a push onto an empty array
   * reserves 17 slots, ~70 bytes per recipient and room that most recipients (one membership per room) never use.
   */
  private addInterval(view: RecipientView, interval: Interval): void {
    if (view.intervals.length === 0) {
      view.intervals = [interval];
      return;
    }
    view.intervals.push(interval);
    this.multiInterval.add(view);
  }

  /** The view of a recipient in a room, created on first use. */
  get(recipient: number, roomId: number): RecipientView {
    // Consecutive deliveries mostly hit the same view (views are never removed, so the cache stays valid).
    const cached = this.lastView;
    if (cached !== undefined && this.lastViewRoom === roomId && this.lastViewRecipient === recipient)
      return cached;
    const view = this.lookupView(recipient, roomId);
    this.lastView = view;
    this.lastViewRoom = roomId;
    this.lastViewRecipient = recipient;
    return view;
  }

  private lookupView(recipient: number, roomId: number): RecipientView {
    let roomViews = this.byRoom.get(roomId);
    if (!roomViews) {
      roomViews = new Map();
      this.byRoom.set(roomId, roomViews);
    }
    let view = roomViews.get(recipient);
    if (!view) {
      let slot = this.slots.get(recipient);
      if (slot === undefined) {
        slot = this.recipientAt.length;
        this.slots.set(recipient, slot);
        this.recipientAt.push(recipient);
      }
      view = { intervals: [], highest: 0, past: null, foreign: null, slot };
      roomViews.set(recipient, view);
    }
    return view;
  }
}
