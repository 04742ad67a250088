/** The comparison as GitHub-flavoured Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY) or a PR comment. */
import type { ComparisonReport } from './comparison.js';
import {
  conclusion,
  describeMethod,
  formatInterval,
  formatMetricBudget,
  formatMetricChange,
  formatMetricP,
  formatSide,
  formatVerdict,
} from './comparison-text.js';

/** Escapes text for a Markdown table cell. */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Escapes inline text (outside tables) so labels and paths render literally. */
function inline(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Formats the comparison as Markdown: heading with the verdict, the table, failures, notes, the method. */
export function formatComparisonMarkdown(report: ComparisonReport): string {
  const icon = report.passed ? '✅' : '❌';
  const out: string[] = [];
  out.push(
    `## ${icon} garou-bench performance gate: ${report.passed ? 'PASS' : 'FAIL'} (${markdownCell(report.current.scenario)})`,
  );
  out.push('');
  out.push(
    `Current ${inline(report.current.label)} (${report.current.runs} runs) against baseline ` +
      `${inline(report.baseline.label)} (${report.baseline.runs} runs).`,
  );
  out.push('');
  out.push(`**${markdownCell(conclusion(report))}**`);
  out.push('');
  out.push(
    `| metric | baseline (${report.baseline.runs} runs) | current (${report.current.runs} runs) | change | interval | budget | p | verdict |`,
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const m of report.metrics) {
    const verdict = formatVerdict(m);
    const cells = [
      m.metric.name,
      formatSide(m, m.baseline),
      formatSide(m, m.current),
      formatMetricChange(m),
      formatInterval(m),
      formatMetricBudget(m),
      formatMetricP(m),
      m.failed ? `**${verdict}**` : verdict,
    ];
    out.push(`| ${cells.map(markdownCell).join(' | ')} |`);
  }
  const failed = report.metrics.filter((m) => m.failed);
  if (failed.length) {
    out.push('');
    out.push('### Failures');
    out.push('');
    for (const m of failed) out.push(`- **${markdownCell(m.metric.name)}**: ${markdownCell(m.note)}`);
  }
  if (report.notes.length) {
    out.push('');
    for (const note of report.notes) out.push(`> ${markdownCell(note)}`);
  }
  out.push('');
  out.push(`<sub>Values: median [min-max] over runs. Method: ${markdownCell(describeMethod(report))}.</sub>`);
  out.push('');
  return out.join('\n');
}
