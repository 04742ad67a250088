/**
 * The falsification table is complete: every check has at least one fault that must break it, every fault named
 * exists, and every fault of test/support/server-faults/faults.ts falsifies some check.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import { FAULT_NAMES } from '../../support/server-faults/faults.js';
import {
  FALSIFICATIONS,
  FALLBACK_SANITY_CHECK,
  ALL_FIELD_FALSIFICATIONS,
  SANITY_CHECK,
} from './falsification-table.js';

/** Faults that break performance, not the protocol (used by the load-test gate's tests, not here). */
const NON_CONFORMANCE_FAULTS = ['slow-fanout', 'late-fanout'];

describe('falsification table', () => {
  it('lists every check exactly once, with at least one fault', () => {
    const listed = FALSIFICATIONS.map((row) => row.check);
    expect([...listed].sort()).toEqual(ALL_CHECKS.map((c) => c.id).sort());
    for (const row of FALSIFICATIONS) expect(row.faults.length, row.check).toBeGreaterThan(0);
  });

  it('uses every conformance fault of the reference server, and only known faults', () => {
    const used = new Set<string>(FALSIFICATIONS.flatMap((row) => row.faults));
    for (const row of ALL_FIELD_FALSIFICATIONS) used.add(row.fault);
    for (const fault of used) expect(FAULT_NAMES).toContain(fault);
    const unused = FAULT_NAMES.filter((fault) => !used.has(fault));
    expect(unused.sort()).toEqual([...NON_CONFORMANCE_FAULTS].sort());
  });

  it('pairs each fault with sanity checks that exist', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    expect(ids.has(SANITY_CHECK)).toBe(true);
    expect(ids.has(FALLBACK_SANITY_CHECK)).toBe(true);
  });
});

describe('check ids', () => {
  it('are unique and each starts with a rule id it cites', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of ALL_CHECKS) {
      expect(check.rules.length, check.id).toBeGreaterThan(0);
      expect(check.id === check.rules[0] || check.id.startsWith(`${check.rules[0]}/`), check.id).toBe(true);
    }
  });
});
