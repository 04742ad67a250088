/**
 * The CLI started as `node cli.js` (no `#!` line, so no semi-space flag) runs again in a child with the flag, once:
 * the child gets the same script arguments, its exit code or signal becomes the parent's, and a semi-space size of
 * the user's own needs no child.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_FLAG } from '../../../harness/runner/young-generation.js';
import { RESPAWNED_ENV, respawnArguments } from '../../../harness/runner/young-generation-respawn.js';

const SCRIPT = fileURLToPath(new URL('./respawn-report.ts', import.meta.url));

interface Report {
  execArgv: string[];
  args: string[];
  child: string | null;
  pid: number;
}

/** Runs the report script with `nodeFlags` and `args`; resolves with its report, exit code and signal. */
function runReport(
  nodeFlags: string[],
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onReport?: (pid: number) => void,
): Promise<{ report: Report | null; code: number | null; signal: NodeJS.Signals | null }> {
  const baseEnv = { ...process.env };
  delete baseEnv[RESPAWNED_ENV];
  delete baseEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeFlags, SCRIPT, ...args], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let reported = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (reported || !out.includes('\n')) return;
    reported = true;
    onReport?.(child.pid as number);
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const line = out.split('\n')[0] ?? '';
      resolve({ report: line === '' ? null : (JSON.parse(line) as Report), code, signal });
    });
  });
}

describe('respawnArguments', () => {
  it('adds the flag before the script and keeps node flags and script arguments', () => {
    expect(respawnArguments(['--import', 'tsx'], ['/usr/bin/node', 'cli.js', 'run', 'x.yaml'], {})).toEqual([
      '--import',
      'tsx',
      YOUNG_GENERATION_FLAG,
      'cli.js',
      'run',
      'x.yaml',
    ]);
  });

  it('needs no respawn with a semi-space size of its own or from NODE_OPTIONS, or in the child', () => {
    expect(respawnArguments(['--max-semi-space-size=16'], ['node', 'cli.js'], {})).toBeNull();
    expect(respawnArguments([], ['node', 'cli.js'], { NODE_OPTIONS: '--max-semi-space-size=8' })).toBeNull();
    expect(respawnArguments([], ['node', 'cli.js'], { [RESPAWNED_ENV]: '1' })).toBeNull();
  });
});

describe('respawnWithYoungGenerationFlag', { timeout: 20_000 }, () => {
  it('runs the script once more with the flag and the same arguments, and exits with its code', async () => {
    const { report, code } = await runReport([], ['7', 'x']);
    expect(report).toEqual({
      execArgv: ['--import', 'tsx', YOUNG_GENERATION_FLAG],
      args: ['7', 'x'],
      child: '1',
      pid: expect.any(Number),
    });
    expect(code).toBe(7);
  });

  it("keeps the user's own semi-space size without a child", async () => {
    const { report, code } = await runReport(['--max-semi-space-size=16'], ['0']);
    expect(report).toEqual({
      execArgv: ['--import', 'tsx', '--max-semi-space-size=16'],
      args: ['0'],
      child: null,
      pid: expect.any(Number),
    });
    expect(code).toBe(0);
    const viaEnv = await runReport([], ['0'], { NODE_OPTIONS: '--max-semi-space-size=4' });
    expect(viaEnv.report?.child).toBeNull();
  });

  it("passes SIGTERM on to the child and dies of the child's signal", async () => {
    const { report, signal } = await runReport([], ['wait'], {}, (pid) => process.kill(pid, 'SIGTERM'));
    expect(report?.child).toBe('1');
    expect(signal).toBe('SIGTERM');
  });

  it('ends the child when the parent is killed without passing a signal on', async () => {
    let parent = 0;
    const { report, signal } = await runReport([], ['wait'], {}, (pid) => {
      parent = pid;
      process.kill(pid, 'SIGKILL');
    });
    expect(parent).toBeGreaterThan(0);
    expect(signal).toBe('SIGKILL');
    const child = report?.pid ?? 0;
    expect(child).not.toBe(parent);
    // Gone, or a zombie nobody has reaped yet (a container's init may not): not running on with 'wait'.
    const running = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(false);
  });
});
