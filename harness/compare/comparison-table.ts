/** The comparison as terminal text: a side-by-side table (cli-table3), the failures explained, the verdict. */
import Table from 'cli-table3';
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

const plain = { head: [] as string[], border: [] as string[], compact: true };

/** Formats the comparison for the terminal (no colours). */
export function formatComparisonTable(report: ComparisonReport): string {
  const lines: string[] = [];
  lines.push(
    `${report.current.scenario}: ${report.current.label} (${report.current.runs} runs) against ` +
      `${report.baseline.label} (${report.baseline.runs} runs)`,
  );
  const table = new Table({
    head: [
      'metric',
      `baseline (${report.baseline.runs} runs)`,
      `current (${report.current.runs} runs)`,
      'change',
      'interval',
      'budget',
      'p',
      'verdict',
    ],
    style: plain,
  });
  for (const m of report.metrics) {
    table.push([
      m.metric.name,
      formatSide(m, m.baseline),
      formatSide(m, m.current),
      formatMetricChange(m),
      formatInterval(m),
      formatMetricBudget(m),
      formatMetricP(m),
      formatVerdict(m),
    ]);
  }
  lines.push(table.toString());
  for (const m of report.metrics.filter((c) => c.failed)) lines.push(`${m.metric.name}: ${m.note}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(`values: median [min-max] over runs; method: ${describeMethod(report)}`);
  lines.push(conclusion(report));
  return lines.join('\n');
}
