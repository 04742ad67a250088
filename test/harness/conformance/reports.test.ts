/**
 * The report writers read a SuiteResult: console tree by section with the exact summary line, JUnit XML, JSON.
 */
import { describe, expect, it } from 'vitest';
import {
  formatCheckList,
  formatConsoleReport,
  summaryLine,
} from '../../../harness/conformance/report/console-report.js';
import { formatJsonReport } from '../../../harness/conformance/report/json-report.js';
import { formatJunitReport } from '../../../harness/conformance/report/junit-report.js';
import { checkXml, findAll } from '../compare/xml-check.js';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import { summarize, type CheckResult, type SuiteResult } from '../../../harness/conformance/results.js';
import { DEFAULT_HOT_ROOM_PARAMS } from '../../../harness/conformance/suite-environment.js';

const checks: CheckResult[] = [
  {
    id: '12/pong-echo',
    title: 'Ping answered',
    section: '12',
    rules: ['12/pong-echo'],
    status: 'pass',
    durationMs: 5,
    warnings: [],
  },
  {
    id: '6.2/hello-ack',
    title: 'HelloAck <valid> & "first"',
    section: '6.2',
    rules: ['6.2/hello-ack'],
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
    status: 'skip',
    durationMs: 0,
    reason: 'never promoted',
    warnings: [],
  },
];

const result: SuiteResult = {
  target: '127.0.0.1:4433',
  embedded: false,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  numShards: 8,
  hot: DEFAULT_HOT_ROOM_PARAMS,
  seed: 1,
  checks,
  summary: summarize(checks),
};

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

  it('lists every check with its id', () => {
    const list = formatCheckList(ALL_CHECKS);
    for (const check of ALL_CHECKS) expect(list).toContain(check.id);
    expect(list).toContain(`${ALL_CHECKS.length} checks`);
  });
});

describe('JUnit report', () => {
  it('has one testsuite per section, counts, failures with expected/actual, skips, escaped text', () => {
    const xml = formatJunitReport(result);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuites [^>]*tests="3" failures="1" errors="0" skipped="1"/);
    expect((xml.match(/<testsuite /g) ?? []).length).toBe(3);
    const root = checkXml(xml);
    const cases = findAll(root, 'testcase');
    const failed = cases.find((c) => c.attributes.name === '6.2/hello-ack HelloAck <valid> & "first"')!;
    const failure = failed.children.find((c) => c.name === 'failure')!;
    expect(failure.attributes.message).toBe('expected HelloAck{version 1}');
    expect(failure.text).toContain('actual:   Error{"code":1001}');
    const skipped = cases.find((c) => c.children.some((child) => child.name === 'skipped'))!;
    expect(skipped.children.find((c) => c.name === 'system-out')!.text).toBe('skipped: never promoted');
    const outputs = findAll(root, 'system-out').map((o) => o.text);
    expect(outputs).toContain('warning: no Error frame');
  });

  it('drops characters XML cannot carry instead of writing an unreadable document', () => {
    const hostile = { ...result, target: 'a\u0000b<' };
    expect(checkXml(formatJunitReport(hostile)).attributes.name).toBe('garou conformance ab<');
  });
});

describe('JSON report', () => {
  it('round-trips the result with a version', () => {
    const parsed = JSON.parse(formatJsonReport(result)) as SuiteResult & { version: number };
    expect(parsed.version).toBe(1);
    expect(parsed.summary).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(parsed.checks[1]).toMatchObject({
      id: '6.2/hello-ack',
      status: 'fail',
      actual: 'Error{"code":1001}',
    });
  });
});
