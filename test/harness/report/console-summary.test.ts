import { describe, expect, it } from 'vitest';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { formatMs } from '../../../harness/report/format.js';
import { sampleRun } from '../metrics/sample-run.js';

describe('formatSummaryTable', () => {
  const { result } = sampleRun();
  const text = formatSummaryTable(result);
  const rows = text.split('\n');

  it('starts with the verdict', () => {
    expect(rows[0]).toBe('sample-run against embedded (127.0.0.1:4433): FAILED (14.0s, 1 worker)');
  });

  it('lists latency metrics with samples and their percentiles', () => {
    const deliver = rows.find((r) => /│ deliver\s/.test(r));
    expect(deliver).toBeDefined();
    expect(deliver).toContain(formatMs(result.latency.deliver.p99));
    expect(deliver).toContain(String(result.latency.deliver.count));
    expect(rows.some((r) => /│ upload\s/.test(r))).toBe(false);
  });

  it('shows each check with its actual value and verdict', () => {
    expect(rows.find((r) => r.includes('deliver.max < 1ms'))).toMatch(/FAIL/);
    expect(rows.find((r) => r.includes('loss == 0'))).toMatch(/│ 0\s+│ PASS/);
    expect(rows.find((r) => r.includes('upload.p99 < 1s'))).toMatch(/- \(no samples\).*FAIL/);
    expect(rows.find((r) => r.includes('viral promoted during surge'))).toMatch(/promoted at \+3\.9s.*PASS/);
  });

  it('shows correctness, events, errors and the harness lag', () => {
    expect(text).toMatch(/expected.*seen.*loss.*duplicates.*reorders/);
    expect(text).toMatch(/promoted\s+│ viral\s+│ \+3\.9s\s+│ surge/);
    expect(text).toContain('1006: 1');
    expect(rows.at(-1)).toMatch(/^harness scheduling lag: p99 0\.2\d*ms, max 0\.2\d*ms$/);
  });

  it('shows drops and receipts only when they happened', () => {
    expect(text).not.toContain('dropped / reconnected');
    expect(text).not.toContain('receipts delivered / read');
    const busy = formatSummaryTable({
      ...result,
      counters: {
        ...result.counters,
        disconnects: 3,
        drop_reconnects: 2,
        receipts_delivered: 40,
        receipts_read: 7,
      },
    });
    expect(busy).toMatch(/dropped \/ reconnected\s+│ 3 \/ 2/);
    expect(busy).toMatch(/receipts delivered \/ read\s+│ 40 \/ 7/);
  });

  it('contains no colour escape codes', () => {
    expect(text).not.toContain('\x1b[');
  });
});
