/**
 * ProbeConnection against the reference server: raw bytes in, everything recorded, and bounded waits that fail
 * with expected vs actual (fast when the connection is gone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckFailed } from '../../../harness/conformance/check.js';
import { ProbeConnection } from '../../../harness/conformance/probe-connection.js';
import { ResolvedTarget } from '../../../harness/conformance/target.js';
import { encodeFrame } from '../../../spec/index.js';
import { startTestServer, type TestServer } from './conformance-server.js';

let server: TestServer;
let target: ResolvedTarget;

beforeAll(async () => {
  server = await startTestServer();
  target = await ResolvedTarget.open(server.address, {
    ca: null,
    serverName: null,
    handshakeTimeoutMs: 2000,
  });
});

afterAll(async () => {
  await target.close();
  await server.stop();
});

const open = (label: string) => ProbeConnection.open(target, { alpn: 'chat', label, defaultNumShards: 8 });

describe('ProbeConnection', () => {
  it('records frames per stream kind with their decoded payloads, in arrival order', async () => {
    const probe = await open('recorder');
    const ok = await probe.login('probe-recorder', 2000);
    const { payload, item } = await probe.expectFrame('shard', 'RoomInit', { timeoutMs: 2000 });
    expect(payload.room_id).toBe(1);
    expect(item.streamId).toBe(probe.shardStreamOf(1));
    expect(probe.on('control').map((f) => f.name)).toEqual(['HelloAck', 'AuthOk', 'ShardAssignment']);
    expect(probe.userId).toEqual(ok.user_id);
    expect(probe.on('any').every((f, i, all) => i === 0 || all[i - 1]!.seq < f.seq)).toBe(true);
    probe.close();
  });

  it('sees a STOP_SENDING of its uni stream and the close of a violating connection', async () => {
    const probe = await open('violator');
    await probe.login('probe-violator', 2000);
    const uni = probe.openUni();
    probe.write(uni, encodeFrame('Ping', { timestamp: 1 }));
    expect(await probe.expectStopSending(uni, 2000)).toBe(1001);
    probe.write('control', new Uint8Array([0x0a, 0, 0, 0, 0]));
    const info = await probe.expectClose(2000);
    expect(info.peerError).toMatchObject({ isApp: true, code: 1001 });
  });

  it('fails a wait with expected and actual, at once when the connection is closed', async () => {
    const probe = await open('waiter');
    probe.hello();
    const failure = await probe.expectFrame('control', 'AuthOk', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CheckFailed);
    expect((failure as CheckFailed).expected).toMatch(/AuthOk on the control stream within 200 ms/);
    expect((failure as CheckFailed).actual).toMatch(/HelloAck/);
    probe.close();
    await probe.expectClose(1000);
    // The cause, not the speed: on a closed connection the wait fails before any timer can fire (it is settled
    // before the next turn of the event loop), and it says the connection closed.
    const wait = probe.expectFrame('control', 'AuthOk', { timeoutMs: 20_000 }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const nextTurn = new Promise((resolve) => setImmediate(() => resolve('pending')));
    const settled = await Promise.race([wait, nextTurn]);
    expect(settled).toBeInstanceOf(CheckFailed);
    expect((settled as CheckFailed).actual).toMatch(/connection closed/);
  });
});
