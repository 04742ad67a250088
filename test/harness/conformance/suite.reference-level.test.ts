/**
 * Against a server that breaks only a reference-level rule (a kicked member gets RoomClose "left" instead of
 * "kicked": 7/kick is our decision), the whole suite fails the kick checks at reference level and no
 * protocol-level check; the default verdict counts protocol-level checks only and exits 0, --strict counts both
 * and exits 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import { runCli } from './cli-harness.js';
import { startTestServer, type TestServer } from './conformance-server.js';

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer(['kick-reason-left']);
  dir = mkdtempSync(join(tmpdir(), 'garou-conformance-reference-level-'));
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function suite(extra: string[]): Promise<{ code: number | null; stdout: string; result: SuiteResult }> {
  const json = join(dir, `result${extra.join('')}.json`);
  const target = `127.0.0.1:${server.address.port}`;
  const args = ['conformance', '--target', target, '--timeout', '1500', '--settle', '150'];
  const run = await runCli([...args, '--hostile-runs', '4', '--json', json, ...extra]);
  return { ...run, result: JSON.parse(readFileSync(json, 'utf8')) as SuiteResult };
}

describe('conformance suite against a server breaking only a reference-level rule', () => {
  it('fails the kick checks at reference level only: exit 0 by default, 1 with --strict', async () => {
    const lenient = await suite([]);
    const failed = lenient.result.checks.filter((c) => c.status === 'fail');
    const failedIds = failed.map((c) => c.id);
    // 7/set-role verifies the new role by a kick, so the wrong RoomClose reason breaks it too.
    expect(failedIds, JSON.stringify(failed, null, 2)).toEqual(
      expect.arrayContaining(['7/kick', '7/set-role']),
    );
    for (const check of failed) expect(check.level, check.id).toBe('reference');
    expect(lenient.result.levels.protocol.failed).toBe(0);
    expect(lenient.result.levels.reference.failed).toBe(failed.length);
    expect(lenient.result).toMatchObject({ strict: false, verdict: 'pass' });
    expect(lenient.stdout).toContain('verdict: PASS');
    expect(lenient.code).toBe(0);

    const strict = await suite(['--strict']);
    expect(strict.result.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(
      expect.arrayContaining(['7/kick', '7/set-role']),
    );
    expect(strict.result.levels.protocol.failed).toBe(0);
    expect(strict.result).toMatchObject({ strict: true, verdict: 'fail' });
    expect(strict.stdout).toContain('verdict: FAIL');
    expect(strict.code).toBe(1);
  }, 300_000);
});
