/**
 * Hot rooms (PROTOCOL.md 8, 10): promotion at the threshold and not below it, frames moving to the hot-room stream,
 * the split point, demotion after the cool-down, the hot-room cap, and exactly-once in-order delivery across the
 * stream switches. All but the cap are judged on the run's shared HotRoomEpisode.
 */
import { compareU64, type U64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, skip, type ConformanceCheck } from '../check.js';
import {
  EARLY_TOLERANCE_MS,
  HotRoomEpisode,
  promoteToleranceMs,
  serverClock,
  RATE_BUCKET_MS,
  hotRoomSkipReason,
  messagesForRate,
  type EpisodeMessage,
  type EpisodeSetup,
  type PromotionPhase,
} from '../hot-room-episode.js';
import type { ProbeConnection } from '../probe-connection.js';

/** The run's shared episode. */
function episodeOf(ctx: CheckContext): HotRoomEpisode {
  return ctx.env.fixture('hot-room-episode', () => new HotRoomEpisode(ctx.env));
}

function skipIfUnsupported(ctx: CheckContext): void {
  const reason = hotRoomSkipReason(ctx.hot);
  if (reason !== null) skip(reason);
}

/** The promotion, or a skip when the room was never promoted (10/promote reports that). */
async function promoted(ctx: CheckContext): Promise<{ setup: EpisodeSetup; promotion: PromotionPhase }> {
  skipIfUnsupported(ctx);
  const episode = episodeOf(ctx);
  const setup = await episode.setup();
  const promotion = await episode.promotion();
  if (!promotion.promoted)
    skip(`precondition failed: room ${setup.hotRoom} was never promoted (see 10/promote)`);
  return { setup, promotion };
}

/** A RoomMessage of the hot room as one member received it. */
interface Arrival {
  readonly id: U64;
  readonly streamId: number | 'datagram';
  readonly seq: number;
}

function arrivals(member: ProbeConnection, roomId: number): Arrival[] {
  const out: Arrival[] = [];
  for (const item of member.received) {
    if (item.frame?.name === 'RoomMessage' && compareU64(item.frame.payload.room_id, roomId) === 0)
      out.push({ id: item.frame.payload.message_id, streamId: item.streamId, seq: item.seq });
  }
  return out;
}

const ids = (list: readonly { id: U64 }[]): string => list.map((m) => String(m.id)).join(', ') || 'none';

function maxId(list: readonly U64[]): U64 | undefined {
  return list.reduce<U64 | undefined>(
    (m, id) => (m === undefined || compareU64(id, m) > 0 ? id : m),
    undefined,
  );
}

function minId(list: readonly U64[]): U64 | undefined {
  return list.reduce<U64 | undefined>(
    (m, id) => (m === undefined || compareU64(id, m) < 0 ? id : m),
    undefined,
  );
}

/**
 * 1-based positions in the burst at which the rate can first reach promote_rate, given the server's acceptance
 * timestamps and one bucket of tolerance on the window (10/rate): [earliest, latest]; latest is undefined when even
 * the narrow window never holds enough messages (the burst was accepted too slowly to require a promotion).
 */
function triggerRange(
  burst: readonly EpisodeMessage[],
  needed: number,
  windowMs: number,
): [number, number | undefined] {
  const times = burst.map((m) => Number(m.timestamp));
  const firstReaching = (window: number): number | undefined => {
    for (let k = 0; k < times.length; k++) {
      let count = 0;
      for (let j = 0; j <= k; j++) if (times[j]! > times[k]! - window) count++;
      if (count >= needed) return k + 1;
    }
    return undefined;
  };
  return [firstReaching(windowMs + RATE_BUCKET_MS) ?? needed, firstReaching(windowMs - RATE_BUCKET_MS)];
}

export const HOT_ROOM_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '10/promote/below-threshold',
    title: 'A burst one message short of promote_rate x window does not promote the room',
    rules: ['10/promote', '10/rate', '16.1/truthful'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      skipIfUnsupported(ctx);
      const episode = episodeOf(ctx);
      const setup = await episode.setup();
      if (setup.promoteCount <= 1)
        skip('promote_rate x window needs a single message: there is nothing below it');
      const below = await episode.below();
      if (below.promotion !== null)
        fail(
          `no promotion after ${below.sent} messages in one burst (promote_rate ${ctx.hot.promoteRate}/s over ${ctx.hot.rateWindowMs} ms needs ${setup.promoteCount})`,
          below.promotion,
        );
    },
  },
  {
    id: '10/promote',
    title:
      'A burst reaching promote_rate x window promotes the room at the message that reaches it, within one window',
    rules: ['10/promote', '10/rate', '16.1/truthful'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      skipIfUnsupported(ctx);
      const episode = episodeOf(ctx);
      const setup = await episode.setup();
      const promotion = await episode.promotion();
      const n = setup.promoteCount;
      const [earliest, latest] = triggerRange(promotion.burst, n, ctx.hot.rateWindowMs);
      const promotedAt = promotion.promotedAt.get(setup.alice);
      if (promotedAt === undefined) {
        if (latest === undefined)
          skip(
            `the server accepted the ${n}-message burst over more than one window: no promotion was required`,
          );
        fail(
          `RoomPromoted{room_id ${setup.hotRoom}} on the control stream within ${ctx.hot.rateWindowMs} + ${promoteToleranceMs(ctx.timeoutMs)} ms of a ${n}-message burst (promote_rate ${ctx.hot.promoteRate}/s over ${ctx.hot.rateWindowMs} ms)`,
          `no RoomPromoted; control stream: ${setup.alice.describeStream('control')}`,
        );
      }
      const hotStream = setup.alice.hotStreamOf(setup.hotRoom);
      const firstHot =
        hotStream === undefined
          ? undefined
          : arrivals(setup.alice, setup.hotRoom).find((a) => a.streamId === hotStream);
      if (firstHot === undefined) {
        ctx.warn(
          'no RoomMessage on a hot-room stream: the trigger message could not be identified (see 10/promote-order)',
        );
        return;
      }
      const position = promotion.burst.findIndex((m) => compareU64(m.id, firstHot.id) === 0) + 1;
      ensure(
        position >= earliest && (latest === undefined || position <= latest),
        `the promotion triggered by burst message #${latest !== undefined && latest === earliest ? earliest : `${earliest}..${latest ?? '?'}`} (the one that makes the rate reach ${ctx.hot.promoteRate}/s)`,
        position === 0
          ? `first hot-stream message ${firstHot.id} is not part of the burst (${ids(promotion.burst)})`
          : `triggered by burst message #${position} (id ${firstHot.id})`,
      );
    },
  },
  {
    id: '10/promote-order',
    title:
      'Promotion: RoomPromoted on control, a new stream headed by RoomPromoted, then the room frames move there',
    rules: ['10/promote-order', '5/hot-room-streams', '4.3/room-frame-routing'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      const { setup, promotion } = await promoted(ctx);
      const fromShard = setup.hotRoom % setup.alice.numShards;
      for (const member of [setup.alice, setup.bob]) {
        const announced = member
          .payloads('control', 'RoomPromoted')
          .find((p) => compareU64(p.room_id, setup.hotRoom) === 0);
        ensure(
          announced !== undefined && announced.from_shard === fromShard,
          `RoomPromoted{room_id ${setup.hotRoom}, from_shard ${fromShard}} on ${member.label}'s control stream`,
          announced
            ? JSON.stringify({ from_shard: announced.from_shard })
            : `none: ${member.describeStream('control')}`,
        );
        const hotStream = member.hotStreamOf(setup.hotRoom);
        if (hotStream === undefined)
          fail(
            `a new server stream for ${member.label} whose first frame is RoomPromoted{room_id ${setup.hotRoom}}`,
            member.describeAllStreams(),
          );
        const onHot = arrivals(member, setup.hotRoom).filter((a) => a.streamId === hotStream);
        const firstHot = minId(onHot.map((a) => a.id));
        const shardStream = member.shardStreamOf(setup.hotRoom);
        const stayed = arrivals(member, setup.hotRoom).filter(
          (a) => a.streamId === shardStream && promotion.whileHot.some((m) => compareU64(m.id, a.id) === 0),
        );
        ensure(
          firstHot !== undefined && stayed.length === 0,
          `the messages sent while room ${setup.hotRoom} is hot (${ids(promotion.whileHot)}) on ${member.label}'s hot-room stream ${hotStream}`,
          `hot-room stream: ${member.describeStream(hotStream)}; shard stream ${shardStream} got ${ids(stayed)}`,
        );
        const reaction = member.find(
          'any',
          'RoomReactionAdded',
          (p) => compareU64(p.room_id, setup.hotRoom) === 0,
        )[0];
        ensure(
          reaction !== undefined && reaction.streamId === hotStream,
          `RoomReactionAdded of the hot room on ${member.label}'s hot-room stream ${hotStream}`,
          reaction ? `on stream ${String(reaction.streamId)}` : 'none received',
        );
      }
    },
  },
  {
    id: '10/split-point',
    title:
      'Shard ids < hot ids at promotion (the trigger on the hot stream); hot ids < shard ids after demotion',
    rules: ['10/split-point', '8/switch-reorder'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      const { setup, promotion } = await promoted(ctx);
      const demotion = await episodeOf(ctx).demotion();
      const [earliest, latest] = triggerRange(promotion.burst, setup.promoteCount, ctx.hot.rateWindowMs);
      const trigger = earliest === latest && latest !== undefined ? promotion.burst[latest - 1] : undefined;
      const afterIds = new Set(demotion.after.map((m) => String(m.id)));
      for (const member of [setup.alice, setup.bob]) {
        const hotStream = member.hotStreamOf(setup.hotRoom);
        const shardStream = member.shardStreamOf(setup.hotRoom);
        const all = arrivals(member, setup.hotRoom);
        const hot = all.filter((a) => a.streamId === hotStream).map((a) => a.id);
        const shardBefore = all
          .filter((a) => a.streamId === shardStream && !afterIds.has(String(a.id)))
          .map((a) => a.id);
        const shardAfter = all
          .filter((a) => a.streamId === shardStream && afterIds.has(String(a.id)))
          .map((a) => a.id);
        const lastShard = maxId(shardBefore);
        const firstHot = minId(hot);
        ensure(
          lastShard === undefined || firstHot === undefined || compareU64(lastShard, firstHot) < 0,
          `every shard-stream id below every hot-stream id of room ${setup.hotRoom} for ${member.label}`,
          `shard stream before the demotion: ${shardBefore.join(', ')}; hot stream: ${hot.join(', ')}`,
        );
        if (trigger !== undefined)
          ensure(
            hot.some((id) => compareU64(id, trigger.id) === 0),
            `the trigger message ${trigger.id} (burst #${latest}) on ${member.label}'s hot-room stream`,
            `hot stream: ${hot.join(', ') || 'nothing'}; shard stream: ${shardBefore.join(', ')}`,
          );
        const lastHot = maxId(hot);
        const firstAfter = minId(shardAfter);
        ensure(
          lastHot === undefined || firstAfter === undefined || compareU64(lastHot, firstAfter) < 0,
          `every hot-stream id below the shard-stream ids after the demotion for ${member.label}`,
          `hot stream: ${hot.join(', ')}; shard stream after the demotion: ${shardAfter.join(', ')}`,
        );
      }
    },
  },
  {
    id: '10/demote',
    title:
      'Demotion after the cool-down (not earlier, and within cool_down + window + 1 s): FIN, RoomDemoted, shard stream',
    rules: ['10/demote', '10/demote-order', '16.1/truthful'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      const { setup, promotion } = await promoted(ctx);
      const episode = episodeOf(ctx);
      const demotion = await episode.demotion();
      if (demotion.notAttempted !== null) skip(demotion.notAttempted);
      const toShard = setup.hotRoom % setup.alice.numShards;
      if (!demotion.demoted)
        fail(
          `RoomDemoted{room_id ${setup.hotRoom}, to_shard ${toShard}} within ${episode.demoteBoundMs()} ms after the last message (cool_down ${ctx.hot.coolDownMs} + window ${ctx.hot.rateWindowMs} + 1000 + slack)`,
          `none after ${Math.round(demotion.waitedMs)} ms; control stream: ${setup.alice.describeStream('control')}`,
        );
      // Server events on this process's clock, from MessageAck timestamps (robust to a stalled client).
      const hotMessages = [...promotion.burst, ...promotion.whileHot];
      const local = serverClock(hotMessages);
      const times = hotMessages.map((m) => local(Number(m.timestamp))).sort((a, b) => a - b);
      const stillHigh = messagesForRate(ctx.hot.demoteRate, ctx.hot.rateWindowMs);
      const rateHighUntil =
        stillHigh <= times.length
          ? times[times.length - stillHigh]! + ctx.hot.rateWindowMs - RATE_BUCKET_MS
          : 0;
      const burstStart = local(Number(promotion.burst[0]!.timestamp));
      for (const member of [setup.alice, setup.bob]) {
        const payload = member
          .payloads('control', 'RoomDemoted')
          .find((p) => compareU64(p.room_id, setup.hotRoom) === 0);
        const at = demotion.demotedAt.get(member);
        ensure(
          payload !== undefined && at !== undefined && payload.to_shard === toShard,
          `RoomDemoted{room_id ${setup.hotRoom}, to_shard ${toShard}} on ${member.label}'s control stream`,
          payload ? JSON.stringify({ to_shard: payload.to_shard }) : member.describeStream('control'),
        );
        const since = at - Math.min(promotion.promotedAt.get(member) ?? at, burstStart);
        ensure(
          since >= ctx.hot.coolDownMs - EARLY_TOLERANCE_MS,
          `no demotion earlier than cool_down ${ctx.hot.coolDownMs} ms after the promotion`,
          `demoted ${Math.round(since)} ms after the promotion`,
        );
        ensure(
          at - rateHighUntil >= ctx.hot.coolDownMs - EARLY_TOLERANCE_MS,
          `no demotion earlier than cool_down ${ctx.hot.coolDownMs} ms after the rate was last >= demote_rate ${ctx.hot.demoteRate}/s`,
          `demoted ${Math.round(at - rateHighUntil)} ms after that`,
        );
        const hotStream = member.hotStreamOf(setup.hotRoom);
        ensure(
          hotStream !== undefined && member.finished.has(hotStream),
          `${member.label}'s hot-room stream finished (FIN) at the demotion`,
          `stream ${hotStream} not finished`,
        );
        const shardStream = member.shardStreamOf(setup.hotRoom);
        const after = arrivals(member, setup.hotRoom).filter((a) =>
          demotion.after.some((m) => compareU64(m.id, a.id) === 0),
        );
        ensure(
          after.length === demotion.after.length && after.every((a) => a.streamId === shardStream),
          `the messages after the demotion (${ids(demotion.after)}) on ${member.label}'s shard stream ${shardStream}`,
          after.map((a) => `${a.id} on stream ${String(a.streamId)}`).join(', ') || 'none received',
        );
      }
    },
  },
  {
    id: '8/exactly-once',
    title:
      'Across promotion and demotion every member gets every message exactly once (no loss, no duplicate)',
    rules: ['8/exactly-once', '8/fan-out'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      const { setup } = await promoted(ctx);
      const sent = await episodeOf(ctx).hotRoomMessages();
      const expected = new Set(sent.map((m) => String(m.id)));
      for (const member of [setup.alice, setup.bob]) {
        const counts = new Map<string, number>();
        for (const a of arrivals(member, setup.hotRoom))
          counts.set(String(a.id), (counts.get(String(a.id)) ?? 0) + 1);
        const missing = [...expected].filter((id) => !counts.has(id));
        const duplicated = [...counts].filter(([, c]) => c > 1).map(([id, c]) => `${id} x${c}`);
        const unknown = [...counts.keys()].filter((id) => !expected.has(id));
        ensure(
          missing.length === 0 && duplicated.length === 0 && unknown.length === 0,
          `each of the ${expected.size} acknowledged messages exactly once for ${member.label}`,
          [
            missing.length ? `missing ${missing.join(', ')}` : '',
            duplicated.length ? `duplicated ${duplicated.join(', ')}` : '',
            unknown.length ? `unexpected ${unknown.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        );
      }
    },
  },
  {
    id: '8/per-stream-order',
    title: 'On every stream the hot room message ids strictly increase, across promotion and demotion',
    rules: ['8/per-stream-order', '8/switch-reorder'],
    budgetMs: (ctx) => episodeOf(ctx).budgetMs(),
    async run(ctx) {
      const { setup } = await promoted(ctx);
      await episodeOf(ctx).demotion();
      for (const member of [setup.alice, setup.bob]) {
        const byStream = new Map<string, U64[]>();
        for (const a of arrivals(member, setup.hotRoom)) {
          const key = String(a.streamId);
          byStream.set(key, [...(byStream.get(key) ?? []), a.id]);
        }
        for (const [stream, list] of byStream) {
          const ordered = list.every((id, i) => i === 0 || compareU64(list[i - 1]!, id) < 0);
          ensure(
            ordered,
            `strictly increasing message ids on stream ${stream} for ${member.label}`,
            list.join(', '),
          );
        }
      }
    },
  },
  {
    id: '10/max-hot',
    title: 'With max_hot_rooms rooms hot, one more room reaching promote_rate is not promoted',
    rules: ['10/max-hot', '10/scope', '16.1/truthful'],
    budgetMs: (ctx) =>
      episodeOf(ctx).budgetMs() +
      (ctx.hot.maxHotRooms + 2) *
        (4 * ctx.timeoutMs + ctx.hot.rateWindowMs + promoteToleranceMs(ctx.timeoutMs)),
    async run(ctx) {
      const episode = episodeOf(ctx);
      // The episode's room holds a slot until it is demoted: let it go first.
      if (episode.promotionStarted) await episode.demotion().catch(() => undefined);
      const max = ctx.hot.maxHotRooms;
      const needed = messagesForRate(ctx.hot.promoteRate, ctx.hot.rateWindowMs);
      if (needed > 1900) skip(`promotion needs ${needed} messages per room; too many for ${max + 1} rooms`);
      if ((max + 1) * needed > 25_000) skip(`max_hot_rooms ${max} x ${needed} messages is too much traffic`);
      const promotedRooms: number[] = [];
      for (let i = 0; i <= max; i++) {
        const sender = await ctx.login(`maxhot${i}`);
        const roomId = ctx.freshRoomId();
        await ctx.join(sender, roomId);
        const nonces = Array.from({ length: needed }, () => ctx.nonce('mh'));
        const start = performance.now();
        const mark = sender.sendBurst(roomId, nonces);
        const acks = await sender.waitAcks(nonces, ctx.timeoutMs + needed * 2, mark);
        const last = acks[acks.length - 1]!.ack.message_id;
        await ctx.expectRoomMessage(sender, roomId, last).catch(() => undefined);
        const isLast = i === max;
        const wait = isLast
          ? ctx.settleMs
          : Math.max(1, start + ctx.hot.rateWindowMs + promoteToleranceMs(ctx.timeoutMs) - performance.now());
        if (i === 0)
          ctx.env.announceWait(
            `RoomPromoted for each of ${max} rooms in turn, then no promotion of one more (each within the ${ctx.hot.rateWindowMs} ms rate window)`,
            (max + 1) * wait,
          );
        const seen = await sender
          .until(
            () => sender.find('control', 'RoomPromoted', (p) => compareU64(p.room_id, roomId) === 0)[0],
            {
              timeoutMs: wait,
              expected: 'RoomPromoted',
            },
          )
          .catch(() => undefined);
        if (seen) promotedRooms.push(roomId);
        if (isLast && seen)
          fail(
            `no promotion of room #${max + 1} while ${max} rooms are hot (max_hot_rooms ${max})`,
            `RoomPromoted for it too (${promotedRooms.length} rooms promoted: ${promotedRooms.join(', ')})`,
          );
        if (!isLast && !seen && max > 0)
          fail(
            `RoomPromoted for room #${i + 1} of ${max} (a hot slot is free; max_hot_rooms ${max})`,
            `none after a ${needed}-message burst (${promotedRooms.length} promoted so far; another client's hot rooms may hold the slots)`,
          );
      }
    },
  },
];
