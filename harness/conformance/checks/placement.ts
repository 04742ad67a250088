/**
 * Where the server's frames travel (PROTOCOL.md 4.3, 4.8, 5, 9): every frame received by every probe of the run
 * (plus a small workload of this check's own) is judged against the frame table's `isAllowedOn`, shard streams
 * must carry only their own rooms, and hot-room streams must start with RoomPromoted and carry one room.
 */
import { compareU64, encodeDatagram, isAllowedOn, isDatagramCode, type U64 } from '../../../spec/index.js';
import { fail, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';

/** Placement violations in everything one probe received. */
export function placementViolations(probe: ProbeConnection): string[] {
  const problems: string[] = [];
  const where = (streamId: number): string => `${probe.label}: ${probe.streamLabel(streamId)}`;
  const hotRoomOf = new Map<number, U64 | null>();
  const n = probe.numShards;
  for (const item of probe.received) {
    const streamId = item.streamId as number;
    const kind = probe.kindOf(streamId);
    const shown = describeReceived(item);
    if (item.error !== undefined && item.frame === undefined && item.name.startsWith('0x')) {
      problems.push(`${where(streamId)} carried an unknown frame type: ${shown}`);
      continue;
    }
    if (kind === 'control') {
      if (!isAllowedOn(item.code, 'control', 'server-to-client'))
        problems.push(`${where(streamId)} carried ${shown}`);
      continue;
    }
    if (kind === 'shard') {
      if (!isAllowedOn(item.code, 'shard', 'server-to-client')) {
        problems.push(`${where(streamId)} carried ${shown} (only room frames 0x30-0x38)`);
        continue;
      }
      const roomId = (item.frame?.payload as { room_id?: U64 } | undefined)?.room_id;
      const shard = (streamId - 3) / 4;
      if (roomId !== undefined) {
        const expected = typeof roomId === 'number' ? roomId % n : Number(roomId % BigInt(n));
        if (expected !== shard)
          problems.push(
            `${where(streamId)} carried a frame of room ${roomId}, which maps to shard ${expected}`,
          );
      }
      continue;
    }
    if (kind === 'hot-room') {
      if (!hotRoomOf.has(streamId)) {
        if (item.frame?.name !== 'RoomPromoted') {
          problems.push(`${where(streamId)} starts with ${shown}, not RoomPromoted`);
          hotRoomOf.set(streamId, null);
        } else hotRoomOf.set(streamId, item.frame.payload.room_id);
        continue;
      }
      if (!isAllowedOn(item.code, 'hot-room', 'server-to-client') || item.frame?.name === 'RoomPromoted') {
        problems.push(`${where(streamId)} carried ${shown} after its header`);
        continue;
      }
      const room = hotRoomOf.get(streamId);
      const roomId = (item.frame?.payload as { room_id?: U64 } | undefined)?.room_id;
      if (room !== null && room !== undefined && roomId !== undefined && compareU64(room, roomId) !== 0)
        problems.push(`${where(streamId)} (room ${room}) carried a frame of room ${roomId}`);
      continue;
    }
    problems.push(
      `${where(streamId)} (${kind}) carried ${shown}: the server writes only on control and its own uni streams`,
    );
  }
  for (const item of probe.datagrams) {
    if (!isDatagramCode(item.code))
      problems.push(`${probe.label}: datagram carried ${describeReceived(item)}`);
  }
  return problems;
}

export const PLACEMENT_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '5/control-ranges/server-frames',
    title: 'Every frame the server sent during the run travelled on a stream allowed for its type',
    rules: [
      '5/control-ranges',
      '5/shard-streams',
      '5/hot-room-streams',
      '5/datagram-types',
      '4.8/error-frame',
      '4.3/room-frame-routing',
    ],
    async run(ctx) {
      // A small workload of its own, so that the check means something when run alone.
      const [roomId, a, b] = await ctx.loginToRoom('placement-a', 'placement-b');
      const nonce = ctx.nonce('placement');
      a.command('SendMessage', {
        room_id: roomId,
        content: 'where do I go',
        nonce,
        reply_to: null,
        attachments: [],
      });
      await b.expectFrame('any', 'RoomMessage', {
        timeoutMs: ctx.timeoutMs,
        what: `the other member to receive the RoomMessage with nonce "${nonce}"`,
        match: (p) => p.nonce === nonce,
      });
      for (let i = 0; i < 3; i++)
        a.sendDatagram(encodeDatagram('Typing', { room_id: roomId, user_id: null }));
      await a.ping(ctx.timeoutMs);
      await ctx.sleep(ctx.settleMs);
      const problems = ctx.env.probes.flatMap(placementViolations);
      if (problems.length > 0) {
        const shown = problems.slice(0, 8).join('; ');
        fail(
          'every server frame on a stream its type allows (PROTOCOL.md 5 table, spec isAllowedOn)',
          `${problems.length} misplaced frame(s): ${shown}${problems.length > 8 ? '; …' : ''}`,
        );
      }
    },
  },
];
