/**
 * The report writers read a SuiteResult: console tree by section with the exact summary line, JUnit XML, JSON.
 */
import { describe, expect, it } from 'vitest';
import {
  formatCheckList,
  formatConsoleReport,
  summaryLine,
  waitLine,
} from '../../../harness/conformance/report/console-report.js';
import { formatJsonReport } from '../../../harness/conformance/report/json-report.js';
import { escapeXml, formatJunitReport } from '../../../harness/conformance/report/junit-report.js';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import {
  summarize,
  summarizeByLevel,
  verdictOf,
  type CheckResult,
  type SuiteResult,
} from '../../../harness/conformance/results.js';
import { DEFAULT_HOT_ROOM_PARAMS } from '../../../harness/conformance/suite-environment.js';

const checks: CheckResult[] = [
  {
    id: '12/pong-echo',
    title: 'Ping answered',
    section: '12',
    rules: ['12/pong-echo'],
    level: 'protocol',
    status: 'pass',
    durationMs: 5,
    warnings: [],
  },
  {
    id: '6.2/hello-ack',
    title: 'HelloAck <valid> & "first"',
    section: '6.2',
    rules: ['6.2/hello-ack'],
    level: 'protocol',
    status: 'fail',
    durationMs: 12,
    expected: 'HelloAck{version 1}',
    actual: 'Error{"code":1001}',
    warnings: ['no Error frame'],
  },
  {
    id: '10/demote',
    title: 'Demotion',
    section: '10',
    rules: ['10/demote'],
    level: 'protocol',
    status: 'skip',
    durationMs: 0,
    reason: 'never promoted',
    warnings: [],
  },
];

/** A reference-level failure and a check left out by --skip. */
const referenceFailure: CheckResult = {
  id: '5/extra-bidi',
  title: 'Extra bidi stream',
  section: '5',
  rules: ['5/extra-bidi'],
  level: 'reference',
  status: 'fail',
  durationMs: 3,
  expected: 'STOP_SENDING 1001',
  actual: 'STOP_SENDING 1007',
  warnings: [],
};
const leftOut: CheckResult = {
  id: '10/max-hot',
  title: 'Max hot rooms',
  section: '10',
  rules: ['10/max-hot'],
  level: 'protocol',
  status: 'skip',
  reason: 'skipped by --skip 10/max-hot',
  notSelected: true,
  durationMs: 0,
  warnings: [],
};

function resultOf(list: CheckResult[], strict = false): SuiteResult {
  return {
    target: '127.0.0.1:4433',
    embedded: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    numShards: 8,
    hot: DEFAULT_HOT_ROOM_PARAMS,
    seed: 1,
    checks: list,
    summary: summarize(list),
    levels: summarizeByLevel(list),
    strict,
    verdict: verdictOf(list, strict),
  };
}

const result = resultOf(checks);

describe('console report', () => {
  it('groups by section in numeric order, shows expected/actual, skip reasons, warnings and the summary line', () => {
    const text = formatConsoleReport(result);
    const lines = text.split('\n');
    const sections = lines.filter((l) => /^\d+ [A-Z]/.test(l));
    expect(sections).toEqual(['6 Handshake state machine', '10 Hot rooms', '12 Keep-alive and close']);
    expect(text).toContain('FAIL 6.2/hello-ack');
    expect(text).toContain('expected: HelloAck{version 1}');
    expect(text).toContain('actual:   Error{"code":1001}');
    expect(text).toContain('skipped: never promoted');
    expect(text).toContain('warning: no Error frame');
    expect(lines.filter((l) => /^\d+ passed, \d+ failed/.test(l))).toEqual(['1 passed, 1 failed, 1 skipped']);
    expect(text).not.toContain('\x1b[');
  });

  it('colours only when asked, never the summary line', () => {
    const text = formatConsoleReport(result, true);
    expect(text).toContain('\x1b[31mFAIL');
    expect(text.trimEnd().split('\n').at(-1)).toBe(summaryLine(result.summary));
  });

  it('lists every check with its id and level', () => {
    const list = formatCheckList(ALL_CHECKS);
    for (const check of ALL_CHECKS) expect(list).toContain(check.id);
    expect(list).toMatch(/^ {2}6\.2\/hello-ack +protocol +Hello v1/m);
    expect(list).toMatch(/^ {2}6\.2\/hello-version +reference +Hello with version 2/m);
    expect(list).toMatch(new RegExp(`${ALL_CHECKS.length} checks \\(\\d+ protocol, \\d+ reference\\)`));
  });

  it('shows levels, counts per level and the verdict; a reference failure counts only with --strict', () => {
    const mixed = [...checks.slice(0, 1), referenceFailure, leftOut];
    const lenient = formatConsoleReport(resultOf(mixed));
    expect(lenient).toContain('FAIL 5/extra-bidi [reference]');
    expect(lenient).toContain('reference level (our decision): not counted without --strict');
    expect(lenient).toContain('SKIP 10/max-hot [protocol]  skipped by --skip 10/max-hot');
    expect(lenient).toContain('protocol:  1 passed, 0 failed, 1 skipped\n');
    expect(lenient).toContain('reference: 0 passed, 1 failed, 0 skipped (not counted; --strict counts them)');
    expect(lenient).toContain('verdict: PASS (protocol-level checks; --strict adds reference-level ones)');
    const strict = formatConsoleReport(resultOf(mixed, true));
    expect(strict).not.toContain('not counted');
    expect(strict).toContain('verdict: FAIL (protocol- and reference-level checks (--strict))');
    expect(formatConsoleReport(result)).toContain('verdict: FAIL');
  });
});

describe('wait notes', () => {
  it('say which check waits for what, how long and until when', () => {
    const now = Date.parse('2026-12-06T21:00:00.000Z');
    expect(waitLine('10/split-point', 'RoomDemoted for room 7', 70_500, now)).toBe(
      '10/split-point: waiting up to 71 s (until 21:01:10 UTC) for RoomDemoted for room 7',
    );
  });
});

describe('JUnit report', () => {
  it('has one testsuite per section, counts, failures with expected/actual, skips, escaped text', () => {
    const xml = formatJunitReport(result);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuites [^>]*tests="3" failures="1" errors="0" skipped="1"/);
    expect((xml.match(/<testsuite /g) ?? []).length).toBe(3);
    expect(xml).toContain('name="6.2/hello-ack [protocol] HelloAck &lt;valid&gt; &amp; &quot;first&quot;"');
    expect(xml).toContain('<property name="level" value="protocol"/>');
    expect(xml).toContain('<failure message="expected HelloAck{version 1}"');
    expect(xml).toContain('actual:   Error{&quot;code&quot;:1001}');
    expect(xml).toContain('<skipped message="never promoted"/>');
    expect(xml).toContain('<system-out>warning: no Error frame</system-out>');
  });

  it('writes a reference-level failure as a skip without --strict, as a failure with it', () => {
    const mixed = [checks[0]!, referenceFailure];
    const lenient = formatJunitReport(resultOf(mixed));
    expect(lenient).toMatch(/<testsuites [^>]*tests="2" failures="0" errors="0" skipped="1"/);
    expect(lenient).toContain(
      '<skipped message="reference level (our decision), counted only with --strict: expected STOP_SENDING 1001; saw STOP_SENDING 1007"/>',
    );
    const strict = formatJunitReport(resultOf(mixed, true));
    expect(strict).toMatch(/<testsuites [^>]*tests="2" failures="1" errors="0" skipped="0"/);
    expect(strict).toContain('<failure message="expected STOP_SENDING 1001"');
  });

  it('escapes characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b<')).toBe('a\uFFFDb&lt;');
  });
});

describe('JSON report', () => {
  it('round-trips the result with a version', () => {
    const parsed = JSON.parse(formatJsonReport(result)) as SuiteResult & { version: number };
    expect(parsed.version).toBe(1);
    expect(parsed.summary).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(parsed.levels.protocol).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(parsed.levels.reference).toEqual({ passed: 0, failed: 0, skipped: 0 });
    expect(parsed).toMatchObject({ strict: false, verdict: 'fail' });
    expect(parsed.checks[1]).toMatchObject({
      id: '6.2/hello-ack',
      level: 'protocol',
      status: 'fail',
      actual: 'Error{"code":1001}',
    });
  });
});
