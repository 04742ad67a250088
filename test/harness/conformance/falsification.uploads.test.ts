/**
 * Falsification (uploads): each check fails against a reference server broken in the way the check guards
 * against (test/support/server-faults/faults.ts), while an unrelated sanity check still passes. One server per
 * pair.
 */
import { describe, it } from 'vitest';
import { expectFalsified } from './falsification-runner.js';
import { UPLOAD_FALSIFICATIONS, pairs } from './falsification-table.js';

describe('conformance checks fail against broken servers (uploads)', () => {
  it.each(pairs(UPLOAD_FALSIFICATIONS))(
    '$check fails with fault $fault',
    async ({ check, fault, evidence }) => {
      await expectFalsified(check, fault, evidence);
    },
  );
});
