/**
 * The comparison as JUnit XML, one <testcase> per metric, so CI systems list each metric as a test: a metric that
 * regressed past its budget is a <failure>, a metric without a budget or without data is reported but passes.
 */
import type { ComparisonReport, MetricComparison } from './comparison.js';
import {
  conclusion,
  describeMethod,
  formatInterval,
  formatMetricBudget,
  formatMetricChange,
  formatMetricP,
  formatSide,
} from './comparison-text.js';
import { junitTimestamp, renderJunit } from '../report/junit-document.js';

function details(m: MetricComparison): string {
  return [
    `baseline: ${formatSide(m, m.baseline)}`,
    `current: ${formatSide(m, m.current)}`,
    `change: ${formatMetricChange(m)} interval ${formatInterval(m)}`,
    `budget: ${formatMetricBudget(m)}`,
    `p: ${formatMetricP(m)}`,
    `verdict: ${m.verdict}`,
    m.note,
  ].join('\n');
}

/** Formats the comparison as a JUnit XML document (testsuites > testsuite > testcase per metric). */
export function formatComparisonJunit(report: ComparisonReport, timestamp = new Date()): string {
  const classname = `garou-bench.compare.${report.current.scenario}`;
  return renderJunit('garou-bench compare', [
    {
      name: `garou-bench perf gate: ${report.current.scenario}`,
      timestamp: junitTimestamp(timestamp),
      timeSeconds: 0,
      properties: [
        ['baseline', `${report.baseline.label} (${report.baseline.runs} runs)`],
        ['current', `${report.current.label} (${report.current.runs} runs)`],
        ['method', describeMethod(report)],
        ['conclusion', conclusion(report)],
        ...report.notes.map((note): [string, string] => ['note', note]),
      ],
      cases: report.metrics.map((m) => ({
        classname,
        name: m.metric.name,
        timeSeconds: 0,
        ...(m.failed
          ? { failure: { message: `${m.metric.name}: ${m.note}`, type: m.verdict, details: details(m) } }
          : {}),
        systemOut: details(m),
      })),
    },
  ]);
}
