import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import { matchesPattern, selectChecks, splitPatterns } from '../../../harness/conformance/selection.js';

describe('matchesPattern', () => {
  it('matches a whole id, or a prefix ending at a / or . boundary', () => {
    expect(matchesPattern('6.2/hello-ack', '6.2/hello-ack')).toBe(true);
    expect(matchesPattern('6.2/hello-ack', '6.2')).toBe(true);
    expect(matchesPattern('6.2/hello-ack', '6')).toBe(true);
    expect(matchesPattern('14/unknown-type/acks', '14/unknown-type')).toBe(true);
    expect(matchesPattern('10/promote', '1')).toBe(false);
    expect(matchesPattern('6.2/hello-ack', '6.2/hello')).toBe(false);
    expect(matchesPattern('10/promote-order', '10/promote')).toBe(false);
    expect(matchesPattern('10/promote/below-threshold', '10/promote')).toBe(true);
    expect(matchesPattern('6.2/hello-ack', '6.')).toBe(true);
    expect(matchesPattern('6.2/hello-ack', ' ')).toBe(false);
  });
});

describe('selectChecks', () => {
  it('keeps run order, applies --skip after --only, and reports patterns that match nothing', () => {
    const { checks, unmatched } = selectChecks(ALL_CHECKS, splitPatterns(['10', '6.2/hello-ack,zzz']), [
      '10/max-hot',
    ]);
    const ids = checks.map((c) => c.id);
    expect(ids).toContain('6.2/hello-ack');
    expect(ids).toContain('10/promote');
    expect(ids).not.toContain('10/max-hot');
    expect(ids.every((id) => id.startsWith('10/') || id === '6.2/hello-ack')).toBe(true);
    expect(ids).toEqual(ALL_CHECKS.map((c) => c.id).filter((id) => ids.includes(id)));
    expect(unmatched).toEqual(['zzz']);
  });

  it('reports every left-out check with the flag that left it out', () => {
    const { checks, notSelected } = selectChecks(ALL_CHECKS, ['10'], ['10/max-hot']);
    expect(checks.length + notSelected.length).toBe(ALL_CHECKS.length);
    const reasons = new Map(notSelected.map(({ check, reason }) => [check.id, reason]));
    expect(reasons.get('10/max-hot')).toBe('skipped by --skip 10/max-hot');
    expect(reasons.get('6.2/hello-ack')).toBe('not selected by --only 10');
    expect(reasons.has('10/promote')).toBe(false);
  });

  it('selects everything without --only', () => {
    expect(selectChecks(ALL_CHECKS, [], []).checks).toHaveLength(ALL_CHECKS.length);
  });
});
