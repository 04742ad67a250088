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

  it('says, for merged results, how many waited past the grace, the longest wait and the worst end', () => {
    const merged = (drain: DrainSummary, segments: boolean): string | null =>
      drainFactLine({ drain, ...(segments ? { segments: {} } : {}) } as RunResult);
    const both: DrainSummary = {
      ...EXTENDED,
      ended: 'no-late-arrivals',
      missingAtGraceEnd: 2763,
      missingAtEnd: 12,
      merged: { results: 3, withDrain: 3, extended: 1 },
    };
    expect(merged(both, true)).toBe(
      'drain: 1 of 3 segments waited past the grace (5.0 s) for missing deliveries still arriving late, the longest ' +
        '8.4 s after the last phase; 2,763 expected deliveries were missing when the grace ended, 2,751 arrived ' +
        'after it (counted late); worst end: they stopped arriving, 12 still missing count as lost',
    );
    expect(merged({ ...both, ended: 'nothing-missing' }, false)).toMatch(
      /^drain: 1 of 3 runs waited .*; each stopped when none was missing$/,
    );
    expect(
      merged({ ...both, ended: 'max-reached', merged: { results: 4, withDrain: 3, extended: 2 } }, true),
    ).toMatch(
      /^drain: 2 of 3 segments .*worst end: correctness\.max_drain \(20\.0 s\) reached while they were still arriving, 12 still missing count as lost \(a longer max_drain waits for them\); 1 more segments \(older versions\) report no drain$/,
    );
    expect(merged({ ...both, extended: false }, true)).toBeNull();
  });
});
