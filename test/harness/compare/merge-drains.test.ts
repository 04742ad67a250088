/** The wait after the last phase of merged results: longest wait, any extended, worst end, figures summed. */
import { describe, expect, it } from 'vitest';
import { mergeDrains } from '../../../harness/compare/merge-drains.js';
import type { DrainSummary, RunResult } from '../../../harness/metrics/run-result.js';

const EXTENDED: DrainSummary = {
  graceMs: 5000,
  maxMs: 20_000,
  waitedMs: 8400,
  extended: true,
  ended: 'nothing-missing',
  missingAtGraceEnd: 300,
  missingAtEnd: 0,
  lateAfterGrace: 300,
};
const AT_GRACE: DrainSummary = {
  ...EXTENDED,
  waitedMs: 5000,
  extended: false,
  ended: 'no-late-arrivals',
  missingAtGraceEnd: 12,
  missingAtEnd: 12,
  lateAfterGrace: 0,
};

const withDrain = (drain: DrainSummary | undefined): RunResult => ({ drain }) as RunResult;

describe('mergeDrains', () => {
  it('keeps the longest wait, extended when any was, the worst end, and sums the figures', () => {
    expect(mergeDrains([withDrain(AT_GRACE), withDrain(EXTENDED), withDrain(undefined)])).toEqual({
      graceMs: 5000,
      maxMs: 20_000,
      waitedMs: 8400,
      extended: true,
      // One stopped with pairs still missing: worse than the other's nothing missing.
      ended: 'no-late-arrivals',
      missingAtGraceEnd: 312,
      missingAtEnd: 12,
      lateAfterGrace: 300,
      merged: { results: 3, withDrain: 2, extended: 1 },
    });
  });

  it('takes a wait cut off at max_drain as the worst end, in any order', () => {
    const capped: DrainSummary = { ...EXTENDED, waitedMs: 20_000, ended: 'max-reached', missingAtEnd: 40 };
    for (const order of [
      [capped, AT_GRACE, EXTENDED],
      [EXTENDED, AT_GRACE, capped],
    ]) {
      expect(mergeDrains(order.map(withDrain))).toMatchObject({
        ended: 'max-reached',
        waitedMs: 20_000,
        missingAtEnd: 52,
      });
    }
    expect(mergeDrains([withDrain(EXTENDED), withDrain(EXTENDED)])?.ended).toBe('nothing-missing');
  });

  it('is not extended when none waited past its grace, and absent when no result says (older versions)', () => {
    expect(mergeDrains([withDrain(AT_GRACE), withDrain(AT_GRACE)])).toMatchObject({
      extended: false,
      waitedMs: 5000,
      merged: { results: 2, withDrain: 2, extended: 0 },
    });
    expect(mergeDrains([withDrain(undefined), withDrain(undefined)])).toBeUndefined();
  });
});
