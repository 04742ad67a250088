/**
 * `garou-bench explain`'s text: the verdict of a run and why (failed checks, the harness's health where it was
 * unhealthy), then the first examples of every counted anomaly, one block per example.
 */
import { ANOMALY_KINDS } from '../metrics/anomaly-examples.js';
import type { RunResult } from '../metrics/run-result.js';
import { formatThresholdValue } from './format.js';
import { ANOMALY_COLUMNS, ANOMALY_MEANING, anomalyRows } from './anomaly-rows.js';
import { anomalyCounts } from './anomaly-section.js';

/** The explanation of a result as text lines (no trailing newline). */
export function explainResult(result: RunResult): string {
  const lines: string[] = [];
  lines.push(
    `${result.scenario.name} against ${result.target}, ${result.startedAt}: ${result.verdict?.status ?? (result.passed ? 'PASS' : 'FAIL')}`,
  );
  for (const reason of result.verdict?.reasons ?? []) lines.push(`  ${reason}`);
  const failed = result.thresholds.filter((t) => !t.passed);
  if (failed.length > 0) {
    lines.push('', 'failed checks:');
    for (const t of failed)
      lines.push(
        `  ${t.expression}: actual ${formatThresholdValue(t.actual, t.unit)}${t.note ? ` (${t.note})` : ''}`,
      );
  }
  for (const e of result.expectations.filter((x) => !x.passed)) lines.push(`  expectation failed: ${e.text}`);
  if (result.anomalies === undefined) {
    lines.push('', 'this summary.json carries no anomaly examples (written by an older garou-bench)');
    return lines.join('\n');
  }
  const counts = anomalyCounts(result);
  const rows = anomalyRows(result);
  const kinds = ANOMALY_KINDS.filter((kind) => counts[kind] > 0);
  lines.push('');
  if (kinds.length === 0) lines.push('no correctness anomaly was counted');
  for (const kind of kinds) {
    const ofKind = rows.filter((r) => r.kind === kind);
    lines.push(`${kind}: ${counts[kind]} (${ANOMALY_MEANING[kind]}); ${ofKind.length} example(s):`);
    for (const row of ofKind) {
      for (const column of ANOMALY_COLUMNS.slice(1)) {
        const label = column.startsWith('recipient membership') ? 'membership' : column;
        if (row[column] !== '-') lines.push(`    ${label.padEnd(10)} ${row[column]}`);
      }
      lines.push('');
    }
  }
  lines.push(
    'times are seconds since the run start (the timeline of report.html); membership: from..to as the harness',
    'saw it (JoinRoom sent .. RoomClose / close), "certain" the part where the server surely had the member',
    '(RoomInit received .. LeaveRoom / Goodbye decided); only messages in flight entirely inside it are owed',
  );
  for (const window of result.verdict?.health ?? []) {
    lines.push(
      `health ${window.name}: ${window.healthy ? 'healthy' : 'UNHEALTHY'}; event-loop p99 max ${window.loopP99MaxMs} ms, ` +
        `scheduling lag p99 ${window.scheduleLagP99Ms ?? '-'} ms, worker CPU max ${Math.round(window.cpuMax * 100)}%, ` +
        `machine busy ${window.machineBusyMean === null ? '-' : `${Math.round(window.machineBusyMean * 100)}%`}`,
    );
  }
  for (const advice of result.verdict?.advice ?? []) lines.push(`to do: ${advice}`);
  return lines.join('\n');
}
