/**
 * Falsification (room isolation and declared error codes): each check fails against a reference server that leaks
 * room frames to non-members, or answers violations with an undeclared error code, while an unrelated sanity check
 * still passes. One server per pair.
 */
import { describe, it } from 'vitest';
import { expectFalsified } from './falsification-runner.js';
import { DECLARED_ERROR_FALSIFICATIONS, ISOLATION_FALSIFICATIONS, pairs } from './falsification-table.js';

describe('conformance checks fail against broken servers (isolation, declared error codes)', () => {
  it.each(pairs([...ISOLATION_FALSIFICATIONS, ...DECLARED_ERROR_FALSIFICATIONS]))(
    '$check fails with fault $fault',
    async ({ check, fault, evidence }) => {
      await expectFalsified(check, fault, evidence);
    },
  );
});
