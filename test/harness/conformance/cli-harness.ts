/**
 * Runs `garou-bench conformance ...` in-process through commander, capturing output and the exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerConformanceCommand } from '../../../harness/cli-conformance.js';

/** What an invocation printed and returned. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses `args` (after `garou-bench`) with the conformance command registered. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let code: number | null = null;
  const program = new Command('garou-bench').exitOverride();
  registerConformanceCommand(program, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    setExitCode: (value) => {
      code = value;
    },
  });
  try {
    await program.parseAsync(['node', 'garou-bench', ...args]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { code, stdout, stderr };
}
