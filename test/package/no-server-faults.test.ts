/**
 * The shipped server carries no fault injection (issue 18): the npm package holds no fault module and no code that
 * mentions one, and the built `garou-server` ignores GAROU_SERVER_FAULTS. The deliberately broken servers of the
 * falsification tests live in test/support/server-faults/ and reach the server only through its composition seams;
 * the test-only faulty-server entry point, given the same environment, shows that the faults named here do break
 * the checks (so the shipped server passing them is not a test that cannot fail).
 *
 * Reads the dist/ that `npm ci` built (prepare), like package-bins.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EmbeddedServer, type ServerEntry } from '../../harness/runner/embedded-server.js';
import type { ServerOptions } from '../../harness/scenario/types.js';
import { runChecks, verdictOf } from '../harness/conformance/conformance-server.js';
import { FAULTY_SERVER_ENTRY } from '../support/server-faults/faulty-server-entry.js';
import { FAULTS_ENV_VAR, type FaultName } from '../support/server-faults/faults.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const SHIPPED_SERVER: ServerEntry = { path: join(ROOT, 'dist/reference-server/cli.js'), execArgv: [] };

/** Handshake faults and the check each one breaks. */
const HANDSHAKE_FAULTS: Record<string, FaultName> = {
  '2/alpn': 'no-alpn-check',
  '6.2/hello-ack': 'hello-ack-missing-field',
};

const SERVER_OPTIONS: ServerOptions = {
  numShards: 8,
  hotRooms: { promoteRate: 100, demoteRate: 20, coolDownMs: 60_000, rateWindowMs: 10_000, maxHotRooms: 10 },
};

/** What `npm pack` would put in the tarball (paths relative to the package root). */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    timeout: 60_000,
  });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return pack.files.map((file) => file.path);
}

/** The verdicts of the handshake checks against `entry` started with GAROU_SERVER_FAULTS naming their faults. */
async function handshakeVerdicts(entry: ServerEntry): Promise<Record<string, string>> {
  const previous = process.env[FAULTS_ENV_VAR];
  // The server is a child process: it inherits the environment at spawn time.
  process.env[FAULTS_ENV_VAR] = Object.values(HANDSHAKE_FAULTS).join(',');
  let server: EmbeddedServer;
  try {
    server = await EmbeddedServer.start(SERVER_OPTIONS, { entry });
  } finally {
    if (previous === undefined) delete process.env[FAULTS_ENV_VAR];
    else process.env[FAULTS_ENV_VAR] = previous;
  }
  try {
    const checks = Object.keys(HANDSHAKE_FAULTS);
    const result = await runChecks({ host: server.host, port: server.port }, checks);
    return Object.fromEntries(checks.map((check) => [check, verdictOf(result, check)]));
  } finally {
    await server.stop();
  }
}

describe('the shipped server has no fault injection', () => {
  it('npm pack lists the built server but no fault module, and no packed file mentions the fault variable', async () => {
    expect(existsSync(SHIPPED_SERVER.path), 'dist/ is built by npm ci (prepare)').toBe(true);
    const files = await packedFiles();
    expect(files).toEqual(
      expect.arrayContaining(['dist/reference-server/server.js', 'dist/reference-server/cli.js']),
    );
    expect(files.filter((path) => /fault/i.test(path))).toEqual([]);
    const mentions: string[] = [];
    for (const path of files.filter((p) => p.endsWith('.js'))) {
      const text = await readFile(join(ROOT, path), 'utf8');
      if (text.includes(FAULTS_ENV_VAR) || text.includes('FaultInjector')) mentions.push(path);
    }
    expect(mentions).toEqual([]);
  });

  it('garou-server ignores GAROU_SERVER_FAULTS, which breaks the handshake of the test-only faulty server', async () => {
    const shipped = await handshakeVerdicts(SHIPPED_SERVER);
    expect(shipped).toEqual({ '2/alpn': 'pass', '6.2/hello-ack': 'pass' });
    const faulty = await handshakeVerdicts(FAULTY_SERVER_ENTRY);
    expect(faulty['2/alpn']).toMatch(/^fail: .*handshake completed/);
    expect(faulty['6.2/hello-ack']).toMatch(/^fail: .*session_id: missing/);
  }, 60_000);
});
