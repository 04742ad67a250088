/**
 * The reference server over real QUIC on 127.0.0.1: handshake, fan-out, hot-room promotion, datagrams, violations
 * and graceful shutdown, end to end through the transport and the codec.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../reference-server/config.js';
import { GarouServer } from '../../reference-server/server.js';
import { userIdForUsername } from '../../reference-server/user-identity.js';
import { QuicEndpoint, generateSelfSignedCert, type CertificateAndKey } from '../../transport/index.js';
import { QuicTestClient } from './quic-test-client.js';

let certificate: Promise<CertificateAndKey> | null = null;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(settings: Record<string, unknown> = {}) {
  certificate ??= generateSelfSignedCert();
  const { cert, key } = await certificate;
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-loopback-'));
  const config = resolveConfig({ port: 0, ...settings });
  const server = await GarouServer.start(config, { cert, key, dataDir });
  const client = await QuicEndpoint.bind({ host: '127.0.0.1' });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => server.shutdown());
  cleanups.push(() => client.close({ timeoutMs: 200 }));
  const connect = () => QuicTestClient.connect(client, server.address.host, server.address.port);
  return { server, connect };
}

describe('reference server over QUIC', () => {
  it('handshake, auto-join and a message fanned out to both members', async () => {
    const { connect } = await startServer();
    const alice = await (await connect()).login('alice');
    const bob = await (await connect()).login('bob');
    expect(alice.on(alice.control).map((f) => f.name)).toEqual(['HelloAck', 'AuthOk', 'ShardAssignment']);
    expect(alice.controlOf('AuthOk')[0]?.payload.user_id).toBe(userIdForUsername('alice'));
    alice.command('SendMessage', { room_id: 1, content: 'hi', nonce: 'n1', reply_to: null, attachments: [] });
    for (const c of [alice, bob])
      await c.until(() => c.on(7).some((f) => f.name === 'RoomMessage'), 'RoomMessage on shard 1');
    expect(alice.controlOf('MessageAck').map((f) => f.payload.nonce)).toEqual(['n1']);
    const message = bob.on(7).find((f) => f.name === 'RoomMessage');
    expect(message?.payload).toMatchObject({ message_id: 1, content: 'hi', sender: { username: 'alice' } });
  });

  it('promotes a busy room to a hot stream headed by RoomPromoted, then demotes it', async () => {
    const { connect } = await startServer({
      promote_rate: 10,
      demote_rate: 1,
      rate_window_ms: 500,
      cool_down_ms: 300,
    });
    const alice = await (await connect()).login('alice');
    for (let i = 0; i < 5; i++)
      alice.command('SendMessage', {
        room_id: 1,
        content: `m${i}`,
        nonce: `${i}`,
        reply_to: null,
        attachments: [],
      });
    // 5 messages in a 0.5 s window = 10 msgs/s: the 5th is the trigger and travels on the hot stream (id 35).
    await alice.until(() => alice.on(35).some((f) => f.name === 'RoomMessage'), 'message on the hot stream');
    expect(alice.controlOf('RoomPromoted').map((f) => f.payload)).toEqual([{ room_id: 1, from_shard: 1 }]);
    expect(alice.on(35).map((f) => f.name)).toEqual(['RoomPromoted', 'RoomMessage']);
    const shardIds = alice.on(7).flatMap((f) => (f.name === 'RoomMessage' ? [f.payload.message_id] : []));
    expect(shardIds).toEqual([1, 2, 3, 4]);
    // Quiet: the window empties and the cool-down passes; the hot stream is finished, RoomDemoted follows.
    await alice.until(() => alice.controlOf('RoomDemoted').length === 1, 'RoomDemoted', 5000);
    expect(alice.finished.has(35)).toBe(true);
  });

  it('a burst of messages in one tick reaches every member complete and in order', async () => {
    // No rate limit and no promotion: every frame travels on the shard stream (7). The 250 commands reach the server
    // in a few flushes and fan out to 32 members (8,000 frames, hundreds of packets per flush), so each member's
    // stream takes frames of several messages per flush, and the members' endpoint reads full batches.
    const { connect } = await startServer({ rate_limit: 0, promote_rate: 1_000_000, demote_rate: 1 });
    const members: QuicTestClient[] = [];
    for (let i = 0; i < 32; i++) members.push(await (await connect()).login(`member-${i}`));
    const sender = members[0]!;
    const count = 250;
    for (let i = 0; i < count; i++)
      sender.command('SendMessage', {
        room_id: 1,
        content: `message ${i} ${'x'.repeat(120)}`,
        nonce: `n${i}`,
        reply_to: null,
        attachments: [],
      });
    const messagesOf = (c: QuicTestClient) =>
      c.on(7).flatMap((f) => (f.name === 'RoomMessage' ? [f.payload] : []));
    for (const member of members)
      await member.until(() => messagesOf(member).length >= count, 'every RoomMessage', 15_000);
    const expected = Array.from({ length: count }, (_, i) => `message ${i} ${'x'.repeat(120)}`);
    for (const member of members) {
      const messages = messagesOf(member);
      expect(messages.map((m) => m.content)).toEqual(expected);
      const ids = messages.map((m) => Number(m.message_id));
      expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
    }
    expect(sender.controlOf('MessageAck').map((f) => f.payload.nonce)).toEqual(
      expected.map((_, i) => `n${i}`),
    );
  }, 30_000);

  it('relays typing datagrams with the sender id', async () => {
    const { connect } = await startServer();
    const alice = await (await connect()).login('alice');
    const bob = await (await connect()).login('bob');
    // Datagrams are unreliable: repeat until one arrives (bounded by `until`).
    await bob.until(() => {
      alice.datagram('Typing', { room_id: 1, user_id: null });
      return bob.datagrams.some((f) => f.name === 'Typing');
    }, 'Typing datagram');
    const typing = bob.datagrams.find((f) => f.name === 'Typing');
    expect(typing?.payload).toEqual({ room_id: 1, user_id: userIdForUsername('alice') });
  });

  it('a violation on the control stream: Error frame, then close with its code', async () => {
    const { connect } = await startServer();
    const client = await connect();
    client.send('Auth', { method: 'username', credentials: 'early' });
    await client.until(() => client.closeInfo !== null, 'close');
    expect(client.controlOf('Error').map((f) => f.payload.code)).toEqual([1002]);
    expect(client.closeInfo?.peerError).toMatchObject({ isApp: true, code: 1002 });
  });

  it('graceful shutdown: Goodbye to every client and close with code 0', async () => {
    const { server, connect } = await startServer();
    const clients = [await (await connect()).login('a'), await (await connect()).login('b')];
    await server.shutdown('maintenance');
    for (const c of clients) {
      await c.until(() => c.closeInfo !== null, 'close');
      expect(c.controlOf('Goodbye').map((f) => f.payload)).toEqual([{ reason: 'maintenance' }]);
      expect(c.closeInfo?.peerError).toMatchObject({ isApp: true, code: 0 });
    }
  });
});
