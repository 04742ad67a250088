/** The console's and report's sentence on the wait after the last phase: only when it went past the grace. */
import { describe, expect, it } from 'vitest';
import type { DrainSummary, RunResult } from '../../../harness/metrics/run-result.js';
import { drainFactLine } from '../../../harness/report/drain-facts.js';

const EXTENDED: DrainSummary = {
  graceMs: 5000,
  maxMs: 20_000,
  waitedMs: 8400,
  extended: true,
  ended: 'nothing-missing',
  missingAtGraceEnd: 2751,
  missingAtEnd: 0,
  lateAfterGrace: 2751,
};

function line(drain: DrainSummary | undefined): string | null {
  return drainFactLine({ drain } as RunResult);
}

describe('drainFactLine', () => {
  it('says nothing when the run did not wait past the grace (or the result is older)', () => {
    expect(line({ ...EXTENDED, extended: false, waitedMs: 5000, ended: 'no-late-arrivals' })).toBeNull();
    expect(line(undefined)).toBeNull();
  });

  it('says how long it waited, how many arrived late and why it stopped', () => {
    expect(line(EXTENDED)).toBe(
      'drain: waited 8.4 s after the last phase instead of the grace (5.0 s): 2,751 expected deliveries were ' +
        'missing then and still arriving late; 2,751 arrived after the grace (counted late); stopped when none was missing',
    );
    expect(line({ ...EXTENDED, ended: 'no-late-arrivals', missingAtEnd: 62 })).toMatch(
      /stopped when they stopped arriving: 62 still missing count as lost$/,
    );
    expect(line({ ...EXTENDED, ended: 'max-reached', missingAtEnd: 900, waitedMs: 20_000 })).toMatch(
      /stopped at correctness\.max_drain \(20\.0 s\) while they were still arriving: 900 still missing count as lost/,
    );
  });
});
