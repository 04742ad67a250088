/**
 * When the endpoint flushes: at once after a poll that read less than a full batch, otherwise after reading more
 * of what waits in the socket, a bounded number of turns later. A wide fan-out written in one tick must arrive
 * complete and in order on every connection, whichever flush takes which part.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_EXTRA_POLLS, READ_BATCH } from '../../transport/endpoint.js';
import { QuicEndpoint } from '../../transport/index.js';
import type { PacketIO, PacketReceiver } from '../../transport/index.js';
import { INSECURE, endpointPair } from './helpers/endpoints.js';
import type { EndpointPair } from './helpers/endpoints.js';

vi.setConfig({ testTimeout: 20_000 });

let pair: EndpointPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

/** Frame `seq`: a 4-byte sequence number, then filler derived from it. */
function frame(seq: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  out.writeUInt32BE(seq, 0);
  for (let i = 4; i < size; i++) out[i] = (seq * 31 + i) & 0xff;
  return out;
}

describe('wide fan-out in one tick', () => {
  it('arrives complete and in order on every connection', async () => {
    const p = await endpointPair();
    pair = p;
    // 60 connections x 300 frames: the server's flushes send hundreds of packets at a time, so the client reads
    // full batches and postpones its flushes (and ACKs) while the server's later flushes interleave.
    const n = 60;
    const frames = 300;
    const size = 290;
    const clients = Array.from({ length: n }, () => p.connect(INSECURE));
    await Promise.all(clients.map((c) => c.whenEstablished()));
    const received = clients.map(
      (c) =>
        new Promise<Buffer>((resolve) => {
          const chunks: Buffer[] = [];
          c.onData = (_id, data, fin) => {
            chunks.push(data);
            if (fin) resolve(Buffer.concat(chunks));
          };
        }),
    );
    while (p.accepted.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    const streams = p.accepted.map((conn) => [conn, conn.openUni()] as const);
    // One tick: every frame to every connection, frame-major like a room fan-out.
    for (let seq = 0; seq < frames; seq++) {
      const bytes = frame(seq, size);
      for (const [conn, id] of streams) expect(conn.write(id, bytes, seq === frames - 1)).toBe(size);
    }
    for (const [i, bytes] of (await Promise.all(received)).entries()) {
      expect(bytes.length, `client ${i}`).toBe(frames * size);
      for (let seq = 0; seq < frames; seq++) {
        const at = seq * size;
        if (!bytes.subarray(at, at + size).equals(frame(seq, size)))
          throw new Error(`client ${i}: frame ${seq} wrong (got sequence ${bytes.readUInt32BE(at)})`);
      }
    }
  });
});

/** A PacketIO whose incoming packets the test injects; sent packets are recorded with the loop turn. */
class ScriptedIO implements PacketIO {
  readonly localAddress = { host: '10.9.9.9', port: 4433 };
  readonly sentAt: number[] = [];
  turn = 0;
  private receiver: PacketReceiver | null = null;

  start(receiver: PacketReceiver): void {
    this.receiver = receiver;
  }

  send(): void {
    this.sentAt.push(this.turn);
  }

  /** Datagrams no connection wants (short header, unknown id): counted as read, then dropped. */
  junk(count: number): void {
    const packet = Buffer.alloc(40, 0x41);
    for (let i = 0; i < count; i++) this.receiver?.(Buffer.from(packet), '10.9.9.8', 4433);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('flush postponed for full read batches', () => {
  it('sends at once when fewer than a read batch arrived', async () => {
    const io = new ScriptedIO();
    const endpoint = new QuicEndpoint(io);
    endpoint.connect('10.9.9.7', 4433);
    io.junk(READ_BATCH - 1);
    await nextTurn();
    expect(io.sentAt.length).toBeGreaterThan(0);
    await endpoint.close({ timeoutMs: 0 });
  });

  it('waits for the socket to run dry, but at most MAX_EXTRA_POLLS turns under a flood', async () => {
    const io = new ScriptedIO();
    const endpoint = new QuicEndpoint(io);
    endpoint.connect('10.9.9.7', 4433); // the Initial waits for the flush
    io.junk(READ_BATCH);
    for (io.turn = 1; io.turn <= MAX_EXTRA_POLLS + 2 && io.sentAt.length === 0; io.turn++) {
      await nextTurn();
      io.junk(READ_BATCH); // a full batch every turn: the socket never runs dry
    }
    expect(io.sentAt[0]).toBe(MAX_EXTRA_POLLS + 1);
    await endpoint.close({ timeoutMs: 0 });
  });
});

describe('send drops', () => {
  it("reports the IO's count of datagrams that never left, and null for an IO that does not count", async () => {
    const counting = Object.assign(new ScriptedIO(), { sendDrops: () => 3 });
    const silent = new ScriptedIO();
    const [a, b] = [new QuicEndpoint(counting), new QuicEndpoint(silent)];
    expect(a.sendDrops()).toBe(3);
    expect(b.sendDrops()).toBeNull();
    await Promise.all([a.close({ timeoutMs: 0 }), b.close({ timeoutMs: 0 })]);
  });
});
