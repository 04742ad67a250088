import { afterAll, describe, expect, it, vi } from 'vitest';
import { issueJwt } from '../../reference-server/token-verifier.js';
import { userIdForUsername } from '../../reference-server/user-identity.js';
import { encodeFrame, FRAME_CODES } from '../../spec/index.js';
import { NULL_OBSERVER } from '../../reference-server/server-observer.js';
import { CONTROL, TestClient, removeTestDirs, testService } from './recording-connection.js';

afterAll(removeTestDirs);

/** A frame header with an arbitrary type byte and length, plus `payload`. */
function rawFrame(type: number, payload: string, length = Buffer.byteLength(payload)): Uint8Array {
  const out = Buffer.alloc(5 + Buffer.byteLength(payload));
  out[0] = type;
  out.writeUInt32BE(length, 1);
  out.write(payload, 5);
  return out;
}

describe('handshake', () => {
  it('Hello -> HelloAck; Auth -> AuthOk, ShardAssignment, then RoomInit of General on shard 1', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: ['chat'] });
    const [helloAck] = client.controlFrames();
    expect(helloAck?.name).toBe('HelloAck');
    if (helloAck?.name !== 'HelloAck') return;
    expect(helloAck.payload).toMatchObject({
      version: 1,
      num_shards: 8,
      hot_room_config: {
        promote_rate: 100,
        demote_rate: 20,
        cool_down_ms: 60000,
        rate_window_ms: 10000,
        max_hot_rooms: 10,
      },
    });
    expect(helloAck.payload.session_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(client.session.state).toBe('await-auth');

    client.control('Auth', { method: 'username', credentials: '  alice  ' });
    expect(client.controlFrames().map((f) => f.name)).toEqual(['HelloAck', 'AuthOk', 'ShardAssignment']);
    const authOk = client.controlOf('AuthOk')[0]!.payload;
    expect(authOk).toEqual({ user_id: userIdForUsername('alice'), username: 'alice', rooms: [1] });
    const assignment = client.controlOf('ShardAssignment')[0]!.payload.shard_streams;
    expect(assignment.map((s) => s.shard_id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(assignment.map((s) => s.room_ids)).toEqual([[], [1], [], [], [], [], [], []]);
    // Room 1 -> shard 1 -> server uni stream 4*1+3 = 7.
    const shardFrames = client.framesOn(7);
    expect(shardFrames.map((f) => f.name)).toEqual(['RoomInit']);
    expect(shardFrames[0]?.payload).toMatchObject({ room_id: 1, name: 'General', room_type: 'channel' });
    // The control stream frames were written before the RoomInit.
    expect(client.port.streamsWritten()).toEqual([CONTROL, 7]);
    expect(client.session.state).toBe('ready');
  });

  it('user ids above 2^53 travel as exact integers', () => {
    const { service } = testService();
    // Find a username whose FNV-1a 64 exceeds 2^53 (most do).
    const name = ['bob', 'carol', 'dave', 'erin'].find((n) => typeof userIdForUsername(n) === 'bigint')!;
    const client = new TestClient(service).login(name);
    expect(client.controlOf('AuthOk')[0]?.payload.user_id).toBe(userIdForUsername(name));
  });

  it('bad credentials give AuthFailed 1003 and the client may retry', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    client.control('Auth', { method: 'username', credentials: '   ' });
    client.control('Auth', { method: 'username', credentials: 'x'.repeat(51) });
    client.control('Auth', { method: 'password', credentials: 'alice' });
    const failures = client.controlOf('AuthFailed').map((f) => f.payload);
    expect(failures).toHaveLength(3);
    expect(failures.every((f) => f.code === 1003)).toBe(true);
    expect(failures[2]?.message).toMatch(/unknown auth method/);
    expect(client.session.state).toBe('await-auth');
    expect(client.port.closed()).toBeUndefined();
    client.control('Auth', { method: 'username', credentials: 'alice' });
    expect(client.session.state).toBe('ready');
  });

  it('token auth accepts a valid JWT and refuses an expired or forged one, answering in order', async () => {
    const { service, clock } = testService();
    const nowSec = Math.floor(clock.time / 1000);
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    const token = (secret: string, ttlSeconds: number, at: number) =>
      issueJwt(secret, 'tok', { ttlSeconds, nowSeconds: at });
    // Three Auth frames back to back: verification is asynchronous, the answers keep the order.
    client.control('Auth', { method: 'token', credentials: await token('test-secret', 10, nowSec - 20) });
    client.control('Auth', { method: 'token', credentials: await token('wrong-secret', 10, nowSec) });
    client.control('Auth', { method: 'token', credentials: await token('test-secret', 10, nowSec) });
    await vi.waitFor(() => expect(client.controlOf('AuthOk')).toHaveLength(1));
    expect(client.controlOf('AuthFailed').map((f) => f.payload.message)).toEqual([
      'token refused: expired',
      'token refused: bad_signature',
    ]);
    expect(client.controlOf('AuthOk')[0]?.payload.username).toBe('tok');
    expect(client.session.state).toBe('ready');
  });
});

describe('handshake violations', () => {
  it('a frame other than Hello first: Error 1002, connection closed with 1002', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Auth', { method: 'username', credentials: 'alice' });
    expect(client.errors()).toEqual([{ code: 1002, message: 'Auth before Hello', context: 'Auth' }]);
    expect(client.port.closed()?.code).toBe(1002);
    expect(client.session.state).toBe('closed');
    expect(service.sessionCount).toBe(0);
  });

  it('an unsupported version: Error 1001 and close', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 2, capabilities: [] });
    expect(client.errors()[0]).toMatchObject({ code: 1001, context: 'Hello.version' });
    expect(client.port.closed()?.code).toBe(1001);
  });

  it('a second Hello, or Auth after AuthOk: 1001 and close', () => {
    const { service } = testService();
    const a = new TestClient(service);
    a.control('Hello', { version: 1, capabilities: [] });
    a.control('Hello', { version: 1, capabilities: [] });
    expect(a.errors()[0]).toMatchObject({ code: 1001, context: 'Hello' });
    expect(a.port.closed()?.code).toBe(1001);

    const b = new TestClient(service).login('bob');
    b.control('Auth', { method: 'username', credentials: 'bob' });
    expect(b.errors()[0]).toMatchObject({ code: 1001, context: 'Auth' });
    expect(b.port.closed()?.code).toBe(1001);
  });

  it('a server-only frame on the control stream: 1001 and close', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    client.control('AuthOk', { user_id: 1, username: 'x', rooms: [] });
    expect(client.errors()[0]).toMatchObject({ code: 1001, context: 'stream 0: AuthOk' });
    expect(client.port.closed()?.code).toBe(1001);
  });

  it('an unknown type byte on the control stream: 1001 and close', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    client.raw(CONTROL, rawFrame(0x99, '{}'));
    expect(client.errors()[0]?.code).toBe(1001);
    expect(client.port.closed()?.code).toBe(1001);
  });

  it('invalid JSON on the control stream: 1007 naming the frame, connection survives', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    client.raw(CONTROL, rawFrame(FRAME_CODES.Auth, '{"method": "username", "credentials": 5}'));
    expect(client.errors()[0]).toMatchObject({ code: 1007, context: 'Auth.credentials' });
    expect(client.port.closed()).toBeUndefined();
    client.control('Auth', { method: 'username', credentials: 'alice' });
    expect(client.session.state).toBe('ready');
  });

  it('a client uni stream before AuthOk: 1002 naming the stream, stream aborted, connection survives', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    client.on(2, 'JoinRoom', { room_id: 5 });
    expect(client.errors()).toEqual([
      { code: 1002, message: 'client streams are allowed only after AuthOk', context: 'stream 2' },
    ]);
    expect(client.port.actions).toContainEqual({ type: 'abort', streamId: 2, code: 1002 });
    expect(client.port.closed()).toBeUndefined();
    // Later bytes on the aborted stream are ignored.
    client.on(2, 'JoinRoom', { room_id: 5 });
    expect(client.errors()).toHaveLength(1);
    // A datagram before AuthOk is dropped without a reply.
    client.datagram('Typing', { room_id: 1, user_id: null });
    expect(client.errors()).toHaveLength(1);
    client.control('Auth', { method: 'username', credentials: 'alice' });
    expect(client.session.state).toBe('ready');
  });

  it('before HelloAck, stream violations get only their fate: HelloAck stays the first frame', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.on(2, 'JoinRoom', { room_id: 5 });
    client.control('Hello', { version: 1, capabilities: [] });
    client.on(4, 'Ping', { timestamp: 1 });
    expect(client.port.actions.filter((a) => a.type === 'abort')).toEqual([
      { type: 'abort', streamId: 2, code: 1002 },
      { type: 'abort', streamId: 4, code: 1001 },
    ]);
    // The extra bidi stream came after HelloAck, so it got its Error; the early uni stream did not.
    expect(client.controlFrames().map((f) => f.name)).toEqual(['HelloAck', 'Error']);
  });

  it('header errors take precedence over the auth state on an early uni stream (1001)', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    client.raw(2, rawFrame(0x2f, '{}'));
    client.raw(6, rawFrame(FRAME_CODES.SendMessage, '', 16 * 1024 * 1024 + 1));
    expect(client.errors().map((e) => [e.code, e.context])).toEqual([
      [1001, 'stream 2'],
      [1001, 'stream 6'],
    ]);
  });

  it('a second client bidirectional stream is aborted with 1001', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    client.on(4, 'Ping', { timestamp: 1 });
    expect(client.port.actions).toContainEqual({ type: 'abort', streamId: 4, code: 1001 });
    expect(client.errors()[0]).toMatchObject({ code: 1001, context: 'stream 4' });
    expect(client.port.closed()).toBeUndefined();
  });
});

describe('client uni streams', () => {
  it('classifies by first frame and refuses other ranges later (1001, stream aborted)', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const chat = client.newUniStream();
    client.on(chat, 'JoinRoom', { room_id: 5 });
    client.on(chat, 'MessageRead', { message_id: 1, room_id: 5, read_at: 0 });
    expect(client.errors()).toEqual([
      {
        code: 1001,
        message: 'MessageRead may not be sent on a chat-commands stream',
        context: `stream ${chat}: MessageRead`,
      },
    ]);
    expect(client.port.actions).toContainEqual({ type: 'abort', streamId: chat, code: 1001 });
    expect(client.port.closed()).toBeUndefined();
  });

  it.each([
    ['RoomMessage (server frame range)', 'RoomInit'],
    ['MessageAck (server ack)', 'MessageAck'],
    ['UploadAck (server upload frame)', 'UploadAck'],
    ['a control frame', 'Ping'],
  ] as const)('refuses %s as first frame', (_label, name) => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const stream = client.newUniStream();
    const payloads = {
      RoomInit: { room_id: 1, name: 'x', room_type: 'group', members: [], recent_messages: [] },
      MessageAck: { nonce: 'n', message_id: 1, timestamp: 1 },
      UploadAck: { upload_id: 1, bytes_received: 0, url: null },
      Ping: { timestamp: 1 },
    } as const;
    client.raw(stream, encodeFrame(name, payloads[name] as never));
    expect(client.errors()[0]).toMatchObject({ code: 1001, context: `stream ${stream}: ${name}` });
    expect(client.port.actions).toContainEqual({ type: 'abort', streamId: stream, code: 1001 });
  });

  it('unknown type byte and oversize length abort the stream with 1001', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const a = client.newUniStream();
    client.raw(a, rawFrame(0x2f, '{}'));
    const b = client.newUniStream();
    client.raw(b, rawFrame(FRAME_CODES.SendMessage, '', 16 * 1024 * 1024 + 1));
    expect(client.errors().map((e) => [e.code, e.context])).toEqual([
      [1001, `stream ${a}`],
      [1001, `stream ${b}`],
    ]);
    expect(client.port.actions.filter((x) => x.type === 'abort').map((x) => x.streamId)).toEqual([a, b]);
    expect(client.port.closed()).toBeUndefined();
  });

  it('invalid JSON or a schema mismatch: 1007 with context, the stream keeps working', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const chat = client.newUniStream();
    client.raw(chat, rawFrame(FRAME_CODES.JoinRoom, '{"room_id":'));
    client.raw(chat, rawFrame(FRAME_CODES.SendMessage, '{"room_id": "one", "content": "x", "nonce": "n"}'));
    client.on(chat, 'JoinRoom', { room_id: 5 });
    expect(client.errors().map((e) => [e.code, e.context])).toEqual([
      [1007, 'JoinRoom'],
      [1007, 'SendMessage.room_id'],
    ]);
    // The JoinRoom after the errors was handled: room 5 (shard 5, stream 23) got a RoomInit.
    expect(client.framesOn(23).map((f) => f.name)).toEqual(['RoomInit']);
  });

  it('a stream finished mid-frame: 1001', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const stream = client.newUniStream();
    const bytes = encodeFrame('JoinRoom', { room_id: 5 });
    client.raw(stream, bytes.subarray(0, bytes.length - 2), true);
    expect(client.errors()[0]).toMatchObject({ code: 1001, context: `stream ${stream}` });
    expect(client.framesOn(23)).toEqual([]);
  });

  it('frames split across arbitrary chunks are reassembled', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const stream = client.newUniStream();
    const bytes = Buffer.concat([
      encodeFrame('JoinRoom', { room_id: 5 }),
      encodeFrame('JoinRoom', { room_id: 6 }),
    ]);
    for (let i = 0; i < bytes.length; i += 3) client.raw(stream, bytes.subarray(i, i + 3));
    expect(client.framesOn(23).map((f) => f.name)).toEqual(['RoomInit']);
    expect(client.framesOn(27).map((f) => f.name)).toEqual(['RoomInit']);
    expect(client.errors()).toEqual([]);
  });
});

describe('keep-alive and close', () => {
  it('answers Ping with Pong carrying the same timestamp, exactly (u64)', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    client.control('Ping', { timestamp: 2n ** 63n + 5n });
    client.control('Ping', { timestamp: 42 });
    expect(client.controlOf('Pong').map((f) => f.payload.timestamp)).toEqual([2n ** 63n + 5n, 42]);
  });

  it('sends Ping every ping interval', () => {
    const { service, clock } = testService({ ping_interval_ms: 30_000 });
    const client = new TestClient(service).login('alice');
    clock.advance(29_999);
    service.tick();
    expect(client.controlOf('Ping')).toHaveLength(0);
    clock.advance(1);
    service.tick();
    clock.advance(30_000);
    service.tick();
    expect(client.controlOf('Ping').map((f) => f.payload.timestamp)).toEqual([
      clock.time - 30_000,
      clock.time,
    ]);
  });

  it('skips the Ping of a check when the connection carried a frame since the previous check', () => {
    const { service, clock } = testService({ ping_interval_ms: 30_000 });
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    const pings = (c: TestClient) => c.controlOf('Ping').length;
    const check = () => {
      clock.advance(30_000);
      service.tick();
    };
    // Bob's login announced him to alice in General: traffic for her, none for him (his own login does not count).
    check();
    expect([pings(alice), pings(bob)]).toEqual([0, 1]);
    // Alice sends a command: traffic from her, and its fan-out reaches bob.
    alice.command('SendMessage', { room_id: 1, content: 'hi', nonce: 'n1', reply_to: null, attachments: [] });
    check();
    expect([pings(alice), pings(bob)]).toEqual([0, 1]);
    // Silent since the last check: both get their Ping.
    check();
    expect([pings(alice), pings(bob)]).toEqual([1, 2]);
    // A client's own Ping is traffic; a Pong answering ours is not.
    alice.control('Ping', { timestamp: 7 });
    bob.control('Pong', { timestamp: clock.time });
    check();
    expect([pings(alice), pings(bob)]).toEqual([1, 3]);
  });

  it('Goodbye from the client closes with code 0 and leaves rooms', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.control('Goodbye', { reason: 'bye' });
    expect(alice.port.closed()).toMatchObject({ code: 0, reason: 'goodbye' });
    expect(bob.framesOn(7).map((f) => f.name)).toContain('RoomUserLeft');
    expect(service.sessionCount).toBe(1);
  });

  it('the control stream finished at a frame boundary closes with 0; mid-frame with 1001', () => {
    const { service } = testService();
    const a = new TestClient(service).login('a');
    a.control('Ping', { timestamp: 1 }, true);
    expect(a.controlOf('Pong')).toHaveLength(1);
    expect(a.port.closed()).toMatchObject({ code: 0 });
    const b = new TestClient(service).login('b');
    const ping = encodeFrame('Ping', { timestamp: 1 });
    b.raw(CONTROL, ping.subarray(0, 3), true);
    expect(b.errors()[0]).toMatchObject({ code: 1001, context: 'stream 0' });
    expect(b.port.closed()).toMatchObject({ code: 1001 });
  });

  it('server shutdown sends Goodbye to every client, then closes with 0', () => {
    const { service } = testService();
    const clients = [new TestClient(service).login('a'), new TestClient(service).login('b')];
    service.shutdown('server shutting down');
    for (const client of clients) {
      expect(client.controlOf('Goodbye')[0]?.payload).toEqual({ reason: 'server shutting down' });
      const actions = client.port.actions;
      expect(actions[actions.length - 1]).toEqual({ type: 'close', code: 0, reason: 'server shutting down' });
    }
    expect(service.sessionCount).toBe(0);
  });

  it('transport close is handled once, even after a protocol close', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.control('Goodbye', { reason: '' });
    alice.session.onClosed();
    alice.session.onClosed();
    expect(bob.framesOn(7).filter((f) => f.name === 'RoomUserLeft')).toHaveLength(1);
  });
});

describe('internal failures', () => {
  it('a handler that throws yields SERVER_ERROR 1010 for that frame; later frames still run', () => {
    let failOnce = false;
    const observer = {
      ...NULL_OBSERVER,
      fanOut: () => {
        if (failOnce) {
          failOnce = false;
          throw new Error('boom');
        }
      },
    };
    const { service } = testService({}, undefined, observer);
    const client = new TestClient(service).login('alice');
    failOnce = true; // the next fan-out (message a's RoomMessage) fails
    const stream = client.newUniStream();
    const send = (nonce: string) =>
      encodeFrame('SendMessage', { room_id: 1, content: 'x', nonce, reply_to: null, attachments: [] });
    client.raw(stream, Buffer.concat([send('a'), send('b')]));
    expect(client.errors()).toEqual([
      { code: 1010, message: 'internal server error', context: 'SendMessage' },
    ]);
    expect(client.controlOf('MessageAck').map((f) => f.payload.nonce)).toEqual(['a', 'b']);
    expect(client.port.closed()).toBeUndefined();
  });
});

describe('ServerCommand', () => {
  it('before AuthOk: Error 1002, ignored, connection survives', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    client.control('ServerCommand', { command: 'kick', params: { room_id: 1, user_id: 1 } });
    expect(client.errors()).toEqual([{ code: 1002, message: expect.any(String), context: 'ServerCommand' }]);
    expect(client.port.closed()).toBeUndefined();
  });

  it('kick: RoomClose to the target, RoomUserLeft to the rest, echo to the kicker', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    alice.command('JoinRoom', { room_id: 10 }); // owner
    bob.command('JoinRoom', { room_id: 10 });
    const params = { room_id: 10, user_id: userIdForUsername('bob') };
    alice.control('ServerCommand', { command: 'kick', params });
    expect(bob.framesOn(11).at(-1)?.payload).toEqual({ room_id: 10, reason: 'kicked' });
    expect(alice.framesOn(11).at(-1)).toMatchObject({
      name: 'RoomUserLeft',
      payload: { user_id: params.user_id },
    });
    expect(alice.controlOf('ServerCommand').map((f) => f.payload)).toEqual([{ command: 'kick', params }]);
    // The kicked user may rejoin.
    bob.command('JoinRoom', { room_id: 10 });
    expect(bob.framesOn(11).at(-1)?.name).toBe('RoomInit');
  });

  it('set_role takes effect before its echo; permissions follow the new role', () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    const carol = new TestClient(service).login('carol');
    for (const c of [alice, bob, carol]) c.command('JoinRoom', { room_id: 10 });
    const kickCarol = { command: 'kick', params: { room_id: 10, user_id: userIdForUsername('carol') } };
    bob.control('ServerCommand', kickCarol);
    expect(bob.errors()[0]).toMatchObject({ code: 1004, context: 'ServerCommand.params' });
    const promote = { room_id: 10, user_id: userIdForUsername('bob'), role: 'moderator' };
    alice.control('ServerCommand', { command: 'set_role', params: promote });
    expect(alice.controlOf('ServerCommand').map((f) => f.payload)).toEqual([
      { command: 'set_role', params: promote },
    ]);
    bob.control('ServerCommand', kickCarol);
    expect(carol.framesOn(11).at(-1)?.payload).toEqual({ room_id: 10, reason: 'kicked' });
  });

  it.each([
    [{ command: 'ban', params: null }, 1007, 'ServerCommand.command'],
    [{ command: 'kick', params: [1, 2] }, 1007, 'ServerCommand.params'],
    [{ command: 'kick', params: { room_id: -1, user_id: 2 } }, 1007, 'ServerCommand.params'],
    [
      { command: 'set_role', params: { room_id: 10, user_id: 2, role: 'king' } },
      1007,
      'ServerCommand.params',
    ],
    [{ command: 'kick', params: { room_id: 999, user_id: 2 } }, 1005, 'ServerCommand.params'],
    [{ command: 'kick', params: { room_id: 10, user_id: 2 } }, 1005, 'ServerCommand.params'],
  ] as const)('refuses %j with %d', (payload, code, context) => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    alice.command('JoinRoom', { room_id: 10 });
    alice.control('ServerCommand', payload as never);
    expect(alice.errors()).toEqual([{ code, message: expect.any(String), context }]);
    expect(alice.port.closed()).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('refuses commands beyond the burst: each gets Error 1006 then Throttle, with no other effect', () => {
    const { service, clock } = testService({ rate_limit: 10, rate_limit_burst: 3 });
    const client = new TestClient(service).login('alice');
    for (let i = 0; i < 5; i++) client.command('JoinRoom', { room_id: 100 + i });
    expect(client.errors().map((e) => [e.code, e.context])).toEqual([
      [1006, 'JoinRoom'],
      [1006, 'JoinRoom'],
    ]);
    // Error then Throttle, per refused command, in that order on the control stream.
    const tail = client.controlFrames().slice(-4);
    expect(tail.map((f) => f.name)).toEqual(['Error', 'Throttle', 'Error', 'Throttle']);
    expect(tail[1]?.payload).toEqual({
      room_id: null,
      delay_ms: 100,
      reason: 'per-connection command rate limit',
    });
    // Rooms 103 and 104 were not joined (shards 3 and 0 -> streams 15 and 3 carry nothing).
    expect(client.framesOn(15)).toEqual([]);
    expect(client.framesOn(3)).toEqual([]);
    clock.advance(100);
    client.command('JoinRoom', { room_id: 200 });
    expect(client.errors()).toHaveLength(2);
    client.command('SendMessage', { room_id: 1, content: 'x', nonce: 'q', reply_to: null, attachments: [] });
    expect(client.errors().at(-1)).toMatchObject({ code: 1006, context: 'SendMessage nonce=q' });
    expect(client.controlOf('Throttle')).toHaveLength(3);
  });
});
