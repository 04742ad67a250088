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

const plain = {
  head: [] as string[],
  border: [] as string[],
  compact: true,
  'padding-left': 0,
  'padding-right': 0,
};

/**
 * No box drawing: columns separated by two spaces and a dashed rule under the header, so the table of a
 * typical gate (16 metrics) fits 100 columns. The confidence intervals are in the lines below the table
 * for the metrics that failed, and in --markdown / --junit for all.
 */
const CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '-',
  'mid-mid': '  ',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** A verdict short enough for the table ("no significant change" is the common case: say it briefly). */
function tableVerdict(verdict: string): string {
  return verdict === 'no significant change' ? 'no change' : verdict;
}

/** Formats the comparison for the terminal (no colours). */
export function formatComparisonTable(report: ComparisonReport): string {
  const lines: string[] = [];
  lines.push(
    `${report.current.scenario}: ${report.current.label} (${report.current.runs} runs) against ` +
      `${report.baseline.label} (${report.baseline.runs} runs)`,
  );
  const table = new Table({
    head: ['metric', 'baseline', 'current', 'change', 'budget', 'p', 'verdict'],
    chars: CHARS,
    style: plain,
  });
  for (const m of report.metrics) {
    table.push([
      m.metric.name,
      formatSide(m, m.baseline),
      formatSide(m, m.current),
      formatMetricChange(m),
      formatMetricBudget(m),
      formatMetricP(m),
      tableVerdict(formatVerdict(m)),
    ]);
  }
  lines.push(
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n'),
  );
  for (const m of report.metrics.filter((c) => c.failed))
    lines.push(`${m.metric.name}: ${m.note}; change interval ${formatInterval(m)}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push('values: median [min-max] over runs');
  // One clause a line, so the method fits the table's width too.
  for (const clause of describeMethod(report).split('; ')) lines.push(`method: ${clause}`);
  lines.push(conclusion(report));
  return lines.join('\n');
}
