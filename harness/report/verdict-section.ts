/**
 * report.html's verdict section: PASS / FAIL / INCONCLUSIVE with the reasons, what to do about an inconclusive
 * run, and the load generator's health per window (harness-health.ts).
 */
import type { RunResult } from '../metrics/run-result.js';
import { escapeHtml } from './html-escape.js';

/** The HTML of the verdict section ("" for results without a verdict). */
export function verdictSectionHtml(result: RunResult): string {
  const verdict = result.verdict;
  if (verdict === undefined) return '';
  const e = escapeHtml;
  const list = (items: readonly string[]): string =>
    items.length === 0 ? '' : `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;
  const rows = verdict.health.map((w) =>
    [
      w.name,
      w.healthy ? 'healthy' : 'UNHEALTHY',
      String(w.seconds),
      `${w.loopP99MaxMs} / ${w.loopMaxMs}`,
      w.scheduleLagP99Ms === null ? '-' : String(w.scheduleLagP99Ms),
      `${Math.round(w.cpuMax * 100)}%`,
      w.machineBusyMean === null ? '-' : `${Math.round(w.machineBusyMean * 100)}%`,
      String(w.sendBacklogMaxBytes),
      w.socketDrops === null ? 'not measured' : String(w.socketDrops),
      w.reasons.join('; ') || '-',
    ].map((cell) => `<td>${e(cell)}</td>`),
  );
  const head = [
    'window',
    'health',
    'seconds',
    'event-loop delay p99 / max (ms)',
    'scheduling lag p99 (ms)',
    'worker CPU max (of a core)',
    'machine busy (mean)',
    'send backlog max (bytes)',
    'socket drops',
    'why',
  ];
  return `<h2>Verdict: ${e(verdict.status)}</h2>
${list(verdict.reasons)}${verdict.advice.length > 0 ? `<p>What to do:</p>${list(verdict.advice)}` : ''}
<h3>Load-generator health</h3>
<table class="health"><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}
</tbody></table>
`;
}
