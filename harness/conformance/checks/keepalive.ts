/**
 * Datagrams and keep-alive (PROTOCOL.md 11, 12): typing relay, Ping/Pong, and the client's Goodbye.
 */
import { compareU64, encodeDatagram } from '../../../spec/index.js';
import { ensure, type ConformanceCheck } from '../check.js';
import { sameId } from './fates.js';

/** A Ping timestamp above 2^53, which must come back byte-for-byte (1/u64-exact). */
const BIG_STAMP = (1n << 60n) + 12345n;

/** Typing datagrams sent before giving up (datagrams are unreliable, 11/datagram-size). */
const TYPING_ATTEMPTS = 10;

export const KEEPALIVE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '12/pong-echo',
    title:
      'Ping (before and after Auth) is answered by exactly one Pong with the same timestamp, also above 2^53',
    rules: ['12/pong-echo', '1/u64-exact', '6.1/transitions'],
    async run(ctx) {
      const probe = await ctx.connect('ping');
      probe.hello();
      probe.send('Ping', { timestamp: 7 });
      await probe.expectFrame('control', 'Pong', {
        timeoutMs: ctx.timeoutMs,
        what: 'Pong{timestamp 7} in AwaitAuth',
        match: (p) => compareU64(p.timestamp, 7) === 0,
      });
      await probe.authenticate(ctx.env.username('ping'), ctx.timeoutMs);
      probe.send('Ping', { timestamp: BIG_STAMP });
      await probe.expectFrame('control', 'Pong', {
        timeoutMs: ctx.timeoutMs,
        what: `Pong{timestamp ${BIG_STAMP}} (exact u64 echo)`,
        match: (p) => compareU64(p.timestamp, BIG_STAMP) === 0,
      });
      await ctx.sleep(ctx.settleMs);
      const pongs = probe.payloads('control', 'Pong').map((p) => String(p.timestamp));
      ensure(
        pongs.join(',') === `7,${BIG_STAMP}`,
        `exactly one Pong per Ping: 7, ${BIG_STAMP}`,
        pongs.join(', ') || 'none',
      );
    },
  },
  {
    id: '12/goodbye-client',
    title: 'Goodbye closes the connection with application code 0; the other members get RoomUserLeft',
    rules: ['12/goodbye-client', '12/close-codes', '7/disconnect'],
    async run(ctx) {
      const stayer = await ctx.login('goodbye-a');
      const leaver = await ctx.login('goodbye-b');
      const roomId = await ctx.groupRoom(stayer, leaver);
      leaver.send('Goodbye', { reason: 'conformance done' });
      const info = await leaver.expectClose(
        ctx.timeoutMs,
        'the server to close the connection after Goodbye',
      );
      ensure(
        info.peerError !== null && info.peerError.isApp && info.peerError.code === 0,
        'close by the server with application error code 0',
        () => leaver.describeClose().replace(/^; /, ''),
      );
      await stayer.expectFrame(stayer.shardStreamOf(roomId), 'RoomUserLeft', {
        timeoutMs: ctx.timeoutMs,
        what: `RoomUserLeft for ${leaver.username} after its Goodbye`,
        match: (p) => sameId(p.room_id, roomId) && sameId(p.user_id, leaver.userId),
      });
    },
  },
  {
    id: '11/typing-relay',
    title:
      'Typing is relayed as a datagram to the other members with the sender id (retried: datagrams are lossy)',
    rules: ['11/typing-relay', '11/datagram-size'],
    async run(ctx) {
      const typist = await ctx.login('typist');
      const reader = await ctx.login('reader');
      const roomId = await ctx.groupRoom(typist, reader);
      const relayed = (): boolean =>
        reader
          .datagramPayloads('Typing')
          .some((p) => sameId(p.room_id, roomId) && sameId(p.user_id, typist.userId));
      for (let attempt = 0; attempt < TYPING_ATTEMPTS && !relayed(); attempt++) {
        typist.sendDatagram(encodeDatagram('Typing', { room_id: roomId, user_id: null }));
        await reader
          .until(() => relayed(), {
            timeoutMs: Math.max(50, Math.floor(ctx.timeoutMs / TYPING_ATTEMPTS)),
            expected: 'Typing',
          })
          .catch(() => undefined);
      }
      ensure(
        relayed(),
        `a Typing datagram {room_id ${roomId}, user_id ${typist.userId}} at the other member (${TYPING_ATTEMPTS} sent)`,
        () =>
          `${reader.datagrams.length} datagrams: ${reader.datagrams.map((d) => d.name + d.text).join(', ') || 'none'}`,
      );
      const echoed = typist.datagramPayloads('Typing').filter((p) => sameId(p.room_id, roomId));
      ensure(echoed.length === 0, 'no Typing echo to the sender', `${echoed.length} echoed`);
    },
  },
];
