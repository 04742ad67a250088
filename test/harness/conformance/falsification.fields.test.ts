/**
 * Field-level falsification with precision: against a reference server that sends the right frame with one wrong
 * field (or the right Error with the wrong stream fate), exactly the checks the table names fail, every other
 * check of the row's scope passes, and each failure reports the wrong value the server sent. A check that only
 * waited for a frame type would pass here. One server per fault; the table (ALL_FIELD_FALSIFICATIONS) drives it.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import { FAULT_NAMES } from '../../support/server-faults/faults.js';
import { runChecks, startTestServer } from './conformance-server.js';
import { serverPartOf } from './falsification-runner.js';
import { ALL_FIELD_FALSIFICATIONS, FALSIFICATIONS, NO_FIELD_FAULT } from './falsification-table.js';

/** Ids of the checks that did not pass, with what they saw the server do. */
function failures(result: SuiteResult): Map<string, string> {
  return new Map(
    result.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, serverPartOf(result, c.id)]),
  );
}

describe('field-level falsification table', () => {
  it('names known faults once each, and only checks of their scope', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    const faults = ALL_FIELD_FALSIFICATIONS.map((row) => row.fault);
    expect(new Set(faults).size).toBe(faults.length);
    for (const row of ALL_FIELD_FALSIFICATIONS) {
      expect(FAULT_NAMES, row.fault).toContain(row.fault);
      for (const check of row.scope) expect(ids.has(check), `${row.fault}: scope check ${check}`).toBe(true);
      const fails = Object.keys(row.fails);
      for (const check of fails) expect(row.scope, `${row.fault}: failing check ${check}`).toContain(check);
      expect(fails.length, row.fault).toBeGreaterThan(0);
    }
    const covered = new Set(ALL_FIELD_FALSIFICATIONS.flatMap((row) => Object.keys(row.fails)));
    console.log(`${covered.size} of ${ALL_CHECKS.length} checks are falsified by a field-level fault`);
  });

  it('covers every check, or says why no field fault applies and names the fault of the right kind', () => {
    const covered = new Set(ALL_FIELD_FALSIFICATIONS.flatMap((row) => Object.keys(row.fails)));
    for (const check of ALL_CHECKS) {
      const exempt = NO_FIELD_FAULT[check.id];
      expect(
        covered.has(check.id) !== (exempt !== undefined),
        `${check.id}: a field row or a reason, not both`,
      ).toBe(true);
      if (exempt === undefined) continue;
      const row = FALSIFICATIONS.find((r) => r.check === check.id);
      expect(row?.faults, `${check.id}: ${exempt.fault} falsifies it`).toContain(exempt.fault);
    }
    expect(Object.keys(NO_FIELD_FAULT).filter((id) => !ALL_CHECKS.some((c) => c.id === id))).toEqual([]);
  });
});

describe.concurrent('conformance checks fail exactly where a field is wrong', () => {
  it.each(ALL_FIELD_FALSIFICATIONS.map((row) => ({ ...row, checks: Object.keys(row.fails) })))(
    '$fault fails exactly $checks',
    async ({ fault, scope, fails, checks }) => {
      const server = await startTestServer([fault]);
      try {
        const failed = failures(await runChecks(server.address, scope));
        // A check that should pass but failed, or failed for another reason than the wrong value, is run once
        // more on its own: a loaded machine can time a check out (even its handshake), while a precision error
        // (the fault breaking a check it should not) or a check blind to the field gives the same verdict again.
        const unexpected = [...failed].filter(
          ([id, actual]) => !checks.includes(id) || !fails[id]!.test(actual),
        );
        if (unexpected.length > 0) {
          const ids = unexpected.map(([id]) => id);
          const again = failures(await runChecks(server.address, ids));
          for (const id of ids) {
            const actual = again.get(id);
            if (actual === undefined) failed.delete(id);
            else failed.set(id, actual);
          }
        }
        expect([...failed.keys()].sort(), `checks failed by ${fault}`).toEqual([...checks].sort());
        for (const [check, actual] of failed)
          expect(actual, `${check} against ${fault} reports the wrong value`).toMatch(fails[check]!);
      } finally {
        await server.stop();
      }
    },
    180_000,
  );
});
