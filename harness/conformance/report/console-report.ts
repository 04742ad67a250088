/**
 * Console output of a run: a tree grouped by PROTOCOL.md section, each check with its verdict, expected vs actual
 * for failures, the reason for skips, warnings, and a final summary line of the exact form
 * `N passed, N failed, N skipped` (CI log parsers count the "N passed, N failed" part), preceded by the counts per
 * level and the verdict. Colour only when asked (the CLI asks on a TTY); the summary line is never coloured.
 */
import { RULE_LEVELS } from '../../../spec/rule-levels.js';
import { levelOf, topSectionOf, type ConformanceCheck } from '../check.js';
import { counts, type CheckResult, type ResultSummary, type SuiteResult } from '../results.js';

/** Top-level section titles of PROTOCOL.md. */
export const SECTION_TITLES: Readonly<Record<string, string>> = {
  '1': 'Conventions',
  '2': 'Transport',
  '3': 'Frame format',
  '4': 'Frame types and payloads',
  '5': 'Streams',
  '6': 'Handshake state machine',
  '7': 'Rooms',
  '8': 'Messages',
  '9': 'Shards',
  '10': 'Hot rooms',
  '11': 'Datagrams',
  '12': 'Keep-alive and close',
  '13': 'Uploads',
  '14': 'Errors',
  '15': 'Limits',
  '16': 'Extensions',
};

const ANSI = {
  green: '\x1b[32m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

type Paint = (style: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `${ANSI[style]}${text}${ANSI.reset}` : (_style, text) => text;
}

/** `52 passed, 0 failed, 1 skipped`. */
export function summaryLine(summary: ResultSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}

const VERDICT: Readonly<Record<CheckResult['status'], { label: string; style: keyof typeof ANSI }>> = {
  pass: { label: 'PASS', style: 'green' },
  fail: { label: 'FAIL', style: 'red' },
  skip: { label: 'SKIP', style: 'yellow' },
};

/** The lines of one check in the tree; `strict` says whether a reference-level failure counts. */
export function formatCheck(result: CheckResult, color = false, strict = false): string[] {
  const paint = painter(color);
  const verdict = VERDICT[result.status];
  const level = paint('dim', `[${result.level}]`);
  if (result.notSelected)
    return [
      `  ${paint(verdict.style, verdict.label)} ${paint('bold', result.id)} ${level}  ${result.reason ?? ''}`,
    ];
  const lines = [
    `  ${paint(verdict.style, verdict.label)} ${paint('bold', result.id)} ${level}  ${result.title} ${paint('dim', `(${result.durationMs} ms)`)}`,
  ];
  if (result.status === 'fail') {
    lines.push(`       expected: ${result.expected ?? ''}`);
    lines.push(`       actual:   ${result.actual ?? ''}`);
    if (result.harness !== undefined) lines.push(`       ${paint('dim', result.harness)}`);
    if (!counts(result, strict))
      lines.push(`       ${paint('dim', 'reference level (our decision): not counted without --strict')}`);
  }
  if (result.status === 'skip') lines.push(`       skipped: ${result.reason ?? ''}`);
  for (const warning of result.warnings) lines.push(`       ${paint('yellow', 'warning:')} ${warning}`);
  return lines;
}

function sectionOrder(a: string, b: string): number {
  return Number(a) - Number(b);
}

/** The whole report: header, tree by section, summary line. */
export function formatConsoleReport(result: SuiteResult, color = false): string {
  const paint = painter(color);
  const hot = result.hot;
  const lines = [
    `garou conformance: ${result.target}${result.embedded ? ' (embedded reference server)' : ''}`,
    `num_shards ${result.numShards}; hot rooms (${hot.source}): promote ${hot.promoteRate}/s, demote ${hot.demoteRate}/s, ` +
      `cool-down ${hot.coolDownMs} ms, window ${hot.rateWindowMs} ms, max ${hot.maxHotRooms}; seed ${result.seed}`,
    '',
  ];
  const bySection = new Map<string, CheckResult[]>();
  for (const check of result.checks) {
    const section = topSectionOf(check.id);
    bySection.set(section, [...(bySection.get(section) ?? []), check]);
  }
  for (const section of [...bySection.keys()].sort(sectionOrder)) {
    lines.push(paint('bold', `${section} ${SECTION_TITLES[section] ?? ''}`.trimEnd()));
    for (const check of bySection.get(section)!) lines.push(...formatCheck(check, color, result.strict));
  }
  lines.push('', `finished in ${(result.durationMs / 1000).toFixed(1)} s`, ...verdictLines(result));
  lines.push(summaryLine(result.summary));
  return `${lines.join('\n')}\n`;
}

/** Counts per level and the verdict, e.g. `verdict: PASS (protocol-level checks; --strict adds reference-level ones)`. */
export function verdictLines(result: SuiteResult): string[] {
  const lines = RULE_LEVELS.map((level) => {
    const counted = result.strict || level === 'protocol' ? '' : ' (not counted; --strict counts them)';
    return `${`${level}:`.padEnd(10)} ${summaryLine(result.levels[level])}${counted}`;
  });
  const scope = result.strict
    ? 'protocol- and reference-level checks (--strict)'
    : 'protocol-level checks; --strict adds reference-level ones';
  lines.push(`verdict: ${result.verdict === 'pass' ? 'PASS' : 'FAIL'} (${scope})`);
  return lines;
}

/** `--list`: every check with its id, rules and description, grouped by section. */
export function formatCheckList(checks: readonly ConformanceCheck[]): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const levelWidth = Math.max(...RULE_LEVELS.map((l) => l.length));
  const lines: string[] = [];
  let section = '';
  for (const check of [...checks].sort((a, b) => sectionOrder(topSectionOf(a.id), topSectionOf(b.id)))) {
    const top = topSectionOf(check.id);
    if (top !== section) {
      section = top;
      lines.push(`${top} ${SECTION_TITLES[top] ?? ''}`.trimEnd());
    }
    lines.push(`  ${check.id.padEnd(width)}  ${levelOf(check).padEnd(levelWidth)}  ${check.title}`);
  }
  const perLevel = RULE_LEVELS.map((l) => `${checks.filter((c) => levelOf(c) === l).length} ${l}`).join(', ');
  lines.push(`${checks.length} checks (${perLevel})`);
  return `${lines.join('\n')}\n`;
}

/** One progress line (for a TTY's stderr while the run goes). */
export function progressLine(result: CheckResult, index: number, total: number): string {
  return `[${index + 1}/${total}] ${VERDICT[result.status].label} ${result.id} [${result.level}]`;
}

/** A long wait starting, e.g. `10/split-point: waiting up to 71 s (until 21:03:12 UTC) for RoomDemoted ...`. */
export function waitLine(checkId: string, what: string, waitMs: number, now = Date.now()): string {
  const until = new Date(now + waitMs).toISOString().slice(11, 19);
  return `${checkId}: waiting up to ${Math.ceil(waitMs / 1000)} s (until ${until} UTC) for ${what}`;
}
