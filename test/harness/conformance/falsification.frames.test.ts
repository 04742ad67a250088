/**
 * Falsification (frames): each check fails against a reference server broken in the way the check guards
 * against (test/support/server-faults/faults.ts), while an unrelated sanity check still passes. One server per
 * pair.
 */
import { describe, it } from 'vitest';
import { expectFalsified } from './falsification-runner.js';
import { FRAME_FALSIFICATIONS, pairs } from './falsification-table.js';

describe('conformance checks fail against broken servers (frames)', () => {
  it.each(pairs(FRAME_FALSIFICATIONS))(
    '$check fails with fault $fault',
    async ({ check, fault, evidence }) => {
      await expectFalsified(check, fault, evidence);
    },
  );
});
