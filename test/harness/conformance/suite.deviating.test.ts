/**
 * Against a server that deviates in several ways at once (a missing HelloAck field, a wrong error code, a
 * connection closed on a bad frame, no promotion, no RoomUserJoined, a wrong nonce), the suite runs to the end
 * without crashing or hanging, reports each deviation as a failure of the right check, and exits 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import { runCli } from './cli-harness.js';
import { startTestServer, type TestServer } from './conformance-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer([
    'hello-ack-missing-field',
    'wrong-error-code',
    'close-on-bad-frame',
    'never-promote',
    'no-join-notify',
    'wrong-nonce',
  ]);
});

afterAll(async () => {
  await server.stop();
});

describe('conformance suite against a deviating server', () => {
  it('completes, fails the deviating checks only where expected, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'garou-conformance-deviating-'));
    try {
      const json = join(dir, 'result.json');
      const args = [
        'conformance',
        '--target',
        `127.0.0.1:${server.address.port}`,
        '--timeout',
        // Generous: under the coverage run on 2 busy cores, 1.5 s once failed 6.3/auth-failed's AuthFailed wait.
        '3000',
        '--settle',
        '150',
      ];
      const run = await runCli([...args, '--hostile-runs', '4', '--json', json]);
      expect(run.code).toBe(1);
      const result = JSON.parse(readFileSync(json, 'utf8')) as SuiteResult;
      expect(result.checks.map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
      const status = new Map(result.checks.map((c) => [c.id, c.status]));
      for (const id of [
        '6.2/hello-ack',
        '6.5/bad-header-first',
        '14/invalid-payload/control',
        '14/unknown-type/chat-commands',
        '14/invalid-payload/acks',
        '10/promote',
        '7/join-existing',
        '8/message-ack/nonce',
      ])
        expect(status.get(id), id).toBe('fail');
      // Checks that need a promotion are skipped, never passed.
      for (const id of ['10/promote-order', '10/demote', '8/exactly-once'])
        expect(status.get(id), id).toBe('skip');
      // Unrelated checks still pass: one broken feature does not take the rest down.
      const byId = new Map(result.checks.map((c) => [c.id, c]));
      for (const id of ['12/pong-echo', '6.3/auth-failed', '8/edit', '9/mapping', '11/typing-relay'])
        expect(status.get(id), `${id}: ${byId.get(id)?.actual ?? ''}`).toBe('pass');
      expect(run.stdout).toMatch(
        new RegExp(
          `^${result.summary.passed} passed, ${result.summary.failed} failed, ${result.summary.skipped} skipped$`,
          'm',
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
