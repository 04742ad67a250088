/**
 * Datagrams and keep-alive (PROTOCOL.md 11, 12): typing and presence relay, presence the server generates on login
 * and disconnect, Ping/Pong, and the client's Goodbye.
 */
import { compareU64, encodeDatagram } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, type ConformanceCheck } from '../check.js';
import type { ProbeConnection } from '../probe-connection.js';
import { sameId } from './fates.js';

/** A Ping timestamp above 2^53, which must come back byte-for-byte (1/u64-exact). */
const BIG_STAMP = (1n << 60n) + 12345n;

/** Typing datagrams sent before giving up (datagrams are unreliable, 11/datagram-size). */
const TYPING_ATTEMPTS = 10;

/** Datagrams a probe received, compactly, for failure reports. */
function describeDatagrams(probe: ProbeConnection): string {
  return `${probe.datagrams.length} datagrams: ${probe.datagrams.map((d) => d.name + d.text).join(', ') || 'none'}`;
}

/**
 * Sends a datagram until `arrived` holds (datagrams are unreliable, 11/datagram-size), at most TYPING_ATTEMPTS
 * times within about one timeout. Returns whether it arrived.
 */
export async function sendDatagramUntil(
  ctx: CheckContext,
  sender: ProbeConnection,
  receiver: ProbeConnection,
  bytes: Uint8Array,
  arrived: () => boolean,
): Promise<boolean> {
  for (let attempt = 0; attempt < TYPING_ATTEMPTS && !arrived(); attempt++) {
    sender.sendDatagram(bytes);
    await receiver
      .until(() => arrived(), {
        timeoutMs: Math.max(50, Math.floor(ctx.timeoutMs / TYPING_ATTEMPTS)),
        expected: 'the datagram',
      })
      .catch(() => undefined);
  }
  return arrived();
}

/**
 * Waits until at least one observer received a datagram matching `arrived`; a server-generated datagram is sent
 * once, so two observers make a single lost datagram harmless (11/datagram-size). Warns when only some got it.
 */
async function expectSeenByAny(
  ctx: CheckContext,
  observers: readonly ProbeConnection[],
  arrived: (observer: ProbeConnection) => boolean,
  expected: string,
): Promise<void> {
  const seenBy = (): ProbeConnection[] => observers.filter(arrived);
  await observers[0]!
    .until(() => seenBy().length === observers.length, { timeoutMs: ctx.timeoutMs, expected })
    .catch(() => undefined);
  const seen = seenBy();
  ensure(seen.length > 0, `${expected} at one of ${observers.map((o) => o.label).join(', ')} at least`, () =>
    observers.map((o) => `${o.label} got none (${describeDatagrams(o)})`).join('; '),
  );
  if (seen.length < observers.length)
    ctx.warn(`${expected}: only ${seen.map((o) => o.label).join(', ')} got it (a lost datagram?)`);
}

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
      const [roomId, stayer, leaver] = await ctx.loginToRoom('goodbye-a', 'goodbye-b');
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
      const [roomId, typist, reader] = await ctx.loginToRoom('typist', 'reader');
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
        () => describeDatagrams(reader),
      );
      const echoed = typist.datagramPayloads('Typing').filter((p) => sameId(p.room_id, roomId));
      ensure(echoed.length === 0, 'no Typing echo to the sender', `${echoed.length} echoed`);
    },
  },
  {
    id: '11/presence-relay',
    title:
      'PresenceAway and PresenceOnline reach a connection sharing a room, with the sender id and the other fields unchanged',
    rules: ['11/presence-relay', '11/datagram-size', '1/timestamps'],
    async run(ctx) {
      const sender = await ctx.login('presence-a');
      const peer = await ctx.login('presence-b');
      await ctx.groupRoom(sender, peer);
      const awaySince = Date.now() - 12_345;
      const away = (): boolean =>
        peer
          .datagramPayloads('PresenceAway')
          .some((p) => sameId(p.user_id, sender.userId) && compareU64(p.away_since, awaySince) === 0);
      const awayBytes = encodeDatagram('PresenceAway', { user_id: 0, away_since: awaySince });
      ensure(
        await sendDatagramUntil(ctx, sender, peer, awayBytes, away),
        `a PresenceAway datagram {user_id ${sender.userId}, away_since ${awaySince}} at the peer (${TYPING_ATTEMPTS} sent with user_id 0)`,
        () => describeDatagrams(peer),
      );
      const status = ctx.nonce('status');
      const online = (): boolean =>
        peer
          .datagramPayloads('PresenceOnline')
          .some((p) => sameId(p.user_id, sender.userId) && p.status === status);
      const onlineBytes = encodeDatagram('PresenceOnline', { user_id: 0, status });
      ensure(
        await sendDatagramUntil(ctx, sender, peer, onlineBytes, online),
        `a PresenceOnline datagram {user_id ${sender.userId}, status "${status}"} at the peer (${TYPING_ATTEMPTS} sent with user_id 0)`,
        () => describeDatagrams(peer),
      );
      const echoed = sender
        .datagramPayloads('PresenceAway')
        .filter((p) => compareU64(p.away_since, awaySince) === 0);
      ensure(echoed.length === 0, 'no presence echo to the sender', `${echoed.length} echoed`);
    },
  },
  {
    id: '11/presence-generated',
    title:
      'The server sends PresenceOnline when a user authenticates and PresenceOffline when its connection closes',
    rules: ['11/presence-generated', '7/disconnect', '11/datagram-size'],
    async run(ctx) {
      // The observers share room 1 with every user (6.4/auto-join), and a room of their own with the subject.
      const observers = [await ctx.login('observer-a'), await ctx.login('observer-b')];
      const subject = await ctx.login('presence-subject');
      await ctx.groupRoom(subject, ...observers);
      await expectSeenByAny(
        ctx,
        observers,
        (o) =>
          o
            .datagramPayloads('PresenceOnline')
            .some((p) => sameId(p.user_id, subject.userId) && p.status === 'online'),
        `PresenceOnline{user_id ${subject.userId}, status "online"} after ${subject.label} authenticated`,
      );
      subject.close();
      await expectSeenByAny(
        ctx,
        observers,
        (o) => o.datagramPayloads('PresenceOffline').some((p) => sameId(p.user_id, subject.userId)),
        `PresenceOffline{user_id ${subject.userId}} after ${subject.label}'s connection closed`,
      );
    },
  },
];
