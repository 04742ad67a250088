/**
 * JUnit XML report of a run (as CI systems read it): one <testsuite> per PROTOCOL.md top-level section, one
 * <testcase> per check; failures carry expected vs actual, skips their reason, warnings go to <system-out>. Each
 * testcase names its level; without --strict a reference-level failure is not a counted failure, so it is written
 * as a skip whose reason holds expected vs actual (h2spec's strict model). Rendered by the shared JUnit writer
 * (junit-report-builder).
 */
import { topSectionOf } from '../check.js';
import { counts, type CheckResult, type SuiteResult } from '../results.js';
import { renderJunit, type JunitCase } from '../../report/junit-document.js';
import { SECTION_TITLES } from './console-report.js';

/** The JUnit XML text of a run's result. */
export function formatJunitReport(result: SuiteResult): string {
  const sections = new Map<string, CheckResult[]>();
  for (const check of result.checks) {
    const section = topSectionOf(check.id);
    sections.set(section, [...(sections.get(section) ?? []), check]);
  }
  const suites = [...sections]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([section, checks]) => ({
      name: `${section} ${SECTION_TITLES[section] ?? ''}`.trim(),
      timestamp: result.startedAt,
      timeSeconds: seconds(checks.reduce((sum, c) => sum + c.durationMs, 0)),
      cases: checks.map((check) => testcase(check, section, result.strict)),
    }));
  return renderJunit(`garou conformance ${result.target}`, suites);
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

function testcase(check: CheckResult, section: string, strict: boolean): JunitCase {
  const testCase: JunitCase = {
    classname: `garou.conformance.${section}`,
    name: `${check.id} [${check.level}] ${check.title}`,
    timeSeconds: seconds(check.durationMs),
  };
  if (check.status === 'fail' && !counts(check, strict)) {
    testCase.skipped = `reference level (our decision), counted only with --strict: expected ${check.expected ?? ''}; saw ${check.actual ?? ''}`;
  } else if (check.status === 'fail') {
    testCase.failure = {
      message: `expected ${check.expected ?? ''}`,
      type: 'ConformanceFailure',
      details: `expected: ${check.expected ?? ''}\nactual:   ${check.actual ?? ''}\nrules: ${check.rules.join(', ')}\nlevel: ${check.level}${check.harness === undefined ? '' : `\n${check.harness}`}`,
    };
  }
  if (check.status === 'skip') testCase.skipped = check.reason ?? '';
  if (check.warnings.length > 0) testCase.systemOut = check.warnings.map((w) => `warning: ${w}`).join('\n');
  return testCase;
}
