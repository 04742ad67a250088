/**
 * Shared body of the falsification tests: one server per (check, fault) pair, running the sanity check first and
 * then the targeted check, which must fail.
 */
import { expect } from 'vitest';
import type { FaultName } from '../../support/server-faults/faults.js';
import { runChecks, startTestServer, verdictOf } from './conformance-server.js';
import { sanityCheckFor } from './falsification-table.js';

/** Asserts that `check` fails (mentioning `evidence`) against a server with `fault`, while the sanity check passes. */
export async function expectFalsified(check: string, fault: FaultName, evidence: RegExp): Promise<void> {
  const server = await startTestServer([fault]);
  try {
    const sanity = sanityCheckFor(fault);
    const result = await runChecks(server.address, [sanity, check]);
    // Suite order may put the targeted check first; the sanity check is unrelated either way.
    expect(verdictOf(result, sanity), `sanity check ${sanity} against fault ${fault}`).toBe('pass');
    const verdict = verdictOf(result, check);
    expect(verdict, `${check} against fault ${fault}`).toMatch(/^fail: /);
    expect(verdict, `${check} against fault ${fault} must fail for the right reason`).toMatch(evidence);
  } finally {
    await server.stop();
  }
}
