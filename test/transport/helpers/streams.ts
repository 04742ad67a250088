/**
 * Test-side stream plumbing: record what a connection receives, and write a whole
 * payload while honouring backpressure (write -> onDrain -> write the rest).
 */
import type { QuicConnection } from '../../../transport/index.js';

/** Everything received on one stream. */
export interface ReceivedStream {
  chunks: Buffer[];
  fin: boolean;
  resetCode: number | null;
}

/** Records stream events of one connection; `settled(id)` resolves at FIN or reset. */
export class StreamRecorder {
  readonly streams = new Map<number, ReceivedStream>();
  readonly opened: number[] = [];
  readonly stopSending = new Map<number, number>();
  readonly datagrams: Buffer[] = [];
  private readonly waiters = new Map<number, (() => void)[]>();
  /** Waiters for the first bytes of a stream, by stream id. */
  private readonly dataWaiters = new Map<number, (() => void)[]>();

  constructor(conn: QuicConnection) {
    conn.onStream = (id) => {
      this.opened.push(id);
    };
    conn.onData = (id, data, fin) => {
      const s = this.entry(id);
      if (s.fin || s.resetCode !== null) throw new Error(`data on stream ${id} after it ended`);
      s.chunks.push(data);
      for (const resolve of this.dataWaiters.get(id) ?? []) resolve();
      this.dataWaiters.delete(id);
      if (fin) {
        s.fin = true;
        this.wake(id);
      }
    };
    conn.onStreamReset = (id, code) => {
      this.entry(id).resetCode = code;
      this.wake(id);
    };
    conn.onStopSending = (id, code) => {
      this.stopSending.set(id, code);
      this.wake(-1 - id);
    };
    conn.onDatagram = (data) => {
      this.datagrams.push(data);
    };
  }

  /** Concatenated bytes received on a stream. */
  bytes(id: number): Buffer {
    return Buffer.concat(this.streams.get(id)?.chunks ?? []);
  }

  /** Resolves once the stream has finished (FIN) or been reset by the peer. */
  settled(id: number): Promise<void> {
    const s = this.streams.get(id);
    if (s !== undefined && (s.fin || s.resetCode !== null)) return Promise.resolve();
    return new Promise((resolve) => this.addWaiter(id, resolve));
  }

  /** Resolves once some bytes of the stream have arrived (the stream exists at this end). */
  receivedData(id: number): Promise<void> {
    if ((this.streams.get(id)?.chunks.length ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.dataWaiters.get(id) ?? [];
      list.push(resolve);
      this.dataWaiters.set(id, list);
    });
  }

  /** Resolves once the peer has sent STOP_SENDING for the stream. */
  stopped(id: number): Promise<number> {
    const code = this.stopSending.get(id);
    if (code !== undefined) return Promise.resolve(code);
    return new Promise((resolve) =>
      this.addWaiter(-1 - id, () => resolve(this.stopSending.get(id) as number)),
    );
  }

  private entry(id: number): ReceivedStream {
    let s = this.streams.get(id);
    if (s === undefined) {
      s = { chunks: [], fin: false, resetCode: null };
      this.streams.set(id, s);
    }
    return s;
  }

  private addWaiter(key: number, resolve: () => void): void {
    const list = this.waiters.get(key) ?? [];
    list.push(resolve);
    this.waiters.set(key, list);
  }

  private wake(key: number): void {
    for (const resolve of this.waiters.get(key) ?? []) resolve();
    this.waiters.delete(key);
  }
}

const drainWaiters = new WeakMap<QuicConnection, Map<number, () => void>>();

/**
 * Writes all of `data` (then FIN if asked), waiting for `onDrain` whenever `write`
 * accepts less. Resolves with the number of `onDrain` waits it needed.
 */
export function writeAll(
  conn: QuicConnection,
  streamId: number,
  data: Uint8Array,
  fin: boolean,
): Promise<number> {
  let waiters = drainWaiters.get(conn);
  if (waiters === undefined) {
    const map = new Map<number, () => void>();
    waiters = map;
    drainWaiters.set(conn, map);
    conn.onDrain = (id) => {
      const wake = map.get(id);
      map.delete(id);
      wake?.();
    };
  }
  const map = waiters;
  return new Promise((resolve, reject) => {
    let offset = 0;
    let drains = 0;
    const step = (): void => {
      if (conn.state !== 'established') {
        reject(new Error(`connection ${conn.state} while writing stream ${streamId}`));
        return;
      }
      offset += conn.write(streamId, data.subarray(offset), fin);
      if (offset === data.length) {
        resolve(drains);
        return;
      }
      drains++;
      map.set(streamId, step);
    };
    step();
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deterministic pseudo-random payload of `length` bytes (byte i depends on seed and i). */
export function payload(length: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
