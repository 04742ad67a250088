/**
 * The load generator's own health in a run result: connect failures by reason (with their meaning and first
 * examples) and the datagrams the kernel dropped at the harness's sockets. Built from the merged WorkerResult.
 */
import { CONNECT_FAILURE_TEXT, type ConnectFailureReason } from '../client/connect-failure.js';
import type { ClientSocketReport } from './client-socket-report.js';
import { totalConnectFailures, type ConnectFailuresByReason } from './connect-failure-log.js';

/** Connect failures of one reason in summary.json. */
export interface ConnectFailureReasonSummary {
  count: number;
  /** What the reason means. */
  meaning: string;
  /** The first failures: client index, time since the run start (ms), detail. */
  examples: { client: number; offsetMs: number; detail: string }[];
}

/** summary.json `connectFailures`: every failed connect (first connects and reconnects) by reason. */
export interface ConnectFailureSummary {
  total: number;
  byReason: Partial<Record<ConnectFailureReason, ConnectFailureReasonSummary>>;
}

/** summary.json `harnessSockets`: the harness's client sockets and what the kernel dropped at them. */
export interface HarnessSocketSummary extends ClientSocketReport {
  /**
   * UDP receive-buffer drops counted machine-wide (every process, the embedded server too) during the run;
   * null when unreadable. A fallback where per-socket counters are missing.
   */
  machineRcvbufErrors: number | null;
}

/** Builds summary.json `connectFailures` (offsets from `startMs`), largest reason first. */
export function summarizeConnectFailures(
  byReason: ConnectFailuresByReason,
  startMs: number,
): ConnectFailureSummary {
  const summary: ConnectFailureSummary = { total: totalConnectFailures(byReason), byReason: {} };
  const reasons = (Object.keys(byReason) as ConnectFailureReason[]).sort(
    (a, b) => (byReason[b]?.count ?? 0) - (byReason[a]?.count ?? 0) || a.localeCompare(b),
  );
  for (const reason of reasons) {
    const entry = byReason[reason];
    if (entry === undefined) continue;
    summary.byReason[reason] = {
      count: entry.count,
      meaning: CONNECT_FAILURE_TEXT[reason],
      examples: entry.examples.map((e) => ({
        client: e.client,
        offsetMs: Math.round(e.atMs - startMs),
        detail: e.detail,
      })),
    };
  }
  return summary;
}
