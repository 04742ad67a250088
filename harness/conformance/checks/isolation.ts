/**
 * Room isolation (PROTOCOL.md 8/members-only, 11/typing-relay, 11/presence-relay): every room-scoped frame the
 * server relays reaches every member of its room and nobody else, in particular not a client who shares another
 * room with the actor. A server that relays to "everyone the actor shares a room with" leaks private rooms.
 *
 * Each check sets up an actor, a member of the actor's room X, and an outsider who shares room Y with the actor
 * but is not in X; the actor does one thing in X; the member must see its frame, the outsider must see nothing
 * about X (on any stream, or as a datagram) within the quiet period.
 */
import { encodeDatagram, type FrameName, type PayloadOf, type U64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';
import { sameId } from './fates.js';
import { sendDatagramUntil } from './keepalive.js';

/** The cast of one isolation check. */
interface Cast {
  readonly actor: ProbeConnection;
  readonly member: ProbeConnection;
  readonly outsider: ProbeConnection;
  /** The room the frame concerns: actor and member are in it, the outsider is not. */
  readonly room: number;
  /** The room actor and outsider share. */
  readonly shared: number;
}

/** Actor and member in room X; actor and outsider in room Y. */
async function cast(ctx: CheckContext, tag: string): Promise<Cast> {
  const actor = await ctx.login(`iso-${tag}-actor`);
  const member = await ctx.login(`iso-${tag}-member`);
  const outsider = await ctx.login(`iso-${tag}-out`);
  const room = await ctx.groupRoom(actor, member);
  const shared = await ctx.groupRoom(actor, outsider);
  return { actor, member, outsider, room, shared };
}

/** Frames and datagrams about `roomId` that `probe` received at or after `after`. */
function framesAbout(probe: ProbeConnection, roomId: U64, after: number): string[] {
  return [...probe.on('any'), ...probe.on('datagram')]
    .filter((item) => item.seq >= after && item.frame !== null)
    .filter((item) => sameId((item.frame!.payload as { room_id?: unknown }).room_id, roomId))
    .map(describeReceived);
}

/** After the quiet period: the outsider received nothing about the room since `after`. */
async function expectNothingAbout(
  ctx: CheckContext,
  outsider: ProbeConnection,
  roomId: U64,
  after: number,
  what: string,
): Promise<void> {
  await ctx.sleep(ctx.settleMs);
  const leaked = framesAbout(outsider, roomId, after);
  ensure(
    leaked.length === 0,
    `no ${what} of room ${roomId} at ${outsider.label}, who is not a member (it shares another room with the actor)`,
    () => `${outsider.label} received ${leaked.join(', ')}`,
  );
}

/** Waits for a room frame `name` of `roomId` at `probe` received at or after `after`. */
async function expectRoomFrame<N extends FrameName>(
  ctx: CheckContext,
  probe: ProbeConnection,
  name: N,
  roomId: U64,
  after: number,
  match: (payload: PayloadOf<N>) => boolean = () => true,
): Promise<void> {
  await probe.expectFrame('any', name, {
    timeoutMs: ctx.timeoutMs,
    after,
    what: `${name} of room ${roomId} at member ${probe.label}`,
    match: (p) => sameId((p as { room_id?: unknown }).room_id, roomId) && match(p),
  });
}

/** One relayed room frame: who must get it, what comes before, and the actor's action that causes it. */
interface RoomFrameCase {
  readonly slug: string;
  readonly name: FrameName;
  readonly title: string;
  /** The members that must receive the frame. */
  recipients(c: Cast): ProbeConnection[];
  /** Preparation (e.g. a message to edit); returns a message id for the action, if any. */
  prepare?(ctx: CheckContext, c: Cast): Promise<U64>;
  /** The action that makes the server relay the frame. */
  act(ctx: CheckContext, c: Cast, messageId: U64): Promise<void>;
}

/** The check of one relayed room frame. */
function roomFrameCheck(spec: RoomFrameCase): ConformanceCheck {
  return {
    id: `8/members-only/${spec.slug}`,
    title: spec.title,
    rules: ['8/members-only', '4.3/room-frame-routing'],
    async run(ctx) {
      const c = await cast(ctx, spec.slug);
      const outsiderMark = c.outsider.mark;
      const messageId = (await spec.prepare?.(ctx, c)) ?? 0;
      const recipients = spec.recipients(c).map((probe) => ({ probe, after: probe.mark }));
      await spec.act(ctx, c, messageId);
      for (const { probe, after } of recipients) await expectRoomFrame(ctx, probe, spec.name, c.room, after);
      await expectNothingAbout(ctx, c.outsider, c.room, outsiderMark, spec.name);
    },
  };
}

/** A message from the actor into the room, delivered to both members. */
async function postedMessage(ctx: CheckContext, c: Cast): Promise<U64> {
  const sent = await ctx.sendMessage(c.actor, c.room, 'isolation');
  await ctx.expectRoomMessage(c.member, c.room, sent.ack.message_id);
  await ctx.expectRoomMessage(c.actor, c.room, sent.ack.message_id);
  return sent.ack.message_id;
}

const bothMembers = (c: Cast): ProbeConnection[] => [c.actor, c.member];

const ROOM_FRAME_CHECKS: readonly ConformanceCheck[] = [
  roomFrameCheck({
    slug: 'room-message',
    name: 'RoomMessage',
    title:
      'RoomMessage reaches every member (sender included) and no one outside the room, not even a co-member of another room',
    recipients: bothMembers,
    async act(ctx, c) {
      await ctx.sendMessage(c.actor, c.room, 'isolation');
    },
  }),
  roomFrameCheck({
    slug: 'edit',
    name: 'RoomMessageEdited',
    title: 'RoomMessageEdited reaches every member and no one outside the room',
    recipients: bothMembers,
    prepare: postedMessage,
    async act(_ctx, c, id) {
      c.actor.command('EditMessage', { message_id: id, content: 'isolation, edited' });
    },
  }),
  roomFrameCheck({
    slug: 'delete',
    name: 'RoomMessageDeleted',
    title: 'RoomMessageDeleted reaches every member and no one outside the room',
    recipients: bothMembers,
    prepare: postedMessage,
    async act(_ctx, c, id) {
      c.actor.command('DeleteMessage', { message_id: id });
    },
  }),
  roomFrameCheck({
    slug: 'reaction-add',
    name: 'RoomReactionAdded',
    title: 'RoomReactionAdded reaches every member and no one outside the room',
    recipients: bothMembers,
    prepare: postedMessage,
    async act(_ctx, c, id) {
      c.actor.command('AddReaction', { message_id: id, emoji: '🔒' });
    },
  }),
  roomFrameCheck({
    slug: 'reaction-remove',
    name: 'RoomReactionRemoved',
    title: 'RoomReactionRemoved reaches every member and no one outside the room',
    recipients: bothMembers,
    async prepare(ctx, c) {
      const id = await postedMessage(ctx, c);
      const after = c.member.mark;
      c.actor.command('AddReaction', { message_id: id, emoji: '🔒' });
      await expectRoomFrame(ctx, c.member, 'RoomReactionAdded', c.room, after);
      return id;
    },
    async act(_ctx, c, id) {
      c.actor.command('RemoveReaction', { message_id: id, emoji: '🔒' });
    },
  }),
  roomFrameCheck({
    slug: 'member-joined',
    name: 'RoomUserJoined',
    title:
      'RoomUserJoined reaches the members and no one outside the room, not even a co-member of the joiner',
    recipients: bothMembers,
    async act(ctx, c) {
      // The joiner acts here: it shares room Y with the outsider, then joins X.
      const joiner = await ctx.login('iso-joiner');
      await ctx.join(joiner, c.shared);
      await ctx.join(joiner, c.room);
    },
  }),
  roomFrameCheck({
    slug: 'member-left',
    name: 'RoomUserLeft',
    title: 'RoomUserLeft reaches the remaining members and no one outside the room',
    recipients: (c) => [c.member],
    async act(_ctx, c) {
      c.actor.command('LeaveRoom', { room_id: c.room });
    },
  }),
  roomFrameCheck({
    slug: 'room-close',
    name: 'RoomClose',
    title: 'RoomClose reaches the leaver only, no one outside the room',
    recipients: (c) => [c.actor],
    async act(_ctx, c) {
      c.actor.command('LeaveRoom', { room_id: c.room });
    },
  }),
];

const DATAGRAM_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '11/typing-relay/isolation',
    title: 'Typing and StopTyping reach the other members and no one outside the room',
    rules: ['11/typing-relay', '8/members-only'],
    async run(ctx) {
      const c = await cast(ctx, 'typing');
      const after = c.outsider.mark;
      for (const name of ['Typing', 'StopTyping'] as const) {
        const memberMark = c.member.mark;
        const arrived = await sendDatagramUntil(
          ctx,
          c.actor,
          c.member,
          encodeDatagram(name, { room_id: c.room, user_id: null }),
          () =>
            c.member.find('datagram', name, (p, item) => item.seq >= memberMark && sameId(p.room_id, c.room))
              .length > 0,
        );
        ensure(arrived, `${name} of room ${c.room} relayed to member ${c.member.label}`, 'none arrived');
      }
      await expectNothingAbout(ctx, c.outsider, c.room, after, 'Typing or StopTyping');
    },
  },
  {
    id: '11/presence-relay/isolation',
    title: 'Presence reaches connections sharing a room with the sender, no connection sharing none',
    rules: ['11/presence-relay', '8/members-only'],
    async run(ctx) {
      const sender = await ctx.login('iso-presence');
      const peer = await ctx.login('iso-presence-peer');
      const stranger = await ctx.login('iso-presence-stranger');
      // Every user is auto-joined to room 1: the stranger leaves it and so shares no room with the sender.
      const before = stranger.mark;
      stranger.command('LeaveRoom', { room_id: 1 });
      await expectRoomFrame(ctx, stranger, 'RoomClose', 1, before);
      const strangerMark = stranger.mark;
      const peerMark = peer.mark;
      const away = (p: PayloadOf<'PresenceAway'>, item: { seq: number }): boolean =>
        item.seq >= peerMark && sameId(p.user_id, sender.userId);
      const arrived = await sendDatagramUntil(
        ctx,
        sender,
        peer,
        encodeDatagram('PresenceAway', { user_id: 0, away_since: 1_700_000_000_000 }),
        () => peer.find('datagram', 'PresenceAway', away).length > 0,
      );
      ensure(
        arrived,
        `PresenceAway relayed to ${peer.label}, who shares room 1 with the sender`,
        'none arrived',
      );
      await ctx.sleep(ctx.settleMs);
      const leaked = stranger
        .find(
          'datagram',
          'PresenceAway',
          (p, item) => item.seq >= strangerMark && sameId(p.user_id, sender.userId),
        )
        .map(describeReceived);
      ensure(
        leaked.length === 0,
        `no PresenceAway of the sender at ${stranger.label}, who shares no room with it`,
        () => `${stranger.label} received ${leaked.join(', ')}`,
      );
    },
  },
];

/** Every isolation check. */
export const ISOLATION_CHECKS: readonly ConformanceCheck[] = [...ROOM_FRAME_CHECKS, ...DATAGRAM_CHECKS];
