/**
 * The split of section 14: a server that answers violations with another declared code, or with another fate,
 * fails the reference-level checks of the exact code and fate but passes their protocol-level halves
 * (14/declared-error/...); a server that answers with an undeclared code fails both.
 */
import { describe, expect, it } from 'vitest';
import type { FaultName } from '../../support/server-faults/faults.js';
import { runChecks, startTestServer } from './conformance-server.js';

const PAIRS = [
  '14/unknown-type/acks',
  '14/declared-error/unknown-type/acks',
  '14/invalid-payload/control',
  '14/declared-error/invalid-payload/control',
  '14/unknown-type/chat-commands',
  '14/declared-error/unknown-type/chat-commands',
];

async function verdicts(fault: FaultName): Promise<Record<string, string>> {
  const server = await startTestServer([fault]);
  try {
    const result = await runChecks(server.address, PAIRS);
    return Object.fromEntries(result.checks.map((c) => [c.id, `${c.status} ${c.level}`]));
  } finally {
    await server.stop();
  }
}

describe('section 14: exact code and fate (reference) apart from a declared code (protocol)', () => {
  it.each<[FaultName, string]>([
    ['wrong-error-code', 'pass protocol'],
    ['close-on-bad-frame', 'pass protocol'],
    ['undeclared-error-code', 'fail protocol'],
  ])(
    'with %s: the reference checks fail, the protocol halves are "%s"',
    async (fault, protocolVerdict) => {
      const seen = await verdicts(fault);
      // close-on-bad-frame keeps the code: only the fate of the uni stream checks is wrong.
      const broken =
        fault === 'close-on-bad-frame'
          ? ['14/unknown-type/chat-commands']
          : PAIRS.filter((id) => !id.includes('declared-error'));
      for (const id of broken) expect(seen[id], id).toBe('fail reference');
      for (const id of PAIRS.filter((p) => p.includes('declared-error')))
        expect(seen[id], id).toBe(protocolVerdict);
    },
    60_000,
  );
});
