/**
 * The package as users install it: `npm pack`, `npm install -g` of the tarball into a clean prefix, then both
 * binaries run from there (version, validate, a 4-second load run against the embedded server). Catches a runtime
 * import of a devDependency, a file missing from `files`, or a bin that is not executable.
 *
 * The tarball is packed from the dist/ that `npm ci` built (prepare), with --ignore-scripts: rebuilding here
 * would rewrite dist/ under the other test files that run the built binaries at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir = '';
let bin = (name: string): string => name;
let installed = '';

/** Runs a command of the installed package; never throws, so the test can show what it printed. */
async function installedCommand(name: string, args: string[], timeout = 60_000) {
  try {
    const { stdout, stderr } = await run(bin(name), args, { cwd: dir, timeout });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the packed package, installed globally into a clean prefix', () => {
  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'dist/harness/cli.js')), 'dist/ is built by npm ci (prepare)').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'garou-pack-'));
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, timeout: 60_000 });
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const prefix = join(dir, 'prefix');
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, tarball!)], {
      cwd: dir,
      timeout: 150_000,
      // A user's machine: no project .npmrc, no cache of this checkout's node_modules.
      env: { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' },
    });
    bin = (name) => join(prefix, 'bin', name);
    installed = join(prefix, 'lib/node_modules/garou-bench');
  }, 240_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships only what runs: dist JavaScript, scenarios, the spec, no sources or tests', async () => {
    const top = (await readdir(installed)).sort();
    expect(top).not.toContain('test');
    expect(top).not.toContain('harness');
    expect(top).not.toContain('bench');
    expect(top).toEqual(expect.arrayContaining(['dist', 'scenarios', 'package.json', 'README.md']));
    expect((await readdir(join(installed, 'dist'))).sort()).not.toContain('test');
  });

  it('garou-bench --version and garou-server --version print the package version', async () => {
    const bench = await installedCommand('garou-bench', ['--version']);
    expect(bench.stderr).toBe('');
    expect(bench.stdout.trim()).toBe(pkg.version);
    const server = await installedCommand('garou-server', ['--version']);
    expect(server.stderr).toBe('');
    expect(server.stdout.trim()).toBe(pkg.version);
  });

  it('the install built the batched UDP addon (native/, binding.gyp) and the installed transport picks it', async () => {
    expect(existsSync(join(installed, 'build/Release/garou_udp.node'))).toBe(true);
    const module = join(installed, 'dist/transport/udp-packet-io.js');
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', `console.log((await import(${JSON.stringify(module)})).resolveUdpIo())`],
      { env: { ...process.env, GAROU_UDP_IO: '' } },
    );
    expect(stdout.trim()).toBe('native');
  });

  it('garou-bench validate accepts the shipped scenarios', async () => {
    const scenarios = join(installed, 'scenarios');
    const files = (await readdir(scenarios)).filter((f) => f.endsWith('.yaml'));
    const result = await installedCommand('garou-bench', [
      'validate',
      ...files.map((f) => join(scenarios, f)),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ok /gm)).toHaveLength(files.length);
  });

  it('runs the 4-second ci-gate scenario against the embedded server and writes its report', async () => {
    const out = join(dir, 'reports');
    const result = await installedCommand(
      'garou-bench',
      ['run', join(installed, 'scenarios/ci-gate.yaml'), '--out', out, '--quiet'],
      90_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('PASSED');
    const [runDir] = await readdir(join(out, 'ci-gate'));
    const summary = JSON.parse(await readFile(join(out, 'ci-gate', runDir!, 'summary.json'), 'utf8')) as {
      tool: { version: string };
    };
    expect(summary.tool.version).toBe(pkg.version);
  }, 120_000);
});
