/**
 * Memory of this process per connected client: the delta of RSS, JS heap and external memory after forced GC,
 * divided by the number of clients added in between (bench/fanout and bench/server-memory).
 */

/** Memory per client between two settled snapshots, in bytes. */
export interface MemoryPerClient {
  clients: number;
  rss: number;
  heap: number;
  external: number;
}

/** This process's memory after four forced GCs (needs --expose-gc, which bench/run.ts passes). */
export function settledMemory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (bench/run.ts passes it)');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
}

/** The growth from `before` to `after`, per client of the `n` added in between. */
export function perClient(before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage, n: number): MemoryPerClient {
  return {
    clients: n,
    rss: (after.rss - before.rss) / n,
    heap: (after.heapUsed - before.heapUsed) / n,
    external: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n,
  };
}
