/**
 * The batched native UDP socket (native/udp_io.c via transport/native-udp-io.ts) on loopback: a whole turn's
 * datagrams leave in sendmmsg batches and all arrive intact and in order, IPv6 works, a datagram the kernel
 * rejects is counted and does not stop the others, kernel drops show in /proc/net/udp, and GAROU_UDP_IO picks
 * the path.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSocketDrops } from '../../harness/metrics/udp-drops.js';
import { TransportError } from '../../transport/errors.js';
import { loadNativeUdp, nativeUdpUnavailableReason } from '../../transport/native-udp-io.js';
import type { NativeUdpStats } from '../../transport/native-udp-io.js';
import type { PacketIO } from '../../transport/packet-io.js';
import { createUdpPacketIO, resolveUdpIo } from '../../transport/udp-packet-io.js';
import type { UdpBindOptions } from '../../transport/udp-packet-io.js';
import { endpointPair } from './helpers/endpoints.js';
import { StreamRecorder, payload, writeAll } from './helpers/streams.js';

type NativeIO = PacketIO & { stats(): NativeUdpStats };
interface Received {
  data: Buffer;
  host: string;
  port: number;
}

const opened: PacketIO[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((io) => io.close()));
});

async function open(options: UdpBindOptions, into: Received[] = []): Promise<NativeIO> {
  const io = (await createUdpPacketIO({ ...options, io: 'native' })) as NativeIO;
  opened.push(io);
  io.start((data, host, port) => into.push({ data, host, port }));
  return io;
}

/** Datagram i: its index in the first 4 bytes, then `size - 4` bytes of (i + j) & 0xff. */
function datagram(i: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  out.writeUInt32BE(i, 0);
  for (let j = 4; j < size; j++) out[j] = (i + j) & 0xff;
  return out;
}

/** Polls `done` every 5 ms for at most 5 s. */
function until(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  return vi.waitUntil(done, { timeout: timeoutMs, interval: 5 });
}

describe('native UDP I/O', () => {
  it('is built on this machine (npm install builds it where python3, make and a C compiler exist)', () => {
    expect(loadNativeUdp(), nativeUdpUnavailableReason()).not.toBeNull();
    expect(resolveUdpIo(undefined)).toBe(process.env.GAROU_UDP_IO === 'dgram' ? 'dgram' : 'native');
  });

  it.each([
    ['127.0.0.1', 4],
    ['::1', 6],
  ])(
    'sends 400 datagrams queued in one turn in batches of 64 (sendmmsg); all arrive intact on %s',
    async (host) => {
      const received: Received[] = [];
      const receiver = await open({ host }, received);
      const sender = await open({ host });
      expect(sender.localAddress.host).toBe(host);
      // Sizes vary (1 to 1350 bytes); all are written from one arena buffer, as the endpoint does.
      const sizes = Array.from({ length: 400 }, (_, i) => (i === 0 ? 4 : 4 + ((i * 37) % 1347)));
      const arena = Buffer.concat(sizes.map((size, i) => datagram(i, size)));
      let at = 0;
      for (const size of sizes) {
        sender.send(arena, at, size, host, receiver.localAddress.port);
        at += size;
      }
      // Sent 64 at a time as they are queued; the last 16 wait for the end of this turn's JavaScript.
      expect(sender.stats().datagramsSent).toBe(384);
      await until(() => received.length === sizes.length);
      received.forEach((r, i) => {
        expect(r.data.equals(datagram(i, sizes[i]!)), `datagram ${i}`).toBe(true);
        expect(r.host).toBe(host);
        expect(r.port).toBe(sender.localAddress.port);
      });
      const sent = sender.stats();
      expect(sent.datagramsSent).toBe(400);
      expect(sent.sendCalls).toBeLessThanOrEqual(8);
      expect(sent.sendDrops).toBe(0);
      const got = receiver.stats();
      expect(got.datagramsReceived).toBe(400);
      expect(got.receiveCalls).toBeLessThan(400);
    },
  );

  it('carries a QUIC connection over ::1: handshake and 200 kB each way on one stream', async () => {
    const serverIo = await createUdpPacketIO({ host: '::1', io: 'native' });
    const clientIo = await createUdpPacketIO({ host: '::1', io: 'native' });
    const pair = await endpointPair({}, { server: serverIo, client: clientIo });
    try {
      const client = pair.connect();
      await client.whenEstablished();
      const server = await pair.acceptedAt(0);
      expect(server.remoteAddress).toEqual({ host: '::1', port: clientIo.localAddress.port });
      const atClient = new StreamRecorder(client);
      const atServer = new StreamRecorder(server);
      const stream = client.openBidi();
      const sent = payload(200_000, 3);
      await writeAll(client, stream, sent, true);
      await atServer.settled(stream);
      expect(atServer.bytes(stream).equals(sent)).toBe(true);
      await writeAll(server, stream, sent, true);
      await atClient.settled(stream);
      expect(atClient.bytes(stream).equals(sent)).toBe(true);
      expect((serverIo as NativeIO).stats().sendDrops).toBe(0);
    } finally {
      await pair.close();
    }
  });

  it('counts a datagram the kernel rejects and still sends the ones around it', async () => {
    const received: Received[] = [];
    const receiver = await open({ host: '127.0.0.1' }, received);
    const sender = await open({ host: '127.0.0.1' });
    const port = receiver.localAddress.port;
    sender.send(datagram(1, 20), 0, 20, '127.0.0.1', port);
    sender.send(datagram(2, 20), 0, 20, '127.0.0.1', 0); // port 0: sendmmsg fails with EINVAL
    sender.send(datagram(3, 20), 0, 20, '::1', port); // not an IPv4 address: never queued
    sender.send(datagram(4, 20), 0, 20, '127.0.0.1', port);
    await until(() => received.length === 2);
    expect(received.map((r) => r.data.readUInt32BE(0))).toEqual([1, 4]);
    expect(sender.stats()).toMatchObject({ datagramsSent: 2, sendDrops: 2 });
  });

  it('datagrams the kernel drops at a full receive buffer show in /proc/net/udp, as with dgram', async () => {
    const received: Received[] = [];
    // The smallest receive buffer the kernel allows; 300 datagrams of 1200 bytes leave before it reads any.
    const receiver = await open({ host: '127.0.0.1', recvBufferSize: 1 }, received);
    const sender = await open({ host: '127.0.0.1' });
    const payload = datagram(0, 1200);
    for (let i = 0; i < 300; i++) sender.send(payload, 0, 1200, '127.0.0.1', receiver.localAddress.port);
    await until(() => sender.stats().datagramsSent === 300);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const drops = readSocketDrops([receiver.localAddress.port]);
    expect(drops?.found).toBe(1);
    expect(drops!.drops).toBeGreaterThan(0);
    expect(received.length + drops!.drops).toBe(300);
  });

  it('closing sends what is still queued', async () => {
    const received: Received[] = [];
    const receiver = await open({ host: '127.0.0.1' }, received);
    const sender = await open({ host: '127.0.0.1' });
    sender.send(datagram(7, 30), 0, 30, '127.0.0.1', receiver.localAddress.port);
    await sender.close();
    sender.send(datagram(8, 30), 0, 30, '127.0.0.1', receiver.localAddress.port); // after close: ignored
    await until(() => received.length === 1);
    expect(received[0]!.data.readUInt32BE(0)).toBe(7);
  });

  it('a port in use is a BIND_FAILED error naming the address and errno', async () => {
    const first = await open({ host: '127.0.0.1' });
    const port = first.localAddress.port;
    await expect(createUdpPacketIO({ host: '127.0.0.1', port, io: 'native' })).rejects.toThrow(
      new RegExp(`cannot bind 127\\.0\\.0\\.1:${port}: bind EADDRINUSE`),
    );
  });
});

describe('choosing the UDP path (GAROU_UDP_IO / UdpBindOptions.io)', () => {
  it('dgram when asked: a socket without the batch counters that still carries datagrams', async () => {
    expect(resolveUdpIo('dgram')).toBe('dgram');
    const received: Received[] = [];
    const io = await createUdpPacketIO({ host: '127.0.0.1', io: 'dgram' });
    opened.push(io);
    io.start((data, host, port) => received.push({ data, host, port }));
    expect('stats' in io).toBe(false);
    const native = await open({ host: '127.0.0.1' });
    native.send(datagram(5, 10), 0, 10, '127.0.0.1', io.localAddress.port);
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ host: '127.0.0.1', port: native.localAddress.port });
  });

  it('an unknown value is an INVALID_ARGUMENT naming GAROU_UDP_IO', () => {
    expect(() => resolveUdpIo('fast')).toThrow(TransportError);
    expect(() => resolveUdpIo('fast')).toThrow(/GAROU_UDP_IO.*expected "native" or "dgram", got "fast"/);
  });

  it('without the addon: dgram by default, and GAROU_UDP_IO=native is an error that says why', async () => {
    // The socket modules alone, in a folder with no build/ beside them: as a machine without a toolchain.
    const dir = await mkdtemp(join(tmpdir(), 'garou-no-addon-'));
    try {
      await mkdir(join(dir, 'transport'));
      await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
      for (const file of ['udp-packet-io.ts', 'native-udp-io.ts', 'errors.ts', 'packet-io.ts']) {
        await copyFile(join(import.meta.dirname, '../../transport', file), join(dir, 'transport', file));
      }
      const script = `const m = await import(${JSON.stringify(join(dir, 'transport/udp-packet-io.ts'))});
        const io = await m.createUdpPacketIO({ host: '127.0.0.1' });
        console.log(m.resolveUdpIo(), 'stats' in io);
        await io.close();
        try { m.resolveUdpIo('native'); } catch (error) { console.log(error.message); }`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: join(import.meta.dirname, '../..'),
          env: { ...process.env, GAROU_UDP_IO: '' },
          timeout: 30_000,
        },
      );
      const [chosen, error] = stdout.trim().split('\n');
      expect(chosen).toBe('dgram false');
      expect(error).toMatch(
        /GAROU_UDP_IO: native UDP I\/O asked for but unavailable: .*garou_udp\.node was not built/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
