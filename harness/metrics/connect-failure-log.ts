/**
 * Connect failures counted by reason, with the first few examples of each (client, time, detail): what a
 * worker reports in its result and what the merge adds up exactly.
 */
import type { ConnectFailure, ConnectFailureReason } from '../client/connect-failure.js';

/** Examples kept per reason. */
export const CONNECT_FAILURE_EXAMPLES = 3;

/** One failed connect, as an example. */
export interface ConnectFailureExample {
  /** Global client index. */
  client: number;
  /** Epoch ms. */
  atMs: number;
  detail: string;
}

/** Failures of one reason. */
export interface ConnectFailureCount {
  count: number;
  /** The earliest examples, oldest first (at most CONNECT_FAILURE_EXAMPLES). */
  examples: ConnectFailureExample[];
}

/** Connect failures by reason (plain data, part of a WorkerResult). */
export type ConnectFailuresByReason = Partial<Record<ConnectFailureReason, ConnectFailureCount>>;

/** Collects connect failures by reason. */
export class ConnectFailureLog {
  private readonly byReason: ConnectFailuresByReason = {};

  /** Counts one failure; keeps it as an example while its reason has fewer than CONNECT_FAILURE_EXAMPLES. */
  record(client: number, failure: ConnectFailure, atMs: number): void {
    const entry = (this.byReason[failure.reason] ??= { count: 0, examples: [] });
    entry.count++;
    if (entry.examples.length < CONNECT_FAILURE_EXAMPLES)
      entry.examples.push({ client, atMs, detail: failure.detail });
  }

  /** Failures counted so far. */
  get total(): number {
    return totalConnectFailures(this.byReason);
  }

  /** A copy of the counts and examples. */
  snapshot(): ConnectFailuresByReason {
    return mergeConnectFailures([this.byReason]);
  }
}

/** Sum of the counts of every reason. */
export function totalConnectFailures(byReason: ConnectFailuresByReason): number {
  let total = 0;
  for (const entry of Object.values(byReason)) total += entry.count;
  return total;
}

/** Adds up several workers' failures: counts summed, the earliest examples kept. */
export function mergeConnectFailures(parts: readonly ConnectFailuresByReason[]): ConnectFailuresByReason {
  const merged: ConnectFailuresByReason = {};
  for (const part of parts) {
    for (const [reason, entry] of Object.entries(part) as [ConnectFailureReason, ConnectFailureCount][]) {
      const into = (merged[reason] ??= { count: 0, examples: [] });
      into.count += entry.count;
      into.examples.push(...entry.examples.map((example) => ({ ...example })));
    }
  }
  for (const entry of Object.values(merged)) {
    entry.examples.sort((a, b) => a.atMs - b.atMs || a.client - b.client);
    entry.examples.length = Math.min(entry.examples.length, CONNECT_FAILURE_EXAMPLES);
  }
  return merged;
}
