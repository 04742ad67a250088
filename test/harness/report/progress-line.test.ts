import { describe, expect, it } from 'vitest';
import { mergeProgress } from '../../../harness/metrics/progress.js';
import {
  CLEAR_PROGRESS_LINE,
  formatProgressLine,
  renderProgress,
} from '../../../harness/report/progress-line.js';

const progress = {
  elapsedMs: 12_345,
  phase: 'surge',
  connected: 200,
  sentPerSec: 151,
  deliveredPerSec: 30_200,
  p99Ms: 12.34,
  errors: 0,
};

describe('progress line', () => {
  it('shows clients, rates, p99 and errors', () => {
    expect(formatProgressLine(progress, 200)).toBe(
      '12.3s surge | clients 200/200 | sent 151/s | delivered 30,200/s | p99(5s) 12.3ms | errors 0',
    );
    expect(formatProgressLine({ ...progress, phase: null, p99Ms: null })).toBe(
      '12.3s - | clients 200 | sent 151/s | delivered 30,200/s | p99(5s) - | errors 0',
    );
  });

  it('on a TTY rewrites one line in place, cut to the terminal width', () => {
    const out = renderProgress(progress, { tty: true, columns: 40, totalClients: 200 });
    expect(out.startsWith('\r')).toBe(true);
    expect(out.endsWith('\x1b[K')).toBe(true);
    expect(out).not.toContain('\n');
    expect(out.slice(1, -3).length).toBe(39);
    expect(CLEAR_PROGRESS_LINE).toBe('\r\x1b[K');
  });

  it('elsewhere prints timestamped lines', () => {
    const out = renderProgress(progress, { tty: false, now: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
    expect(out).toBe(
      '2025-01-02T03:04:05.000Z 12.3s surge | clients 200 | sent 151/s | delivered 30,200/s | p99(5s) 12.3ms | errors 0\n',
    );
  });

  it('merges worker progress (sums, p99 upper bound)', () => {
    const merged = mergeProgress([
      progress,
      { ...progress, connected: 100, sentPerSec: 49, p99Ms: 20, errors: 2 },
    ]);
    expect(merged).toMatchObject({
      connected: 300,
      sentPerSec: 200,
      deliveredPerSec: 60_400,
      p99Ms: 20,
      errors: 2,
    });
  });
});
