/**
 * One hot-room episode, shared by the hot-room checks of a run (PROTOCOL.md 8, 10): two members (alice sends, bob
 * watches) in two fresh rooms.
 *
 *   below:     N-1 messages in one burst into room R0 (rate just under promote_rate): no promotion expected;
 *   promotion: N messages in one burst into room R1 (the N-th makes the rate reach promote_rate), then a few more
 *              messages and a reaction while R1 is hot;
 *   demotion:  silence until RoomDemoted (bounded by cool_down + window + 1 s + slack), then a few messages that
 *              must travel on the shard stream again.
 *
 * Phases run once, in order, on demand: a check awaits only the phases it needs, and later checks reuse them.
 * Every wait is bounded; a phase records what it saw instead of failing where a check can judge it better.
 */
import { compareU64, type PayloadOf, type U64 } from '../../spec/index.js';
import type { ProbeConnection } from './probe-connection.js';
import type { HotRoomParams, SuiteEnvironment } from './suite-environment.js';

/** Messages needed in one window to reach a rate: smallest count with count * 1000 >= rate * window. */
export function messagesForRate(rate: number, windowMs: number): number {
  return Math.max(1, Math.ceil((rate * windowMs) / 1000 - 1e-9));
}

/** Largest burst the suite sends to one room (the reference server's rate-limit burst is 2000). */
export const MAX_BURST = 1900;

/** Least extra time allowed for a promotion beyond one rate window, ms (at least one per-step timeout is allowed). */
export const PROMOTE_TOLERANCE_MS = 1000;

/** Extra time allowed for a promotion beyond one rate window: the larger of 1 s and the per-step timeout. */
export function promoteToleranceMs(timeoutMs: number): number {
  return Math.max(PROMOTE_TOLERANCE_MS, timeoutMs);
}

/**
 * Maps server timestamps (MessageAck.timestamp, Unix ms) to this process's performance.now() time, using the
 * least-delayed acknowledgement as the reference (clock offset plus the smallest one-way delay). A stalled client
 * then cannot make a server event look later than it was.
 */
export function serverClock(messages: readonly EpisodeMessage[]): (serverMs: number) => number {
  let offset = Infinity;
  for (const m of messages) offset = Math.min(offset, performance.timeOrigin + m.ackAt - Number(m.timestamp));
  if (!Number.isFinite(offset)) offset = 0;
  return (serverMs) => serverMs + offset - performance.timeOrigin;
}
/** Extra time allowed for a demotion beyond cool_down + window + 1 s, ms. */
export const DEMOTE_SLACK_MS = 1500;
/** A demotion may come this much earlier than the bounds computed from client-side times, ms. */
export const EARLY_TOLERANCE_MS = 400;
/** Bucket width an implementation may count rates in (10/rate), ms. */
export const RATE_BUCKET_MS = 100;

/** Why hot-room checks cannot run with these parameters, or null when they can. */
export function hotRoomSkipReason(hot: HotRoomParams): string | null {
  if (hot.maxHotRooms === 0) return 'max_hot_rooms is 0: the server promotes no room (10/scope)';
  const n = messagesForRate(hot.promoteRate, hot.rateWindowMs);
  if (n > MAX_BURST)
    return `promote_rate ${hot.promoteRate}/s over ${hot.rateWindowMs} ms needs ${n} messages in one burst (> ${MAX_BURST})`;
  return null;
}

/** An acknowledged message of the episode. */
export interface EpisodeMessage {
  readonly nonce: string;
  readonly id: U64;
  /** Server timestamp (MessageAck.timestamp). */
  readonly timestamp: U64;
  /** When the ack arrived (performance.now()). */
  readonly ackAt: number;
}

/** Members and rooms of the episode. */
export interface EpisodeSetup {
  readonly alice: ProbeConnection;
  readonly bob: ProbeConnection;
  /** Room that gets one message less than the promotion needs. */
  readonly quietRoom: number;
  /** Room that is promoted, then demoted. */
  readonly hotRoom: number;
  /** Messages that make the rate reach promote_rate. */
  readonly promoteCount: number;
}

/** Outcome of the below-threshold burst. */
export interface BelowPhase {
  readonly sent: number;
  /** RoomPromoted for the quiet room seen by a member, if any (description). */
  readonly promotion: string | null;
}

/** Outcome of the promoting burst. */
export interface PromotionPhase {
  readonly promoted: boolean;
  /** When the burst was written. */
  readonly startedAt: number;
  /** The burst, in acknowledgement (= id) order. */
  readonly burst: readonly EpisodeMessage[];
  /** Messages sent while hot. */
  readonly whileHot: readonly EpisodeMessage[];
  /** RoomPromoted arrival on each member's control stream (performance.now()), when seen. */
  readonly promotedAt: ReadonlyMap<ProbeConnection, number>;
}

/** Outcome of the cool-down. */
export interface DemotionPhase {
  readonly demoted: boolean;
  /** Why no demotion was waited for (not promoted, demote_rate 0), or null. */
  readonly notAttempted: string | null;
  /** How long the suite waited after the last message, ms. */
  readonly waitedMs: number;
  /** RoomDemoted arrival per member. */
  readonly demotedAt: ReadonlyMap<ProbeConnection, number>;
  /** Messages sent after the demotion. */
  readonly after: readonly EpisodeMessage[];
}

/** The shared episode of one run. */
export class HotRoomEpisode {
  private setupPhase: Promise<EpisodeSetup> | null = null;
  private belowPhase: Promise<BelowPhase> | null = null;
  private promotionPhase: Promise<PromotionPhase> | null = null;
  private demotionPhase: Promise<DemotionPhase> | null = null;

  constructor(private readonly env: SuiteEnvironment) {}

  /** Hot-room parameters in force. */
  get hot(): HotRoomParams {
    return this.env.params.hot;
  }

  private get timeoutMs(): number {
    return this.env.settings.timeoutMs;
  }

  /** True once the promotion phase started (a later check may have to wait for its demotion). */
  get promotionStarted(): boolean {
    return this.promotionPhase !== null;
  }

  /** Logs in alice and bob and joins both to two fresh rooms. */
  setup(): Promise<EpisodeSetup> {
    this.setupPhase ??= (async () => {
      const alice = await this.env.openProbe('hot-alice');
      await alice.login(this.env.username('hot-alice'), this.timeoutMs);
      const bob = await this.env.openProbe('hot-bob');
      await bob.login(this.env.username('hot-bob'), this.timeoutMs);
      const quietRoom = this.env.freshRoomId();
      const hotRoom = this.env.freshRoomId();
      for (const roomId of [quietRoom, hotRoom]) {
        await alice.joinRoom(roomId, this.timeoutMs);
        await bob.joinRoom(roomId, this.timeoutMs);
      }
      return {
        alice,
        bob,
        quietRoom,
        hotRoom,
        promoteCount: messagesForRate(this.hot.promoteRate, this.hot.rateWindowMs),
      };
    })();
    return this.setupPhase;
  }

  /** N-1 messages into the quiet room in one burst. */
  below(): Promise<BelowPhase> {
    this.belowPhase ??= (async () => {
      const s = await this.setup();
      const count = s.promoteCount - 1;
      if (count > 0) {
        const nonces = this.nonces('below', count);
        const mark = s.alice.sendBurst(s.quietRoom, nonces);
        const acks = await s.alice.waitAcks(nonces, this.burstTimeout(count), mark);
        const ids = acks.map((a) => a.ack.message_id);
        for (const member of [s.alice, s.bob]) await this.waitDelivered(member, s.quietRoom, ids);
        await sleep(this.env.settings.settleMs);
      }
      let promotion: string | null = null;
      for (const member of [s.alice, s.bob]) {
        const seen = member.find('control', 'RoomPromoted', (p) => compareU64(p.room_id, s.quietRoom) === 0);
        if (seen.length > 0) promotion = `${member.label} got RoomPromoted for room ${s.quietRoom}`;
      }
      return { sent: Math.max(0, count), promotion };
    })();
    return this.belowPhase;
  }

  /** N messages into the hot room in one burst, then messages and a reaction while it is hot. */
  promotion(): Promise<PromotionPhase> {
    this.promotionPhase ??= (async () => {
      await this.below().catch(() => undefined);
      const s = await this.setup();
      const nonces = this.nonces('burst', s.promoteCount);
      const startedAt = performance.now();
      const burstMark = s.alice.sendBurst(s.hotRoom, nonces);
      const burst = this.messages(
        nonces,
        await s.alice.waitAcks(nonces, this.burstTimeout(nonces.length), burstMark),
      );
      const promotedAt = new Map<ProbeConnection, number>();
      const deadline = startedAt + this.hot.rateWindowMs + promoteToleranceMs(this.timeoutMs);
      for (const member of [s.alice, s.bob]) {
        // Bob is only waited for once alice (the sender) saw the promotion.
        if (member === s.bob && !promotedAt.has(s.alice)) break;
        // RoomPromoted follows the trigger's MessageAck on the control stream: allow a quiet period after the acks.
        const wait =
          member === s.alice
            ? Math.max(deadline - performance.now(), this.env.settings.settleMs)
            : this.timeoutMs;
        if (member === s.alice)
          this.env.announceWait(
            `RoomPromoted for room ${s.hotRoom} (a ${s.promoteCount}-message burst; promotion due within the ${this.hot.rateWindowMs} ms rate window)`,
            wait,
          );
        const seen = await member
          .until(
            () => member.find('control', 'RoomPromoted', (p) => compareU64(p.room_id, s.hotRoom) === 0)[0],
            {
              timeoutMs: wait,
              expected: 'RoomPromoted',
            },
          )
          .catch(() => undefined);
        if (seen) promotedAt.set(member, seen.at);
      }
      if (!promotedAt.has(s.alice)) return { promoted: false, startedAt, burst, whileHot: [], promotedAt };
      for (const member of [s.alice, s.bob])
        await member
          .until(() => member.hotStreamOf(s.hotRoom), {
            timeoutMs: this.timeoutMs,
            expected: 'hot-room stream',
          })
          .catch(() => undefined);
      const hotNonces = this.nonces('hot', 5);
      const hotMark = s.alice.sendBurst(s.hotRoom, hotNonces);
      // React to the newest message: older ones may have left the room's history (8/message-scope).
      s.alice.command('AddReaction', { message_id: burst[burst.length - 1]!.id, emoji: '🔥' });
      const whileHot = this.messages(hotNonces, await s.alice.waitAcks(hotNonces, this.timeoutMs, hotMark));
      const ids = [...burst, ...whileHot].map((m) => m.id);
      for (const member of [s.alice, s.bob]) {
        await this.waitDelivered(member, s.hotRoom, ids);
        await member
          .until(
            () => member.find('any', 'RoomReactionAdded', (p) => compareU64(p.room_id, s.hotRoom) === 0)[0],
            {
              timeoutMs: this.timeoutMs,
              expected: 'RoomReactionAdded',
            },
          )
          .catch(() => undefined);
      }
      return { promoted: true, startedAt, burst, whileHot, promotedAt };
    })();
    return this.promotionPhase;
  }

  /** Silence until RoomDemoted, then a few messages. */
  demotion(): Promise<DemotionPhase> {
    this.demotionPhase ??= (async () => {
      const promotion = await this.promotion();
      const s = await this.setup();
      const none = (why: string): DemotionPhase => ({
        demoted: false,
        notAttempted: why,
        waitedMs: 0,
        demotedAt: new Map(),
        after: [],
      });
      if (!promotion.promoted) return none(`room ${s.hotRoom} was never promoted`);
      if (this.hot.demoteRate <= 0) return none('demote_rate is 0: a rate below it never occurs');
      const last = Math.max(...[...promotion.burst, ...promotion.whileHot].map((m) => m.ackAt));
      const bound = this.demoteBoundMs();
      const demotedAt = new Map<ProbeConnection, number>();
      for (const member of [s.alice, s.bob]) {
        if (member === s.bob && !demotedAt.has(s.alice)) break;
        const wait = member === s.alice ? last + bound - performance.now() : this.timeoutMs;
        if (member === s.alice)
          this.env.announceWait(
            `RoomDemoted for room ${s.hotRoom} (silent since its last message; cool-down ${this.hot.coolDownMs} ms + window ${this.hot.rateWindowMs} ms + 1 s)`,
            wait,
          );
        const seen = await member
          .until(
            () => member.find('control', 'RoomDemoted', (p) => compareU64(p.room_id, s.hotRoom) === 0)[0],
            {
              timeoutMs: Math.max(wait, 1),
              expected: 'RoomDemoted',
            },
          )
          .catch(() => undefined);
        if (seen) demotedAt.set(member, seen.at);
      }
      const waitedMs = performance.now() - last;
      if (!demotedAt.has(s.alice))
        return { demoted: false, notAttempted: null, waitedMs, demotedAt, after: [] };
      for (const member of [s.alice, s.bob]) {
        const hotStream = member.hotStreamOf(s.hotRoom);
        if (hotStream !== undefined)
          await member
            .until(() => member.finished.has(hotStream), { timeoutMs: this.timeoutMs, expected: 'FIN' })
            .catch(() => undefined);
      }
      const nonces = this.nonces('after', 3);
      const afterMark = s.alice.sendBurst(s.hotRoom, nonces);
      const after = this.messages(nonces, await s.alice.waitAcks(nonces, this.timeoutMs, afterMark));
      for (const member of [s.alice, s.bob])
        await this.waitDelivered(
          member,
          s.hotRoom,
          after.map((m) => m.id),
        );
      return { demoted: true, notAttempted: null, waitedMs, demotedAt, after };
    })();
    return this.demotionPhase;
  }

  /** Longest time after the last message a demotion may take: cool_down + window + 1 s + slack. */
  demoteBoundMs(): number {
    return this.hot.coolDownMs + this.hot.rateWindowMs + 1000 + DEMOTE_SLACK_MS;
  }

  /** Upper bound of the whole episode, ms (for check budgets). */
  budgetMs(): number {
    return (
      20 * this.timeoutMs +
      2 * this.hot.rateWindowMs +
      this.demoteBoundMs() +
      promoteToleranceMs(this.timeoutMs)
    );
  }

  /** Every acknowledged message of the hot room, in id order. */
  async hotRoomMessages(): Promise<EpisodeMessage[]> {
    const promotion = await this.promotion();
    const demotion = await this.demotion();
    return [...promotion.burst, ...promotion.whileHot, ...demotion.after];
  }

  private burstTimeout(count: number): number {
    return this.timeoutMs + count * 2;
  }

  private nonces(label: string, count: number): string[] {
    return Array.from({ length: count }, () => this.env.nonce(label));
  }

  private messages(
    nonces: readonly string[],
    acks: { ack: PayloadOf<'MessageAck'>; at: number }[],
  ): EpisodeMessage[] {
    return acks.map((a, i) => ({
      nonce: nonces[i]!,
      id: a.ack.message_id,
      timestamp: a.ack.timestamp,
      ackAt: a.at,
    }));
  }

  /** Waits (bounded, never failing) until a member has received every listed message of a room. */
  private async waitDelivered(member: ProbeConnection, roomId: number, ids: readonly U64[]): Promise<void> {
    const wanted = new Set(ids.map(String));
    await member
      .until(
        () => {
          const got = new Set(
            member
              .payloads('any', 'RoomMessage')
              .filter((p) => compareU64(p.room_id, roomId) === 0)
              .map((p) => String(p.message_id)),
          );
          for (const id of wanted) if (!got.has(id)) return false;
          return true;
        },
        { timeoutMs: this.timeoutMs, expected: 'delivery' },
      )
      .catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
