/**
 * What the load generator says about itself, for the console summary and report.html: connect failures by
 * reason with examples, datagrams the kernel dropped at the harness's own sockets, and the clients that were
 * not ready when the phases started. Empty where there is nothing to say (and for results of older versions).
 */
import type { RunResult } from '../metrics/run-result.js';
import { formatReadinessGroup } from '../metrics/readiness-report.js';
import { formatCount, formatOffset } from './format.js';

/** One reason of connect failures, ready to print. */
export interface ConnectFailureRow {
  reason: string;
  count: number;
  meaning: string;
  /** "client 17 at +1.2s: detail; ..." */
  examples: string;
}

/** The connect failures of a run by reason, largest first ([] when none). */
export function connectFailureRows(result: RunResult): ConnectFailureRow[] {
  const byReason = result.connectFailures?.byReason ?? {};
  return Object.entries(byReason).map(([reason, entry]) => ({
    reason,
    count: entry.count,
    meaning: entry.meaning,
    examples: entry.examples
      .map((x) => `client ${x.client} at ${formatOffset(x.offsetMs)}: ${x.detail}`)
      .join('; '),
  }));
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

/** One sentence on the harness's sockets and the kernel's drops at them; null for results without it. */
export function socketFactLine(result: RunResult): string | null {
  const s = result.harnessSockets;
  if (s === undefined) return null;
  const capped =
    s.rmemMax !== null && s.rmemMax < s.receiveBufferBytes
      ? ` (capped by net.core.rmem_max = ${mib(s.rmemMax)})`
      : '';
  const machine =
    s.machineRcvbufErrors === null
      ? ''
      : `; machine-wide UDP receive-buffer drops during the run: ${formatCount(s.machineRcvbufErrors)}`;
  const drops =
    s.drops === null
      ? 'drops at them unknown (/proc/net/udp not readable)'
      : s.drops > 0
        ? `WARNING: the kernel dropped ${formatCount(s.drops)} datagrams at them (full receive buffer): ` +
          'the load generator lost packets itself, so loss and latency figures include its own overload'
        : 'no datagram dropped at them';
  const sendDrops =
    s.sendDrops !== undefined && s.sendDrops !== null && s.sendDrops > 0
      ? `; WARNING: ${formatCount(s.sendDrops)} datagrams could not leave them (the harness's send queue was full): ` +
        'the load generator lost packets itself'
      : '';
  return `harness sockets: ${s.sockets}, receive buffer ${mib(s.receiveBufferBytes)} each${capped}; ${drops}${sendDrops}${machine}`;
}

/** The readiness diagnostics as lines ([] when every client was ready). */
export function readinessLines(result: RunResult): string[] {
  const readiness = result.readiness;
  if (readiness === undefined || readiness === null) return [];
  return [
    `${formatCount(readiness.notReady)} clients were not ready after ${(readiness.waitedMs / 1000).toFixed(0)} s ` +
      'when the phases started:',
    ...readiness.groups.map((group) => `  ${formatReadinessGroup(group)}`),
  ];
}

/** Every fact as console lines. */
export function fleetFactLines(result: RunResult): string[] {
  const lines: string[] = [];
  const failures = connectFailureRows(result);
  if (failures.length > 0) {
    lines.push('connect failures by reason:');
    for (const row of failures)
      lines.push(`  ${row.reason}: ${formatCount(row.count)} (${row.meaning}); e.g. ${row.examples}`);
  }
  lines.push(...readinessLines(result));
  const sockets = socketFactLine(result);
  if (sockets !== null) lines.push(sockets);
  return lines;
}
