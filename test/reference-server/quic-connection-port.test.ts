import { describe, expect, it, vi } from 'vitest';
import { SILENT_LOGGER } from '../../reference-server/connection-port.js';
import { QuicConnectionPort } from '../../reference-server/quic-connection-port.js';
import type { QuicConnection } from '../../transport/index.js';

/** A stand-in for the transport connection: accepts up to `capacity` bytes per write, records everything. */
class FakeQuicConnection {
  state = 'established';
  readonly id = 'fake';
  capacity = Infinity;
  /** Bytes accepted per write when set (a partial write when below the length), e.g. seeded random. */
  acceptor: ((length: number) => number) | null = null;
  nextUni = 3;
  streamLimit = Infinity;
  readonly written = new Map<number, number[]>();
  readonly fins: number[] = [];
  /** Bytes written to the stream when its FIN was written: the FIN must follow the last byte. */
  readonly finAt = new Map<number, number>();
  readonly opened: number[] = [];
  readonly log: string[] = [];

  openUni(): number {
    if (this.opened.length >= this.streamLimit)
      throw new Error("the peer's stream limit allows no new stream now");
    const id = this.nextUni;
    this.nextUni += 4;
    this.opened.push(id);
    return id;
  }
  write(streamId: number, data: Uint8Array, fin = false): number {
    if (streamId % 4 === 3 && !this.opened.includes(streamId))
      throw new Error(`stream ${streamId} was never opened`);
    if (this.finAt.has(streamId)) throw new Error(`write to stream ${streamId} after its FIN`);
    const allowed = this.acceptor ? this.acceptor(data.length) : this.capacity;
    const take = Math.max(0, Math.min(allowed, data.length));
    const list = this.written.get(streamId) ?? [];
    for (let i = 0; i < take; i++) list.push(data[i]!);
    this.written.set(streamId, list);
    if (take === data.length && fin) {
      this.fins.push(streamId);
      this.finAt.set(streamId, list.length);
    }
    return take;
  }
  /** Frames written as never changing afterwards (the transport may keep them without a copy). */
  sharedWrites = 0;
  writeShared(streamId: number, data: Uint8Array, fin = false): number {
    this.sharedWrites++;
    return this.write(streamId, data, fin);
  }
  setPriority(streamId: number, urgency: number): void {
    this.log.push(`priority ${streamId} ${urgency}`);
  }
  stopSending(streamId: number, code: number): void {
    this.log.push(`stop ${streamId} ${code}`);
  }
  resetStream(streamId: number, code: number): void {
    this.log.push(`reset ${streamId} ${code}`);
  }
  sendDatagram(): boolean {
    return true;
  }
  stats() {
    return { rttMs: 0 };
  }
  close(code: number, reason: string): void {
    this.log.push(`close ${code} ${reason}`);
  }
}

function setup(maxBacklogBytes = 1000) {
  const fake = new FakeQuicConnection();
  const port = new QuicConnectionPort(fake as unknown as QuicConnection, {
    maxBacklogBytes,
    logger: SILENT_LOGGER,
  });
  const failures: string[] = [];
  port.onFailure = (reason) => failures.push(reason);
  return { fake, port, failures };
}

const bytes = (...values: number[]) => new Uint8Array(values);

/** Deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Frame `index` of `length` bytes, content depending on both so a lost, repeated or reordered byte shows. */
function frame(index: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let j = 0; j < length; j++) out[j] = (index * 131 + j * 7 + (index >> 8)) & 0xff;
  return out;
}

/** Index of the first byte where `actual` differs from the concatenated `frames`, or -1 when equal. */
function firstMismatch(actual: readonly number[], frames: readonly Uint8Array[]): number {
  let offset = 0;
  for (const f of frames) {
    for (let j = 0; j < f.length; j++, offset++) if (actual[offset] !== f[j]) return offset;
  }
  return actual.length === offset ? -1 : offset;
}

describe('QuicConnectionPort', () => {
  it('opens server uni streams in order up to the one written', () => {
    const { fake, port } = setup();
    port.send(11, bytes(1)); // shard 2: streams 3 and 7 must be opened first
    expect(fake.opened).toEqual([3, 7, 11]);
    port.send(7, bytes(2));
    expect(fake.opened).toEqual([3, 7, 11]);
    expect(fake.written.get(11)).toEqual([1]);
    expect(fake.log).toContain('priority 11 2');
  });

  it('never cuts a frame: the unaccepted rest waits and is written, in order, on drain', () => {
    const { fake, port } = setup();
    fake.capacity = 2;
    port.send(3, bytes(1, 2, 3));
    port.send(3, bytes(4, 5));
    port.finish(3);
    expect(fake.written.get(3)).toEqual([1, 2]);
    expect(port.pendingBytes).toBe(3);
    fake.capacity = Infinity;
    port.drain(3);
    expect(fake.written.get(3)).toEqual([1, 2, 3, 4, 5]);
    expect(fake.fins).toEqual([3]); // FIN only after the backlog
    expect(port.pendingBytes).toBe(0);
    // Frames and their backlogged rests go out as never-changing bytes (the transport queues them without a copy);
    // only the FIN, written alone, goes through write.
    expect(fake.sharedWrites).toBe(3);
  });

  it('fails a slow consumer whose backlog exceeds the limit', () => {
    const { fake, port, failures } = setup(4);
    fake.capacity = 0;
    port.send(3, bytes(1, 2, 3));
    expect(failures).toEqual([]);
    port.send(3, bytes(4, 5));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/slow consumer/);
    port.send(3, bytes(6)); // ignored after failure
    expect(port.pendingBytes).toBe(0);
  });

  it('fails the connection when the peer allows no more streams', () => {
    const { fake, port, failures } = setup();
    fake.streamLimit = 2;
    port.send(7, bytes(1));
    port.send(11, bytes(1));
    expect(failures).toEqual([expect.stringMatching(/cannot open server stream 11/)]);
  });

  it('drops writes to a stream the peer stopped, with its backlog', () => {
    const { fake, port } = setup();
    fake.capacity = 1;
    port.send(3, bytes(1, 2));
    port.stop(3);
    expect(port.pendingBytes).toBe(0);
    fake.capacity = Infinity;
    port.send(3, bytes(9));
    expect(fake.written.get(3)).toEqual([1]);
  });

  it('aborts a uni stream with STOP_SENDING and a bidi stream with both directions', () => {
    const { fake, port } = setup();
    port.abortStream(2, 1001);
    port.abortStream(4, 1001);
    expect(fake.log).toEqual(['stop 2 1001', 'stop 4 1001', 'reset 4 1001']);
  });

  it('delays close so the last frames can arrive', async () => {
    const { fake, port } = setup();
    port.close(1001, 'bad');
    port.close(1001, 'bad');
    expect(fake.log).toEqual([]);
    // Wait for the close itself (polled), not for a guessed delay: what matters is that it comes once, later.
    await vi.waitFor(() => expect(fake.log.length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    expect(fake.log).toEqual(['close 1001 bad']);
  });

  it('drains a 50,000-frame backlog over many partial writes: every byte once, in order, then FIN', () => {
    const { fake, port, failures } = setup(Number.MAX_SAFE_INTEGER);
    const random = seededRandom(0x5eed);
    // Mostly partial or refused writes, so the drain stops, compacts and resumes thousands of times.
    fake.acceptor = (length) => {
      const r = random();
      if (r < 0.2) return 0;
      if (r < 0.6) return Math.floor(random() * length);
      return length;
    };
    const frames: Uint8Array[] = [];
    let sent = 0;
    const checkAccounting = () => {
      const pending = port.pendingBytes;
      expect(pending).toBeGreaterThanOrEqual(0);
      expect(pending).toBe(sent - (fake.written.get(3)?.length ?? 0));
    };
    let drains = 0;
    for (let i = 0; i < 50_000; i++) {
      const f = frame(i, 1 + Math.floor(random() * 80));
      frames.push(f);
      sent += f.length;
      port.send(3, f);
      // Drain now and then while frames keep arriving, as the transport does.
      if (random() < 0.05) {
        port.drain(3);
        drains++;
        checkAccounting();
      }
    }
    port.finish(3);
    expect(fake.fins).toEqual([]);
    checkAccounting();
    while (port.pendingBytes > 0 || fake.fins.length === 0) {
      port.drain(3);
      drains++;
      if (drains % 64 === 0) checkAccounting();
      if (drains > 1_000_000) throw new Error('backlog never drained');
    }
    expect(drains).toBeGreaterThan(10_000);
    checkAccounting();
    expect(port.pendingBytes).toBe(0);
    expect(failures).toEqual([]);
    const written = fake.written.get(3)!;
    expect(written.length).toBe(sent);
    expect(firstMismatch(written, frames)).toBe(-1);
    expect(fake.fins).toEqual([3]);
    expect(fake.finAt.get(3)).toBe(sent);
    // A drain after the backlog is gone writes nothing and no second FIN.
    fake.acceptor = null;
    port.drain(3);
    expect(fake.fins).toEqual([3]);
  });

  it('keeps bytes in order across the compaction threshold, for every pair of partial drains', () => {
    // Two drains stopping after budgets b1 and b2 bytes cover: no compaction, compaction exactly at the
    // threshold (head = half the chunks) and just past it, and a second compaction of an already compacted backlog.
    for (const count of [9, 10, 16, 17]) {
      const sizes = Array.from({ length: count }, (_, i) => 1 + (i % 4));
      const total = sizes.reduce((a, b) => a + b, 0);
      for (let b1 = 0; b1 <= total; b1++) {
        for (let b2 = 0; b2 <= total - b1; b2++) {
          const { fake, port } = setup(Number.MAX_SAFE_INTEGER);
          let budget = 0;
          fake.acceptor = (length) => {
            const take = Math.min(budget, length);
            budget -= take;
            return take;
          };
          const frames = sizes.map((size, i) => frame(i, size));
          for (const f of frames) port.send(3, f);
          expect(port.pendingBytes).toBe(total);
          const where = `count ${count}, drains of ${b1} then ${b2} bytes`;
          budget = b1;
          port.drain(3);
          expect(port.pendingBytes, where).toBe(total - b1);
          budget = b2;
          port.drain(3);
          expect(port.pendingBytes, where).toBe(total - b1 - b2);
          // A frame queued after compaction goes behind the rest.
          const late = frame(count, 5);
          frames.push(late);
          port.send(3, late);
          port.finish(3);
          expect(fake.fins, where).toEqual([]);
          budget = Infinity;
          port.drain(3);
          expect(port.pendingBytes, where).toBe(0);
          const written = fake.written.get(3) ?? [];
          expect(written.length, where).toBe(total + late.length);
          expect(firstMismatch(written, frames), where).toBe(-1);
          expect(fake.finAt.get(3), where).toBe(total + late.length);
        }
      }
    }
  });
});
