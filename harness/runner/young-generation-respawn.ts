/**
 * The young-generation flag for a CLI started as `node dist/harness/cli.js`: node skips the `#!` line that passes
 * it, so the in-process load worker would run with 16 MiB semi-spaces and pause for the long scavenges
 * young-generation.ts describes. Such a process runs its script again in a child with the flag, once (an
 * environment variable marks the child), and leaves with the child's exit code or signal. A semi-space size of the
 * user's own (node's arguments, NODE_OPTIONS) is kept and needs no child.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../exit-codes.js';
import { withYoungGenerationFlag } from './young-generation.js';

/**
 * Whether node was started with the module at `moduleUrl` (its `import.meta.url`), not when a test or another
 * module imports it: only an entry point respawns.
 */
export function isEntryPoint(moduleUrl: string, script: string | undefined = process.argv[1]): boolean {
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

/** Set in the child's environment: a process that has it never respawns. */
export const RESPAWNED_ENV = 'GAROU_BENCH_RESPAWNED';

/**
 * A SIGINT the parent gets is passed on only if the child still runs this long after: Ctrl-C reaches the whole
 * foreground process group, the child included, and a second SIGINT would cut the child's own handling short; a
 * SIGINT sent to the parent's pid alone still reaches the child.
 */
const SIGINT_FORWARD_DELAY_MS = 250;

/**
 * node's arguments (flags, script, the script's arguments) to run this process again with the young-generation
 * flag, or null when it needs no respawn: it has a semi-space size (its own or NODE_OPTIONS') or is the child.
 */
export function respawnArguments(
  execArgv: readonly string[],
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): string[] | null {
  if (env[RESPAWNED_ENV] !== undefined) return null;
  const flagged = withYoungGenerationFlag(execArgv, execArgv, env.NODE_OPTIONS ?? '');
  if (flagged.length === execArgv.length) return null;
  return [...flagged, ...argv.slice(1)];
}

/**
 * Runs this process's script again in a child with the young-generation flag when it needs one (see
 * respawnArguments); resolves once the child ended, with process.exitCode set to its code (a child killed by a
 * signal kills this process with the same signal). Null when no respawn is needed: the caller runs as usual.
 */
export function respawnWithYoungGenerationFlag(): Promise<void> | null {
  if (process.env[RESPAWNED_ENV] !== undefined) endWithParent();
  const args = respawnArguments(process.execArgv, process.argv, process.env);
  if (args === null) return null;
  const child = spawn(process.execPath, args, {
    // The IPC channel is only a lifeline: see endWithParent.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RESPAWNED_ENV]: '1' },
  });
  const forward = (signal: NodeJS.Signals): void => {
    if (signal !== 'SIGINT') child.kill(signal);
    else setTimeout(() => child.exitCode === null && child.kill('SIGINT'), SIGINT_FORWARD_DELAY_MS).unref();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(
        `garou-bench: could not restart node with the young-generation flag: ${error.message}\n`,
      );
      process.exitCode = ExitCode.InternalError;
    });
    child.once('close', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal !== null) process.kill(process.pid, signal);
      else process.exitCode = code ?? ExitCode.InternalError;
      resolve();
    });
  });
}

/**
 * In the child: when the parent dies without passing a signal on (SIGKILL, a crash), its end of the IPC channel
 * closes and the child stops as on SIGTERM (a server says Goodbye, a run stops and reports) instead of living on
 * unseen. The channel does not keep the child alive.
 */
function endWithParent(): void {
  const channel = process.channel;
  if (channel === undefined) return;
  channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
