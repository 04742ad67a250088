/**
 * JUnit XML report of a run (as CI systems read it): one <testsuite> per PROTOCOL.md top-level section, one
 * <testcase> per check; failures carry expected vs actual, skips their reason and warnings go to <system-out>.
 * Written by junit-report.ts's shared renderer (junit-report-builder).
 */
import { topSectionOf } from '../check.js';
import type { CheckResult, SuiteResult } from '../results.js';
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
      cases: checks.map((check) => testcase(check, section)),
    }));
  return renderJunit(`garou conformance ${result.target}`, suites);
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

function testcase(check: CheckResult, section: string): JunitCase {
  const testCase: JunitCase = {
    classname: `garou.conformance.${section}`,
    name: `${check.id} ${check.title}`,
    timeSeconds: seconds(check.durationMs),
  };
  if (check.status === 'fail') {
    testCase.failure = {
      message: `expected ${check.expected ?? ''}`,
      type: 'ConformanceFailure',
      details: `expected: ${check.expected ?? ''}\nactual:   ${check.actual ?? ''}\nrules: ${check.rules.join(', ')}`,
    };
  }
  if (check.status === 'skip') testCase.skipped = check.reason ?? '';
  if (check.warnings.length > 0) testCase.systemOut = check.warnings.map((w) => `warning: ${w}`).join('\n');
  return testCase;
}
