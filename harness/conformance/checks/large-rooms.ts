/**
 * Large rooms (PROTOCOL.md 16.2, our decision): a room with at least `large_room_threshold` members gets no
 * RoomUserJoined / RoomUserLeft and an empty RoomInit.members with member_count. Testable only against a server
 * that advertises a threshold small enough to reach with a handful of probes (the embedded server uses 5).
 */
import type { U64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, skip, type ConformanceCheck } from '../check.js';
import type { ProbeConnection } from '../probe-connection.js';
import { sameId } from './fates.js';
import { expectOnRoomStream } from './rooms.js';

/** Largest advertised threshold the check reaches (one probe connection per member). */
export const MAX_TESTED_LARGE_ROOM_THRESHOLD = 8;
/** Smallest threshold with an announced join and leave on the small side (two members before the large one). */
const MIN_TESTED_LARGE_ROOM_THRESHOLD = 3;

/** HelloAck.large_room_threshold as the probe received it, or null. */
function advertisedThreshold(probe: ProbeConnection): number | null {
  for (const item of probe.on('control')) {
    if (item.frame?.name === 'HelloAck') return item.frame.payload.large_room_threshold;
  }
  return null;
}

/**
 * Asserts that `observer` got no `name` frame about `subject` in the room: `sentinel` sends a message to the room
 * after the event, and since both travel on the room's one stream to the observer, a frame for the event would have
 * arrived before the sentinel's RoomMessage.
 */
async function expectSilence(
  ctx: CheckContext,
  observer: ProbeConnection,
  sentinel: ProbeConnection,
  roomId: U64,
  name: 'RoomUserJoined' | 'RoomUserLeft',
  subject: ProbeConnection,
  event: string,
): Promise<void> {
  const sent = await ctx.sendMessage(sentinel, roomId, 'sentinel');
  await ctx.expectRoomMessage(observer, roomId, sent.ack.message_id);
  const announced = observer
    .payloads(observer.shardStreamOf(roomId), name)
    .filter(
      (p) => sameId(p.room_id, roomId) && sameId('user' in p ? p.user.user_id : p.user_id, subject.userId),
    );
  ensure(
    announced.length === 0,
    `no ${name} for ${subject.username} (${event}, 16.2/membership-events)`,
    `${announced.length} ${name} frame(s) before the sentinel message`,
  );
}

export const LARGE_ROOM_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '16.2/membership-events',
    title:
      'A room reaching large_room_threshold members stops announcing joins and leaves and lists no members in RoomInit',
    rules: ['16.2/membership-events', '16.2/room-init', '16.2/large-room', '16.2/advertised'],
    async run(ctx) {
      const first = await ctx.login('large-0');
      const threshold = advertisedThreshold(first);
      if (threshold === null) skip('the target advertises no large_room_threshold (16.2 is optional)');
      if (threshold < MIN_TESTED_LARGE_ROOM_THRESHOLD || threshold > MAX_TESTED_LARGE_ROOM_THRESHOLD)
        skip(
          `large_room_threshold ${threshold} is outside ${MIN_TESTED_LARGE_ROOM_THRESHOLD}-${MAX_TESTED_LARGE_ROOM_THRESHOLD}: ` +
            'start the target with a small threshold (reference server: --large-room-threshold 5)',
        );
      const members = [first];
      for (let i = 1; i < threshold; i++) members.push(await ctx.login(`large-${i}`));
      const roomId = ctx.freshRoomId();
      const lastSmall = members[threshold - 2]!;
      const large = members[threshold - 1]!;
      for (const member of members.slice(0, -1)) await ctx.join(member, roomId);
      // The room is small with threshold - 1 members: the last join is announced and RoomInit lists everybody.
      await expectOnRoomStream(
        ctx,
        first,
        roomId,
        'RoomUserJoined',
        (p) => sameId(p.user.user_id, lastSmall.userId),
        `RoomUserJoined for ${lastSmall.username} (room of ${threshold - 1} members, below the threshold)`,
      );
      const init = await ctx.join(large, roomId);
      ensure(
        init.members.length === 0 && init.member_count === threshold,
        `RoomInit of the room that reached ${threshold} members with members [] and member_count ${threshold} (16.2/room-init)`,
        `members [${init.members.map((m) => m.username).join(', ')}], member_count ${String(init.member_count)}`,
      );
      await expectSilence(
        ctx,
        first,
        lastSmall,
        roomId,
        'RoomUserJoined',
        large,
        'the join that made the room large',
      );
      large.command('LeaveRoom', { room_id: roomId });
      await expectOnRoomStream(
        ctx,
        large,
        roomId,
        'RoomClose',
        (p) => p.reason === 'left',
        'RoomClose{reason "left"}',
      );
      await expectSilence(ctx, first, lastSmall, roomId, 'RoomUserLeft', large, 'a leave from a large room');
      // Small on both sides again: announced as in 7/leave.
      lastSmall.command('LeaveRoom', { room_id: roomId });
      await expectOnRoomStream(
        ctx,
        first,
        roomId,
        'RoomUserLeft',
        (p) => sameId(p.user_id, lastSmall.userId),
        `RoomUserLeft for ${lastSmall.username} (the room is small before and after)`,
      );
    },
  },
];
