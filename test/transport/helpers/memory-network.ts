/**
 * An in-memory datagram network for transport tests: endpoints get a `PacketIO` each,
 * and every packet crossing the network may be lost, duplicated, delayed or reordered,
 * decided by a seeded PRNG so a failing property run can be replayed.
 */
import type { HostPort, PacketIO, PacketReceiver } from '../../../transport/index.js';

/** Probabilities (0..1) and delays (ms) applied independently to each packet. */
export interface FaultSettings {
  loss: number;
  duplicate: number;
  /** Chance that a packet is held back an extra `reorderMs`, letting later ones overtake it. */
  reorder: number;
  reorderMs: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** A network with no faults and no delay beyond one timer tick. */
export const PERFECT: FaultSettings = {
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderMs: 0,
  minDelayMs: 0,
  maxDelayMs: 0,
};

/** mulberry32: tiny seeded PRNG, good enough for fault decisions. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counters of what the network did. */
export interface NetworkCounters {
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
  delivered: number;
}

/** The in-memory network; `createIO()` attaches a new endpoint to it. */
export class MemoryNetwork {
  readonly counters: NetworkCounters = { sent: 0, lost: 0, duplicated: 0, reordered: 0, delivered: 0 };
  private readonly random: () => number;
  private readonly nodes = new Map<string, MemoryPacketIO>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextHost = 1;

  constructor(
    public faults: FaultSettings = PERFECT,
    seed = 1,
  ) {
    this.random = prng(seed);
  }

  /** A new socket at a fresh address 10.0.0.N:4433. */
  createIO(): PacketIO {
    const io = new MemoryPacketIO(this, { host: `10.0.0.${this.nextHost++}`, port: 4433 });
    this.nodes.set(`${io.localAddress.host}:${io.localAddress.port}`, io);
    return io;
  }

  /** Cancels packets still in flight (call after closing the endpoints). */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** @internal Called by MemoryPacketIO.send. */
  carry(from: HostPort, data: Buffer, toHost: string, toPort: number): void {
    this.counters.sent++;
    const f = this.faults;
    if (this.random() < f.loss) {
      this.counters.lost++;
      return;
    }
    const copies = this.random() < f.duplicate ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = f.minDelayMs + this.random() * (f.maxDelayMs - f.minDelayMs);
      if (this.random() < f.reorder) {
        delay += f.reorderMs;
        this.counters.reordered++;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const target = this.nodes.get(`${toHost}:${toPort}`);
        if (target === undefined) return;
        this.counters.delivered++;
        // quiche decrypts in place: each delivery gets its own copy.
        target.deliver(Buffer.from(data), from.host, from.port);
      }, delay);
      this.timers.add(timer);
    }
  }

  /** @internal */
  detach(io: MemoryPacketIO): void {
    this.nodes.delete(`${io.localAddress.host}:${io.localAddress.port}`);
  }
}

class MemoryPacketIO implements PacketIO {
  private receiver: PacketReceiver | null = null;

  constructor(
    private readonly network: MemoryNetwork,
    readonly localAddress: HostPort,
  ) {}

  start(receiver: PacketReceiver): void {
    this.receiver = receiver;
  }

  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
    this.network.carry(this.localAddress, buffer.subarray(offset, offset + length), toHost, toPort);
  }

  deliver(data: Buffer, fromHost: string, fromPort: number): void {
    this.receiver?.(data, fromHost, fromPort);
  }

  close(): Promise<void> {
    this.receiver = null;
    this.network.detach(this);
    return Promise.resolve();
  }
}
