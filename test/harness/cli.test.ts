/**
 * The garou-bench command line as a user runs it: exit codes, messages without stack traces, a two-worker run
 * whose merged figures equal what the clients recorded.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../harness/metrics/run-result.js';

const CLI = join(import.meta.dirname, '../../harness/cli.ts');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`garou-bench ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A UDP port nobody listens on: bound, then released. */
async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const TINY = (name: string, extra = '') => `name: ${name}
seed: 8
clients: { count: 8, connect_rate: 200, username: "cli-{i}" }
rooms:
  - { name: room, id: 700, members: all }
message_size: { fixed: 30 }
phases:
  - { name: chat, duration: 2s, rate: { per_room: 6 } }
correctness: { grace: 500ms }
thresholds:
  - loss == 0
${extra}`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('garou-bench CLI', () => {
  it('rejects an invalid scenario with exit 2 and file:line, no stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nclients:\n  count: -5\nphases: []\n');
    const run = await cli(['run', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3:`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate: 0 for valid files, 2 with positions for invalid ones', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad2.yaml');
    await writeFile(good, TINY('good'));
    await writeFile(bad, 'name: x\nclients: { count: 2 }\nphases:\n  - { name: p, duration: soon }\n');
    const ok = await cli(['validate', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ok ');
    const invalid = await cli(['validate', good, bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${bad}:4:`);
  });

  it('maps usage errors to exit 2 and shows help with exit 0', async () => {
    const file = join(dir, 'usage.yaml');
    await writeFile(file, TINY('usage'));
    expect((await cli(['run', file, '--workers', '0'])).code).toBe(2);
    expect((await cli(['run', file, '--target', 'nowhere'])).code).toBe(2);
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });

  it('exits 3 within the connect timeout when the target is unreachable', async () => {
    const file = join(dir, 'unreachable.yaml');
    await writeFile(file, TINY('unreachable'));
    const port = await closedUdpPort();
    const run = await cli([
      'run',
      file,
      '--target',
      `127.0.0.1:${port}`,
      '--connect-timeout',
      '1s',
      '--quiet',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // The cause of the quick failure: the probe gave up after the --connect-timeout it was given (not a default).
    expect(run.stderr).toMatch(
      new RegExp(
        `target 127\\.0\\.0\\.1:${port} unreachable: no QUIC handshake( and HelloAck)? within 1000 ms`,
      ),
    );
  });

  it('merges two workers exactly and fails an impossible threshold with exit 1', async () => {
    const file = join(dir, 'workers.yaml');
    await writeFile(file, TINY('workers', '  - sent > 1000000\n'));
    const run = await cli([
      'run',
      file,
      '--workers',
      '2',
      '--json',
      '--quiet',
      '--out',
      join(dir, 'reports'),
    ]);
    const result = JSON.parse(run.stdout) as RunResult;
    // A failed throughput threshold: FAIL (1), or INCONCLUSIVE (5) when the machine running the tests starved us.
    expect(run.code).toBe(result.verdict?.status === 'INCONCLUSIVE' ? 5 : 1);
    expect(result.verdict?.status).not.toBe('PASS');
    expect(result.workers).toBe(2);
    expect(result.counters.connects).toBe(8);
    expect(result.counters.sent).toBeGreaterThan(3);
    expect(result.counters.delivered).toBe(result.counters.sent * 8);
    expect(result.correctness.total).toMatchObject({
      expected: result.counters.sent * 8,
      seen: result.counters.sent * 8,
      loss: 0,
      duplicates: 0,
    });
    // The merged deliver histogram holds every delivery of both workers.
    expect(result.latency.deliver.count).toBe(result.counters.delivered);
    expect(result.thresholds.map((t) => [t.expression, t.passed])).toEqual([
      ['loss == 0', true],
      ['sent > 1000000', false],
    ]);
    const written = JSON.parse(
      await readFile(join(run.stderr.match(/report: (.+)\n/)![1]!, 'summary.json'), 'utf8'),
    );
    expect(written.counters).toEqual(result.counters);
  });
});
