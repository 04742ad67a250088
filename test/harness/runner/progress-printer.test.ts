import { describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../../../harness/metrics/run-recorder.js';
import { ProgressPrinter } from '../../../harness/runner/progress-printer.js';
import { CLEAR_PROGRESS_LINE } from '../../../harness/report/progress-line.js';

const SNAPSHOT: ProgressSnapshot = {
  elapsedMs: 12_300,
  phase: 'surge',
  connected: 200,
  sentPerSec: 151,
  deliveredPerSec: 30_200,
  p99Ms: 12.3,
  errors: 0,
};

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 200, write: (text: string) => writes.push(text) };
}

describe('ProgressPrinter', () => {
  it('rewrites one line in place on a TTY, every update', () => {
    const out = stream(true);
    const printer = new ProgressPrinter(out, { totalClients: 200 });
    printer.update(SNAPSHOT, 1000);
    printer.update(SNAPSHOT, 2000);
    expect(out.writes).toHaveLength(2);
    for (const w of out.writes) {
      expect(w.startsWith('\r')).toBe(true);
      expect(w).toContain('clients 200/200');
      expect(w).not.toContain('\n');
    }
    printer.message('note');
    expect(out.writes.slice(2)).toEqual([CLEAR_PROGRESS_LINE, 'note\n']);
  });

  it('prints plain lines at most every 5 s otherwise, and never clears', () => {
    const out = stream(false);
    const printer = new ProgressPrinter(out, { totalClients: 200 });
    for (const at of [0, 1000, 4999, 5000, 9000, 10_000]) printer.update(SNAPSHOT, at);
    expect(out.writes).toHaveLength(3);
    for (const w of out.writes) expect(w.endsWith('\n')).toBe(true);
    printer.clear();
    expect(out.writes).toHaveLength(3);
  });

  it('names what the run does outside the phases: connecting, then the grace, then the wait for late deliveries', () => {
    const out = stream(true);
    const printer = new ProgressPrinter(out, { totalClients: 200 });
    printer.update({ ...SNAPSHOT, phase: null }, 1000);
    printer.update(SNAPSHOT, 2000);
    printer.update({ ...SNAPSHOT, phase: null }, 3000);
    printer.waitingForLate();
    printer.update({ ...SNAPSHOT, phase: null }, 4000);
    expect(out.writes.map((w) => /s (\S+( drain)?)/.exec(w)?.[1])).toEqual([
      'connecting',
      'surge',
      'grace',
      'late drain',
    ]);
  });
});
