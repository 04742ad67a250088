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

/** Escapes text for XML attributes and character data (and drops characters XML 1.0 forbids). */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

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
  const failures = report.metrics.filter((m) => m.failed).length;
  const suite = `garou-bench perf gate: ${report.current.scenario}`;
  const classname = `garou-bench.compare.${report.current.scenario}`;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="garou-bench compare" tests="${report.metrics.length}" failures="${failures}" errors="0">`,
  );
  lines.push(
    `  <testsuite name="${escapeXml(suite)}" tests="${report.metrics.length}" failures="${failures}" errors="0" ` +
      `skipped="0" time="0" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
  );
  lines.push('    <properties>');
  const properties: Array<[string, string]> = [
    ['baseline', `${report.baseline.label} (${report.baseline.runs} runs)`],
    ['current', `${report.current.label} (${report.current.runs} runs)`],
    ['method', describeMethod(report)],
    ['conclusion', conclusion(report)],
    ...report.notes.map((note): [string, string] => ['note', note]),
  ];
  for (const [name, value] of properties)
    lines.push(`      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
  lines.push('    </properties>');
  for (const m of report.metrics) {
    lines.push(
      `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(m.metric.name)}" time="0">`,
    );
    if (m.failed) {
      lines.push(
        `      <failure type="${escapeXml(m.verdict)}" message="${escapeXml(`${m.metric.name}: ${m.note}`)}">` +
          `${escapeXml(details(m))}</failure>`,
      );
    }
    lines.push(`      <system-out>${escapeXml(details(m))}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
