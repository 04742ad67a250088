/**
 * The command line: --list, usage errors (exit 2), an unreachable target (exit 3).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import { runCli } from './cli-harness.js';

describe('garou-bench conformance (command line)', () => {
  it('--list prints every check id and description and exits 0 without a target', async () => {
    const run = await runCli(['conformance', '--list']);
    expect(run.code).toBe(0);
    for (const check of ALL_CHECKS) expect(run.stdout).toContain(`${check.id}`);
    expect(run.stdout).toContain(ALL_CHECKS[0]!.title);
  });

  it('--list honours --only', async () => {
    const run = await runCli(['conformance', '--list', '--only', '10']);
    expect(run.stdout).toContain('10/promote');
    expect(run.stdout).not.toContain('6.2/hello-ack');
  });

  it('counts and shows checks left out by --only and --skip as skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'garou-conformance-flags-'));
    try {
      const json = join(dir, 'result.json');
      const run = await runCli([
        'conformance',
        '--only',
        '12',
        '--skip',
        '12/goodbye-client',
        '--json',
        json,
      ]);
      expect(run.code).toBe(0);
      const result = JSON.parse(readFileSync(json, 'utf8')) as SuiteResult;
      expect(result.checks).toHaveLength(ALL_CHECKS.length);
      const ran = result.checks.filter((c) => !c.notSelected);
      expect(ran.map((c) => [c.id, c.status])).toEqual([['12/pong-echo', 'pass']]);
      expect(result.summary).toEqual({ passed: 1, failed: 0, skipped: ALL_CHECKS.length - 1 });
      const goodbye = result.checks.find((c) => c.id === '12/goodbye-client');
      expect(goodbye).toMatchObject({ status: 'skip', reason: 'skipped by --skip 12/goodbye-client' });
      expect(run.stdout).toContain('SKIP 12/goodbye-client [protocol]  skipped by --skip 12/goodbye-client');
      expect(run.stdout).toContain(`1 passed, 0 failed, ${ALL_CHECKS.length - 1} skipped`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each([
    [['conformance', '--no-such-flag']],
    [['conformance', '--timeout', 'soon']],
    [['conformance', '--target', 'nowhere', '--list']],
    [['conformance', '--target', 'localhost:99999']],
    [['conformance', '--only', '99/nothing']],
  ])('usage error %j exits 2', async (args) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(/passed, \d+ failed/);
  });

  it('exits 3 when the target never completes a handshake', async () => {
    // A UDP socket that never answers: the QUIC handshake times out.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const port = silent.address().port;
      const run = await runCli(['conformance', '--target', `127.0.0.1:${port}`, '--timeout', '400']);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/unreachable/);
    } finally {
      silent.close();
    }
  });
});
