/**
 * Shared body of the falsification tests: one server per (check, fault) pair, running the sanity check first and
 * then the targeted check, which must fail for the right reason: its report of what the server did must show it.
 */
import { expect } from 'vitest';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import type { FaultName } from '../../support/server-faults/faults.js';
import { runChecks, startTestServer, verdictOf } from './conformance-server.js';
import { sanityCheckFor } from './falsification-table.js';

/** What a check that did not pass saw the server do ('pass' for a check that passed). */
export function serverPartOf(result: SuiteResult, id: string): string {
  const check = result.checks.find((c) => c.id === id);
  if (check === undefined || check.status === 'pass') return check?.status ?? 'missing';
  return check.actual ?? check.status;
}

/** Asserts that `check` fails against a server with `fault`, showing `evidence` in what it saw, while the sanity check passes. */
export async function expectFalsified(check: string, fault: FaultName, evidence: RegExp): Promise<void> {
  const server = await startTestServer([fault]);
  try {
    const sanity = sanityCheckFor(fault);
    const result = await runChecks(server.address, [sanity, check]);
    // Suite order may put the targeted check first; the sanity check is unrelated either way.
    expect(verdictOf(result, sanity), `sanity check ${sanity} against fault ${fault}`).toBe('pass');
    const verdict = verdictOf(result, check);
    expect(verdict, `${check} against fault ${fault}`).toMatch(/^fail: /);
    expect(
      serverPartOf(result, check),
      `${check} against fault ${fault} must report the wrong behaviour (${verdict})`,
    ).toMatch(evidence);
  } finally {
    await server.stop();
  }
}
