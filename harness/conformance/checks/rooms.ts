/**
 * Rooms and messages (PROTOCOL.md 7, 8, 9): shard mapping, acks and nonces, message ids, fan-out with the sender's
 * own echo, join / leave / disconnect / edit / delete / reaction notifications, and permission denials.
 */
import { ERROR_CODES, compareU64, type PayloadOf, type U64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';
import { expectErrorCode, sameId } from './fates.js';

/** Room frames these checks wait for. */
export type RoomEventName =
  | 'RoomUserJoined'
  | 'RoomUserLeft'
  | 'RoomMessageEdited'
  | 'RoomMessageDeleted'
  | 'RoomReactionAdded'
  | 'RoomReactionRemoved'
  | 'RoomClose';

/** Waits until the probe received a frame named `name` of `roomId` on the room's shard stream. */
export async function expectOnRoomStream<N extends RoomEventName>(
  ctx: CheckContext,
  probe: ProbeConnection,
  roomId: U64,
  name: N,
  match: (payload: PayloadOf<N>) => boolean,
  what: string,
): Promise<void> {
  const stream = probe.shardStreamOf(roomId);
  await probe.expectFrame(stream, name, {
    timeoutMs: ctx.timeoutMs,
    what: `${what} on ${probe.label}'s shard stream ${stream} for room ${roomId}`,
    match: (p) => sameId((p as { room_id: U64 }).room_id, roomId) && match(p),
  });
}

/** RoomMessage ids of a room received on a stream, in arrival order. */
function messageIdsOn(probe: ProbeConnection, stream: number | 'any', roomId: U64): U64[] {
  return probe
    .payloads(stream, 'RoomMessage')
    .filter((p) => sameId(p.room_id, roomId))
    .map((p) => p.message_id);
}

export const ROOM_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '9/mapping',
    title: 'Room r travels on shard stream r % num_shards (ids above 2^53 included)',
    rules: ['9/mapping', '9/stream-ids', '4.3/room-frame-routing', '5/shard-streams'],
    async run(ctx) {
      const probe = await ctx.login('mapping');
      const n = probe.numShards;
      const base = ctx.freshRoomId();
      const rooms: U64[] = Array.from({ length: Math.min(n, 16) + 1 }, (_, i) => base + i);
      rooms.push((1n << 60n) + BigInt(base % 1_000_000));
      for (const roomId of rooms) {
        await ctx.join(probe, roomId);
        const [item] = probe.find('any', 'RoomInit', (p) => sameId(p.room_id, roomId));
        const expected = probe.shardStreamOf(roomId);
        ensure(
          item!.streamId === expected,
          `RoomInit of room ${roomId} on stream ${expected} (shard ${roomId} % ${n})`,
          `on stream ${String(item!.streamId)}`,
        );
      }
      const sent = await ctx.sendMessage(probe, rooms[1]!);
      const message = await ctx.expectRoomMessage(probe, rooms[1]!, sent.ack.message_id);
      const [item] = probe.find('any', 'RoomMessage', (p) => p === message);
      ensure(
        item!.streamId === probe.shardStreamOf(rooms[1]!),
        `RoomMessage of room ${rooms[1]} on stream ${probe.shardStreamOf(rooms[1]!)}`,
        `on stream ${String(item!.streamId)}`,
      );
    },
  },
  {
    id: '8/message-ack',
    title: 'An accepted SendMessage gets exactly one MessageAck with the RoomMessage id and timestamp',
    rules: ['8/message-ack'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('ack');
      const sent = await ctx.sendMessage(probe, roomId);
      const message = await ctx.expectRoomMessage(probe, roomId, sent.ack.message_id);
      ensure(
        compareU64(message.timestamp, sent.ack.timestamp) === 0,
        `MessageAck.timestamp equal to the RoomMessage's (${message.timestamp})`,
        `MessageAck.timestamp ${sent.ack.timestamp}`,
      );
      await ctx.sleep(ctx.settleMs);
      const acks = probe.find('control', 'MessageAck', (p) => p.nonce === sent.nonce);
      ensure(acks.length === 1, `exactly one MessageAck for nonce "${sent.nonce}"`, `${acks.length}`);
    },
  },
  {
    id: '8/message-ack/nonce',
    title: 'MessageAck echoes the SendMessage nonce; RoomMessage carries it to every member',
    rules: ['8/message-ack', '8/fan-out'],
    async run(ctx) {
      const [roomId, sender, other] = await ctx.loginToRoom('nonce-a', 'nonce-b');
      const nonce = ctx.nonce('echo');
      const after = sender.mark;
      sender.command('SendMessage', {
        room_id: roomId,
        content: 'nonce',
        nonce,
        reply_to: null,
        attachments: [],
      });
      const { payload: ack } = await sender.expectFrame('control', 'MessageAck', {
        timeoutMs: ctx.timeoutMs,
        after,
        what: `MessageAck after SendMessage with nonce "${nonce}"`,
      });
      ensure(ack.nonce === nonce, `MessageAck.nonce "${nonce}"`, `"${ack.nonce}"`);
      for (const probe of [sender, other]) {
        const message = await ctx.expectRoomMessage(probe, roomId, ack.message_id);
        ensure(
          message.nonce === nonce,
          `RoomMessage.nonce "${nonce}" for ${probe.label}`,
          JSON.stringify(message.nonce),
        );
      }
    },
  },
  {
    id: '8/message-id',
    title: 'Message ids come from one counter: strictly increasing by 1 per accepted message',
    rules: ['8/message-id', '8/per-stream-order'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('ids');
      const nonces = Array.from({ length: 6 }, () => ctx.nonce('id'));
      const mark = probe.sendBurst(roomId, nonces);
      const ids = (await probe.waitAcks(nonces, ctx.timeoutMs, mark)).map((a) => a.ack.message_id);
      for (let i = 1; i < ids.length; i++) {
        ensure(
          compareU64(ids[i]!, ids[i - 1]!) > 0,
          'message ids strictly increasing in the order the messages were sent on one stream',
          ids.map(String).join(', '),
        );
        if (BigInt(ids[i]!) !== BigInt(ids[i - 1]!) + 1n)
          ctx.warn(
            `message ids not consecutive (${ids.map(String).join(', ')}): other traffic on the server?`,
          );
      }
      await probe.until(() => messageIdsOn(probe, 'any', roomId).length >= ids.length, {
        timeoutMs: ctx.timeoutMs,
        expected: `${ids.length} RoomMessages of room ${roomId}`,
      });
      const delivered = messageIdsOn(probe, probe.shardStreamOf(roomId), roomId).map(String);
      ensure(
        delivered.join(',') === ids.map(String).join(','),
        `RoomMessages in id order ${ids.join(', ')}`,
        delivered.join(', '),
      );
    },
  },
  {
    id: '8/fan-out',
    title: 'Every member gets exactly one RoomMessage per accepted message, the sender included (echo)',
    rules: ['8/fan-out', '8/exactly-once'],
    async run(ctx) {
      const [roomId, sender, other] = await ctx.loginToRoom('echo-a', 'echo-b');
      const sent = await ctx.sendMessage(sender, roomId, 'echo me');
      for (const probe of [sender, other]) {
        const message = await ctx.expectRoomMessage(probe, roomId, sent.ack.message_id);
        ensure(
          message.content === 'echo me' && sameId(message.sender.user_id, sender.userId),
          `RoomMessage{content "echo me", sender ${sender.username}} for ${probe.label}`,
          JSON.stringify({ content: message.content, sender: message.sender.username }),
        );
      }
      await ctx.sleep(ctx.settleMs);
      for (const probe of [sender, other]) {
        const copies = probe.find('any', 'RoomMessage', (p) => sameId(p.message_id, sent.ack.message_id));
        ensure(
          copies.length === 1,
          `exactly one RoomMessage ${sent.ack.message_id} for ${probe.label}`,
          `${copies.length}`,
        );
      }
    },
  },
  {
    id: '7/join-existing',
    title: 'JoinRoom: the joiner gets RoomInit (members, history); the other members get RoomUserJoined',
    rules: ['7/join-existing', '7/history'],
    async run(ctx) {
      const owner = await ctx.login('join-a');
      const joiner = await ctx.login('join-b');
      const roomId = await ctx.groupRoom(owner);
      const sent = await ctx.sendMessage(owner, roomId, 'before you came');
      const init = await ctx.join(joiner, roomId);
      const members = init.members.map((m) => m.user_id);
      ensure(
        members.some((id) => sameId(id, owner.userId)) && members.some((id) => sameId(id, joiner.userId)),
        'RoomInit.members with the owner and the joiner',
        JSON.stringify(init.members.map((m) => m.username)),
      );
      ensure(
        init.recent_messages.some((m) => sameId(m.message_id, sent.ack.message_id)),
        `RoomInit.recent_messages with message ${sent.ack.message_id}`,
        JSON.stringify(init.recent_messages.map((m) => String(m.message_id))),
      );
      await expectOnRoomStream(
        ctx,
        owner,
        roomId,
        'RoomUserJoined',
        (p) => sameId(p.user.user_id, joiner.userId),
        `RoomUserJoined for ${joiner.username}`,
      );
    },
  },
  {
    id: '7/leave',
    title: 'LeaveRoom: the leaver gets RoomClose "left"; the remaining members get RoomUserLeft',
    rules: ['7/leave'],
    async run(ctx) {
      const [roomId, stayer, leaver] = await ctx.loginToRoom('leave-a', 'leave-b');
      leaver.command('LeaveRoom', { room_id: roomId });
      await expectOnRoomStream(
        ctx,
        leaver,
        roomId,
        'RoomClose',
        (p) => p.reason === 'left',
        'RoomClose{reason "left"}',
      );
      await expectOnRoomStream(
        ctx,
        stayer,
        roomId,
        'RoomUserLeft',
        (p) => sameId(p.user_id, leaver.userId),
        `RoomUserLeft for ${leaver.username}`,
      );
    },
  },
  {
    id: '7/disconnect',
    title: 'A closed connection leaves its rooms: the remaining members get RoomUserLeft',
    rules: ['7/disconnect'],
    async run(ctx) {
      const [roomId, stayer, goner] = await ctx.loginToRoom('gone-a', 'gone-b');
      goner.close();
      await expectOnRoomStream(
        ctx,
        stayer,
        roomId,
        'RoomUserLeft',
        (p) => sameId(p.user_id, goner.userId),
        `RoomUserLeft for ${goner.username} after its connection closed`,
      );
    },
  },
  {
    id: '8/edit',
    title: 'EditMessage by the author: RoomMessageEdited to every member, the editor included',
    rules: ['8/edit'],
    async run(ctx) {
      const [roomId, author, other] = await ctx.loginToRoom('edit-a', 'edit-b');
      const sent = await ctx.sendMessage(author, roomId, 'first draft');
      author.command('EditMessage', { message_id: sent.ack.message_id, content: 'final' });
      for (const probe of [author, other])
        await expectOnRoomStream(
          ctx,
          probe,
          roomId,
          'RoomMessageEdited',
          (p) =>
            sameId(p.message_id, sent.ack.message_id) &&
            p.content === 'final' &&
            sameId(p.editor_id, author.userId),
          `RoomMessageEdited{message ${sent.ack.message_id}, content "final", editor ${author.username}}`,
        );
    },
  },
  {
    id: '8/delete',
    title: 'DeleteMessage by the author: RoomMessageDeleted to every member, the deleter included',
    rules: ['8/delete'],
    async run(ctx) {
      const [roomId, author, other] = await ctx.loginToRoom('delete-a', 'delete-b');
      const sent = await ctx.sendMessage(author, roomId, 'to be deleted');
      author.command('DeleteMessage', { message_id: sent.ack.message_id });
      for (const probe of [author, other])
        await expectOnRoomStream(
          ctx,
          probe,
          roomId,
          'RoomMessageDeleted',
          (p) => sameId(p.message_id, sent.ack.message_id) && sameId(p.deleted_by, author.userId),
          `RoomMessageDeleted{message ${sent.ack.message_id}, deleted_by ${author.username}}`,
        );
    },
  },
  {
    id: '8/react-add',
    title: 'AddReaction: RoomReactionAdded to every member, the reactor included',
    rules: ['8/react-add'],
    async run(ctx) {
      const [roomId, author, reactor] = await ctx.loginToRoom('react-a', 'react-b');
      const sent = await ctx.sendMessage(author, roomId, 'react to me');
      reactor.command('AddReaction', { message_id: sent.ack.message_id, emoji: '👍' });
      for (const probe of [author, reactor])
        await expectOnRoomStream(
          ctx,
          probe,
          roomId,
          'RoomReactionAdded',
          (p) =>
            sameId(p.message_id, sent.ack.message_id) &&
            p.emoji === '👍' &&
            sameId(p.user_id, reactor.userId),
          `RoomReactionAdded{message ${sent.ack.message_id}, 👍, user ${reactor.username}}`,
        );
    },
  },
  {
    id: '8/react-remove',
    title: "RemoveReaction of one's own reaction: RoomReactionRemoved to every member",
    rules: ['8/react-remove'],
    async run(ctx) {
      const [roomId, author, reactor] = await ctx.loginToRoom('unreact-a', 'unreact-b');
      const sent = await ctx.sendMessage(author, roomId, 'react and undo');
      reactor.command('AddReaction', { message_id: sent.ack.message_id, emoji: '🎉' });
      await reactor
        .expectFrame('any', 'RoomReactionAdded', {
          timeoutMs: ctx.timeoutMs,
          match: (p) => sameId(p.message_id, sent.ack.message_id),
          what: 'RoomReactionAdded before the removal',
        })
        .catch(() => undefined);
      reactor.command('RemoveReaction', { message_id: sent.ack.message_id, emoji: '🎉' });
      for (const probe of [author, reactor])
        await expectOnRoomStream(
          ctx,
          probe,
          roomId,
          'RoomReactionRemoved',
          (p) =>
            sameId(p.message_id, sent.ack.message_id) &&
            p.emoji === '🎉' &&
            sameId(p.user_id, reactor.userId),
          `RoomReactionRemoved{message ${sent.ack.message_id}, 🎉, user ${reactor.username}}`,
        );
    },
  },
  {
    id: '7/permissions',
    title: "A member cannot edit or delete another member's message, a non-member cannot post: Error 1004",
    rules: ['7/permissions', '8/edit', '8/delete', '14/permission'],
    async run(ctx) {
      const owner = await ctx.login('perm-owner');
      const member = await ctx.login('perm-member');
      const outsider = await ctx.login('perm-outsider');
      const roomId = await ctx.groupRoom(owner, member);
      const sent = await ctx.sendMessage(owner, roomId, 'mine');
      const id = sent.ack.message_id;
      let after = member.mark;
      member.command('EditMessage', { message_id: id, content: 'hijacked' });
      await expectErrorCode(ctx, member, ERROR_CODES.PERMISSION_DENIED, after, { startsWith: 'EditMessage' });
      after = member.mark;
      member.command('DeleteMessage', { message_id: id });
      await expectErrorCode(ctx, member, ERROR_CODES.PERMISSION_DENIED, after, {
        startsWith: 'DeleteMessage',
      });
      after = outsider.mark;
      outsider.command('SendMessage', {
        room_id: roomId,
        content: 'let me in',
        nonce: ctx.nonce('x'),
        reply_to: null,
        attachments: [],
      });
      await expectErrorCode(ctx, outsider, ERROR_CODES.PERMISSION_DENIED, after, {
        startsWith: 'SendMessage',
      });
      await ctx.sleep(ctx.settleMs);
      const changes = owner
        .on('any')
        .filter(
          (f) =>
            (f.frame?.name === 'RoomMessageEdited' || f.frame?.name === 'RoomMessageDeleted') &&
            sameId((f.frame.payload as { message_id: U64 }).message_id, id),
        );
      if (changes.length > 0)
        fail(
          `message ${id} unchanged after the refused edit and delete`,
          changes.map(describeReceived).join(', '),
        );
    },
  },
];
