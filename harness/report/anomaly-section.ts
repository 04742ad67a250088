/**
 * report.html's evidence section: per anomaly kind, the count and a table of its first examples (see
 * anomaly-rows.ts). Its own module so the report's layout and charts stay elsewhere.
 */
import { ANOMALY_KINDS, type AnomalyKind } from '../metrics/anomaly-examples.js';
import type { RunResult } from '../metrics/run-result.js';
import { ANOMALY_COLUMNS, ANOMALY_MEANING, anomalyRows } from './anomaly-rows.js';
import { escapeHtml } from './html-escape.js';

/** Counted occurrences of each anomaly kind in a result. */
export function anomalyCounts(result: RunResult): Record<AnomalyKind, number> {
  const total = result.correctness.total;
  return {
    loss: total.loss,
    duplicate: total.duplicates,
    reorder: total.reorders,
    late: total.late,
    unexpected: total.unexpected,
    ack_timeout: result.errorsByCode.ack_timeout ?? 0,
    error: Object.entries(result.errorsByCode)
      .filter(([code]) => /^\d+$/.test(code))
      .reduce((sum, [, n]) => sum + n, 0),
  };
}

/** The HTML of the evidence section ("" when the result carries no evidence field). */
export function anomalySectionHtml(result: RunResult): string {
  if (result.anomalies === undefined) return '';
  const counts = anomalyCounts(result);
  const rows = anomalyRows(result);
  const kinds = ANOMALY_KINDS.filter((kind) => counts[kind] > 0);
  if (kinds.length === 0) return '<h2>Anomalies</h2>\n<p>None counted.</p>\n';
  const parts = [
    '<h2>Anomalies: first examples</h2>',
    `<p>Up to ${result.anomalies.perKind} examples per kind, the earliest; times are seconds since the run start. ` +
      '<code>garou-bench explain</code> prints the same from summary.json.</p>',
  ];
  for (const kind of kinds) {
    const ofKind = rows.filter((r) => r.kind === kind);
    parts.push(
      `<h3>${escapeHtml(kind)}: ${counts[kind]} (${escapeHtml(ANOMALY_MEANING[kind])})</h3>`,
      ofKind.length === 0
        ? '<p>No example kept.</p>'
        : `<table class="anomalies"><thead><tr>${ANOMALY_COLUMNS.slice(1)
            .map((c) => `<th>${escapeHtml(c)}</th>`)
            .join('')}</tr></thead><tbody>\n${ofKind
            .map(
              (r) =>
                `<tr>${ANOMALY_COLUMNS.slice(1)
                  .map((c) => `<td>${escapeHtml(r[c])}</td>`)
                  .join('')}</tr>`,
            )
            .join('\n')}\n</tbody></table>`,
    );
  }
  return `${parts.join('\n')}\n`;
}
