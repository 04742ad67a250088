import { describe, expect, it } from 'vitest';
import { parseBudget } from '../../../harness/compare/budgets.js';
import { compareRunSets } from '../../../harness/compare/comparison.js';
import { formatComparisonJunit } from '../../../harness/compare/junit-xml.js';
import { formatComparisonMarkdown, markdownCell } from '../../../harness/compare/markdown-summary.js';
import { syntheticRuns } from './synthetic-runs.js';
import { checkXml, findAll } from './xml-check.js';

const awkward = `runs/<new> & "quoted" 'label' | pipe\u0001`;
const report = compareRunSets(
  { label: awkward, files: [], results: syntheticRuns(3, 1) },
  { label: 'current', files: [], results: syntheticRuns(3, 10, { errors: 2 }) },
  [parseBudget('errors=+0')],
);

describe('JUnit XML', () => {
  it('stays well-formed whatever the labels hold, and keeps their text', () => {
    const xml = formatComparisonJunit(report, new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    const root = checkXml(xml);
    const suite = findAll(root, 'testsuite')[0]!;
    expect(suite.attributes.timestamp).toBe('2025-01-02T03:04:05');
    const baseline = findAll(root, 'property').find((p) => p.attributes.name === 'baseline');
    expect(baseline?.attributes.value).toBe(`runs/<new> & "quoted" 'label' | pipe (3 runs)`);
    const errors = findAll(root, 'testcase').find((c) => c.attributes.name === 'errors')!;
    const failure = errors.children.find((c) => c.name === 'failure')!;
    expect(failure.attributes.type).toBe('regression');
    expect(failure.text).toMatch(/^baseline: 0 \[0-0\]\ncurrent: 2 \[2-2\]\nchange: \+2 /);
    expect(root.attributes.failures).toBe('1');
  });

  it('drops characters XML 1.0 cannot carry and keeps a CDATA end marker in the details intact', () => {
    const hostile = compareRunSets(
      { label: 'base\u0007 ]]> end', files: [], results: syntheticRuns(3, 1) },
      { label: 'current', files: [], results: syntheticRuns(3, 10, { errors: 2 }) },
      [parseBudget('errors=+0')],
    );
    const root = checkXml(formatComparisonJunit(hostile));
    const baseline = findAll(root, 'property').find((p) => p.attributes.name === 'baseline');
    expect(baseline?.attributes.value).toBe('base ]]> end (3 runs)');
  });
});

describe('the XML checker used above', () => {
  it('rejects documents that are not well-formed', () => {
    expect(() => checkXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => checkXml('<a x="1" x="2"/>')).toThrow(/duplicate attribute/);
    expect(() => checkXml('<a>&nbsp;</a>')).toThrow(/bad entity/);
    expect(() => checkXml('<a>1 < 2</a>')).toThrow();
    expect(() => checkXml('<a/><b/>')).toThrow(/second root/);
    expect(() => checkXml('<a>')).toThrow(/never closed/);
    expect(() => checkXml('<a><![CDATA[x</a>')).toThrow(/CDATA/);
    expect(checkXml('<a>1<![CDATA[ < ]]]]><![CDATA[> ]]>2</a>').text).toBe('1 < ]]> 2');
    expect(checkXml('<?xml version="1.0"?>\n<a k="&lt;"><b/>t&amp;</a>\n')).toMatchObject({
      name: 'a',
      attributes: { k: '<' },
      text: 't&',
      children: [{ name: 'b' }],
    });
  });
});

describe('Markdown summary', () => {
  it('escapes table cells so a label cannot break the table', () => {
    expect(markdownCell('a|b\nc')).toBe('a\\|b c');
    const md = formatComparisonMarkdown(report);
    expect(md).toMatch(/^## ❌ garou-bench performance gate: FAIL \(synthetic\)\n/);
    const rows = md.split('\n').filter((line) => line.startsWith('| '));
    // Header, separator excluded (starts with "|---"), one row per metric.
    expect(rows).toHaveLength(1 + report.metrics.length);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(10);
  });
});
