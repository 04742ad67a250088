/**
 * Transport and handshake checks (PROTOCOL.md 2, 6): ALPN, HelloAck, session ids, Auth, AuthOk, ShardAssignment,
 * auto-join, and the answers to frames sent too early or out of sequence.
 */
import { ERROR_CODES, compareU64, encodeDatagram, encodeFrame, type PayloadOf } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, type ConformanceCheck } from '../check.js';
import { ProbeConnectError, describeReceived, type ProbeConnection } from '../probe-connection.js';
import {
  expectAlive,
  expectClosedWith,
  expectErrorCode,
  expectNoError,
  expectStopSendingCode,
  rawFrame,
  sameId,
} from './fates.js';

/** The wrong ALPN offered by the 2/alpn check. */
export const WRONG_ALPN = 'h3';

/** CRYPTO_ERROR for the TLS alert no_application_protocol (0x100 + 120). */
const NO_APPLICATION_PROTOCOL = 0x178;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Sends Hello and waits for the first control frame; fails unless it is a valid HelloAck. */
async function helloAck(ctx: CheckContext, probe: ProbeConnection): Promise<PayloadOf<'HelloAck'>> {
  probe.hello();
  const first = await probe.until(() => probe.on('control')[0], {
    timeoutMs: ctx.timeoutMs,
    expected: 'HelloAck as the first frame on the control stream after Hello',
  });
  if (first.frame?.name !== 'HelloAck')
    fail(
      'HelloAck{version: u32 1, session_id: string, num_shards: u8} as the first control frame (4.1, 6.2/hello-ack)',
      `${describeReceived(first)} as the first control frame`,
    );
  return first.frame.payload;
}

/** Sends Hello, waits for HelloAck (any validity), so that later frames are judged in AwaitAuth. */
async function reachAwaitAuth(ctx: CheckContext, probe: ProbeConnection): Promise<void> {
  probe.hello();
  await probe.until(() => probe.on('control').find((f) => f.name === 'HelloAck'), {
    timeoutMs: ctx.timeoutMs,
    expected: 'HelloAck after Hello',
  });
}

export const HANDSHAKE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '2/alpn',
    title: `A client offering only the ALPN "${WRONG_ALPN}" fails the handshake; "chat" is negotiated`,
    rules: ['2/alpn'],
    async run(ctx) {
      let wrong: ProbeConnection | null = null;
      try {
        wrong = await ctx.env.openProbe('wrong-alpn', WRONG_ALPN);
      } catch (error) {
        if (!(error instanceof ProbeConnectError)) throw error;
        const code = error.closeInfo?.peerError?.code ?? error.closeInfo?.localError?.code;
        if (code !== NO_APPLICATION_PROTOCOL)
          ctx.warn(
            `handshake failed with ${code ?? 'no'} error code, not CRYPTO_ERROR 0x178 (no_application_protocol)`,
          );
      }
      if (wrong !== null) {
        const alpn = wrong.quic.alpn;
        wrong.close();
        fail(
          `the handshake to fail (TLS no_application_protocol, CRYPTO_ERROR 0x178) for a client offering only "${WRONG_ALPN}"`,
          `handshake completed, ALPN "${alpn}" selected`,
        );
      }
      const good = await ctx.connect('alpn');
      ensure(
        good.quic.alpn === ctx.env.settings.alpn,
        `ALPN "${ctx.env.settings.alpn}" selected`,
        `ALPN ${JSON.stringify(good.quic.alpn)}`,
      );
    },
  },
  {
    id: '6.2/hello-ack',
    title:
      'Hello v1 is answered by exactly one valid HelloAck (version 1, session_id, num_shards 1-255), first on control',
    rules: ['6.2/hello-ack', '4/field-types', '9/num-shards', '16.1/hot-room-config'],
    async run(ctx) {
      const probe = await ctx.connect('hello');
      const ack = await helloAck(ctx, probe);
      ensure(ack.version === 1, 'HelloAck.version 1', `version ${ack.version}`);
      ensure(
        ack.num_shards >= 1 && ack.num_shards <= 255,
        'HelloAck.num_shards in 1..255',
        `num_shards ${ack.num_shards}`,
      );
      const config = ack.hot_room_config;
      if (config !== null) {
        ensure(
          config.demote_rate <= config.promote_rate && compareU64(config.rate_window_ms, 100) >= 0,
          'hot_room_config with demote_rate <= promote_rate and rate_window_ms >= 100 (10/config-sanity)',
          JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
        );
        ensure(
          ack.num_shards <= 100 - config.max_hot_rooms,
          'num_shards <= 100 - max_hot_rooms (9/num-shards)',
          `num_shards ${ack.num_shards}, max_hot_rooms ${config.max_hot_rooms}`,
        );
      }
      await ctx.sleep(ctx.settleMs);
      const acks = probe.on('control').filter((f) => f.name === 'HelloAck');
      ensure(acks.length === 1, 'exactly one HelloAck', `${acks.length} HelloAck frames`);
    },
  },
  {
    id: '6.2/session-id',
    title: 'session_id is a lowercase UUID v4, different for every connection',
    rules: ['6.2/session-id'],
    async run(ctx) {
      const first = await helloAck(ctx, await ctx.connect('session-a'));
      const second = await helloAck(ctx, await ctx.connect('session-b'));
      for (const ack of [first, second])
        ensure(
          UUID_V4.test(ack.session_id),
          'session_id in the form xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx',
          `"${ack.session_id}"`,
        );
      ensure(
        first.session_id !== second.session_id,
        'two connections with different session_ids',
        `both "${first.session_id}"`,
      );
    },
  },
  {
    id: '6.2/hello-version',
    title: 'Hello with version 2 gets Error 1001 "Hello.version" and a close with 1001',
    rules: ['6.2/hello-version', '14/bad-version'],
    async run(ctx) {
      const probe = await ctx.connect('version');
      const after = probe.mark;
      probe.send('Hello', { version: 2, capabilities: ['chat', 'presence'] });
      await expectClosedWith(ctx, probe, ERROR_CODES.INVALID_FRAME, after, 'Hello.version');
    },
  },
  {
    id: '6.5/non-hello-first',
    title: 'Auth as the first control frame gets Error 1002 and a close with 1002',
    rules: ['6.5/non-hello-first', '14/not-hello-first'],
    async run(ctx) {
      const probe = await ctx.connect('no-hello');
      probe.auth(ctx.env.username('no-hello'));
      await expectClosedWith(ctx, probe, ERROR_CODES.AUTH_REQUIRED, 0);
    },
  },
  {
    id: '6.5/bad-header-first',
    title: 'An unknown frame type (0x0F) as the first control frame gets Error 1001 and a close with 1001',
    rules: ['6.5/bad-header-first', '14/precedence'],
    async run(ctx) {
      const probe = await ctx.connect('bad-first');
      probe.write('control', rawFrame(0x0f, '{}'));
      await expectClosedWith(ctx, probe, ERROR_CODES.INVALID_FRAME, 0);
    },
  },
  {
    id: '6.5/out-of-sequence',
    title: 'A second Hello after HelloAck gets Error 1001 "Hello" and a close with 1001',
    rules: ['6.5/out-of-sequence', '14/out-of-sequence'],
    async run(ctx) {
      const probe = await ctx.connect('hello-twice');
      await reachAwaitAuth(ctx, probe);
      const after = probe.mark;
      probe.hello();
      await expectClosedWith(ctx, probe, ERROR_CODES.INVALID_FRAME, after, 'Hello');
    },
  },
  {
    id: '6.3/auth-failed',
    title:
      'Empty and 51-character usernames and an unknown method get AuthFailed 1003 (no Error); a retry succeeds',
    rules: ['6.3/auth-failed', '4.1/auth-method', '6.3/username', '14/bad-credentials'],
    async run(ctx) {
      const probe = await ctx.connect('auth-failed');
      probe.hello();
      const attempts: PayloadOf<'Auth'>[] = [
        { method: 'username', credentials: ' \t ' },
        { method: 'username', credentials: 'x'.repeat(51) },
        { method: 'conformance-unknown-method', credentials: 'secret' },
      ];
      for (const auth of attempts) {
        const after = probe.mark;
        probe.send('Auth', auth);
        const answer = await probe.until(
          () =>
            probe
              .on('control')
              .find((f) => f.seq >= after && (f.name === 'AuthFailed' || f.name === 'AuthOk')),
          {
            timeoutMs: ctx.timeoutMs,
            expected: `AuthFailed{code 1003} for Auth ${JSON.stringify(auth)}`,
            actual: () => probe.describe(),
          },
        );
        if (answer.frame?.name !== 'AuthFailed' || answer.frame.payload.code !== ERROR_CODES.AUTH_FAILED)
          fail(`AuthFailed{code 1003} for Auth ${JSON.stringify(auth)}`, describeReceived(answer));
      }
      expectNoError(probe, 0, 'rejected credentials get AuthFailed only');
      const name = ctx.env.username('retry');
      const after = probe.mark;
      probe.auth(name);
      await probe.expectFrame('control', 'AuthOk', {
        timeoutMs: ctx.timeoutMs,
        after,
        what: 'AuthOk for a valid retry on the same connection',
      });
    },
  },
  {
    id: '6.3/auth-ok',
    title: 'AuthOk carries u64 user_id, the trimmed username and rooms [1]',
    rules: ['6.3/auth-ok', '6.3/username', '4/field-types'],
    async run(ctx) {
      const probe = await ctx.connect('auth-ok');
      const name = ctx.env.username('trim');
      probe.hello();
      probe.auth(`  ${name}\t`);
      const item = await probe.until(
        () => probe.on('control').find((f) => f.name === 'AuthOk' || f.name === 'AuthFailed'),
        { timeoutMs: ctx.timeoutMs, expected: 'AuthOk after Hello and Auth' },
      );
      if (item.frame?.name !== 'AuthOk')
        fail('AuthOk{user_id: u64, username: string, rooms: u64[]} (4.1)', describeReceived(item));
      const ok = item.frame.payload;
      ensure(ok.username === name, `AuthOk.username "${name}" (trimmed)`, `"${ok.username}"`);
      const general = ok.rooms.length === 1 && sameId(ok.rooms[0], 1);
      if (!general) {
        const full = probe.find('control', 'Error', (p) => p.code === ERROR_CODES.ROOM_FULL).length > 0;
        ensure(
          ok.rooms.length === 0 && full,
          'AuthOk.rooms [1] (or [] with Error 1008 when room 1 is full)',
          `rooms ${JSON.stringify(ok.rooms.map(String))}`,
        );
      }
    },
  },
  {
    id: '6.4/post-auth-order',
    title: 'The control stream starts HelloAck, AuthOk, ShardAssignment',
    rules: ['6.4/post-auth-order'],
    async run(ctx) {
      const probe = await ctx.connect('order');
      probe.hello();
      probe.auth(ctx.env.username('order'));
      await probe.until(() => probe.on('control').length >= 3, {
        timeoutMs: ctx.timeoutMs,
        expected: 'three control frames after Hello and Auth',
      });
      const names = probe
        .on('control')
        .slice(0, 3)
        .map((f) => f.name);
      ensure(
        names.join(',') === 'HelloAck,AuthOk,ShardAssignment',
        'control frames HelloAck, AuthOk, ShardAssignment in that order',
        names.join(', '),
      );
    },
  },
  {
    id: '6.4/shard-assignment',
    title: 'ShardAssignment lists shards 0..n-1 ascending with the AuthOk rooms of each shard',
    rules: ['6.4/shard-assignment', '9/assignment'],
    async run(ctx) {
      const probe = await ctx.connect('assignment');
      const ok = await probe.login(ctx.env.username('assignment'), ctx.timeoutMs);
      const item = await probe.until(() => probe.on('control').find((f) => f.name === 'ShardAssignment'), {
        timeoutMs: ctx.timeoutMs,
        expected: 'ShardAssignment after AuthOk',
      });
      if (item.frame?.name !== 'ShardAssignment')
        fail('ShardAssignment{shard_streams: ShardStream[]}', describeReceived(item));
      const n = probe.numShards;
      const streams = item.frame.payload.shard_streams;
      const expected = Array.from({ length: n }, (_, shard) => ({
        shard_id: shard,
        room_ids: ok.rooms
          .filter((r) => (typeof r === 'number' ? r % n : Number(r % BigInt(n))) === shard)
          .map(String),
      }));
      const actual = streams.map((s) => ({ shard_id: s.shard_id, room_ids: s.room_ids.map(String) }));
      ensure(
        JSON.stringify(actual) === JSON.stringify(expected),
        `shard_streams ${JSON.stringify(expected)}`,
        JSON.stringify(actual),
      );
    },
  },
  {
    id: '6.4/auto-join',
    title: 'After AuthOk the user gets RoomInit for room 1 on its shard; the others get RoomUserJoined',
    rules: ['6.4/auto-join', '7/general', '7/join-existing'],
    async run(ctx) {
      const first = await ctx.login('auto-a');
      const init = await first.expectFrame(first.shardStreamOf(1), 'RoomInit', {
        timeoutMs: ctx.timeoutMs,
        what: `RoomInit for room 1 on the shard stream of room 1 (stream ${first.shardStreamOf(1)})`,
        match: (p) => sameId(p.room_id, 1),
      });
      ensure(
        init.payload.members.some((m) => sameId(m.user_id, first.userId)),
        'RoomInit.members of room 1 to include the new user',
        () => JSON.stringify(init.payload.members.map((m) => m.username)),
      );
      ensure(
        init.payload.room_type === 'channel',
        'room 1 to be a channel (7/general)',
        init.payload.room_type,
      );
      const second = await ctx.login('auto-b');
      await first.expectFrame(first.shardStreamOf(1), 'RoomUserJoined', {
        timeoutMs: ctx.timeoutMs,
        what: `RoomUserJoined{room_id 1, user ${second.username}} for the existing member`,
        match: (p) => sameId(p.room_id, 1) && sameId(p.user.user_id, second.userId),
      });
    },
  },
  {
    id: '6.5/command-before-auth',
    title: 'ServerCommand before AuthOk gets Error 1002; the connection survives and can authenticate',
    rules: ['6.5/command-before-auth', '14/command-before-auth'],
    async run(ctx) {
      const probe = await ctx.connect('early-command');
      await reachAwaitAuth(ctx, probe);
      const after = probe.mark;
      probe.send('ServerCommand', { command: 'kick', params: { room_id: 1, user_id: 1 } });
      await expectErrorCode(ctx, probe, ERROR_CODES.AUTH_REQUIRED, after, { startsWith: 'ServerCommand' });
      await probe.authenticate(ctx.env.username('early-command'), ctx.timeoutMs).catch(() => {
        fail('AuthOk after the refused ServerCommand (connection survives)', probe.describe());
      });
    },
  },
  {
    id: '6.5/uni-before-auth',
    title: 'A client uni stream before AuthOk gets STOP_SENDING 1002 and Error 1002; the connection survives',
    rules: ['6.5/uni-before-auth', '14/uni-before-auth'],
    async run(ctx) {
      const probe = await ctx.connect('early-uni');
      await reachAwaitAuth(ctx, probe);
      const after = probe.mark;
      const uni = probe.openUni();
      probe.write(uni, encodeFrame('JoinRoom', { room_id: 1 }));
      await expectStopSendingCode(ctx, probe, uni, ERROR_CODES.AUTH_REQUIRED);
      await expectErrorCode(ctx, probe, ERROR_CODES.AUTH_REQUIRED, after, { startsWith: `stream ${uni}` });
      await probe.authenticate(ctx.env.username('early-uni'), ctx.timeoutMs);
    },
  },
  {
    id: '6.5/datagram-before-auth',
    title: 'A datagram before AuthOk is dropped silently (no Error); the connection survives',
    rules: ['6.5/datagram-before-auth', '14/datagram-before-auth'],
    async run(ctx) {
      const probe = await ctx.connect('early-datagram');
      await reachAwaitAuth(ctx, probe);
      for (let i = 0; i < 3; i++) probe.sendDatagram(encodeDatagram('Typing', { room_id: 1, user_id: null }));
      await ctx.sleep(ctx.settleMs);
      await probe.authenticate(ctx.env.username('early-datagram'), ctx.timeoutMs);
      await expectAlive(ctx, probe);
      expectNoError(probe, 0, 'datagrams before AuthOk are dropped silently');
    },
  },
];
