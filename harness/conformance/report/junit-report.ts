/**
 * JUnit XML report of a run (as CI systems read it): one <testsuite> per PROTOCOL.md top-level section, one
 * <testcase> per check; failures carry expected vs actual, skips their reason, warnings go to <system-out>. Each
 * testcase names its level and carries it as a property; without --strict a reference-level failure is not a
 * counted failure, so it is written as a skip whose message holds expected vs actual (h2spec's strict model).
 */
import { topSectionOf } from '../check.js';
import { counts, type CheckResult, type SuiteResult } from '../results.js';
import { SECTION_TITLES } from './console-report.js';

/** Escapes text for XML attributes and content (and drops characters XML 1.0 cannot carry). */
export function escapeXml(text: string): string {
  let clean = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const allowed =
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0d ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    clean += allowed ? char : '\uFFFD';
  }
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** Whether the check counts as failed in this report (reference-level failures only with --strict). */
function countedFailure(check: CheckResult, strict: boolean): boolean {
  return check.status === 'fail' && counts(check, strict);
}

function testcase(check: CheckResult, section: string, strict: boolean): string {
  const open = `    <testcase classname="garou.conformance.${escapeXml(section)}" name="${escapeXml(`${check.id} [${check.level}] ${check.title}`)}" time="${seconds(check.durationMs)}"`;
  const body: string[] = [
    `      <properties><property name="level" value="${check.level}"/><property name="rules" value="${escapeXml(check.rules.join(' '))}"/></properties>`,
  ];
  if (check.status === 'fail' && !countedFailure(check, strict)) {
    const message = `reference level (our decision), counted only with --strict: expected ${check.expected ?? ''}; saw ${check.actual ?? ''}`;
    body.push(`      <skipped message="${escapeXml(message)}"/>`);
  } else if (check.status === 'fail') {
    const message = `expected ${check.expected ?? ''}`;
    body.push(
      `      <failure message="${escapeXml(message)}" type="ConformanceFailure">${escapeXml(`expected: ${check.expected ?? ''}\nactual:   ${check.actual ?? ''}\nrules: ${check.rules.join(', ')}`)}</failure>`,
    );
  }
  if (check.status === 'skip') body.push(`      <skipped message="${escapeXml(check.reason ?? '')}"/>`);
  if (check.warnings.length > 0)
    body.push(
      `      <system-out>${escapeXml(check.warnings.map((w) => `warning: ${w}`).join('\n'))}</system-out>`,
    );
  return `${open}>\n${body.join('\n')}\n    </testcase>`;
}

/** The JUnit XML text of a run's result. */
export function formatJunitReport(result: SuiteResult): string {
  const sections = new Map<string, CheckResult[]>();
  for (const check of result.checks) {
    const section = topSectionOf(check.id);
    sections.set(section, [...(sections.get(section) ?? []), check]);
  }
  const suites: string[] = [];
  for (const [section, checks] of [...sections].sort(([a], [b]) => Number(a) - Number(b))) {
    const failures = checks.filter((c) => countedFailure(c, result.strict)).length;
    // Skips, and reference-level failures written as skips without --strict.
    const skipped = checks.length - failures - checks.filter((c) => c.status === 'pass').length;
    const time = checks.reduce((sum, c) => sum + c.durationMs, 0);
    const name = `${section} ${SECTION_TITLES[section] ?? ''}`.trim();
    suites.push(
      `  <testsuite name="${escapeXml(name)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${escapeXml(result.startedAt)}">\n` +
        `${checks.map((c) => testcase(c, section, result.strict)).join('\n')}\n  </testsuite>`,
    );
  }
  const failed = result.checks.filter((c) => countedFailure(c, result.strict)).length;
  const skipped = result.checks.length - failed - result.summary.passed;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="garou conformance ${escapeXml(result.target)}" tests="${result.checks.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(result.durationMs)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
