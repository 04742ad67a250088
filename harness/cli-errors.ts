/**
 * Turning failures of a command into one clear line on stderr and an exit code (harness/exit-codes.ts):
 * user mistakes never print a stack trace; internal errors do only with GAROU_BENCH_DEBUG=1.
 */
import { ExitCode } from './exit-codes.js';
import { RunError } from './runner/run-error.js';
import { ScenarioError } from './scenario/scenario-error.js';

/** Writes the error to `stderr` and returns the exit code it maps to. */
export function reportCommandError(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): ExitCode {
  if (error instanceof ScenarioError) {
    stderr.write(`garou-bench: invalid scenario\n${error.message}\n`);
    return ExitCode.InvalidInput;
  }
  if (error instanceof RunError) {
    stderr.write(`garou-bench: ${error.message}\n`);
    return error.exitCode;
  }
  const detail =
    error instanceof Error
      ? process.env.GAROU_BENCH_DEBUG
        ? (error.stack ?? error.message)
        : error.message
      : String(error);
  stderr.write(
    `garou-bench: internal error: ${detail}\n(set GAROU_BENCH_DEBUG=1 for a stack trace; please report this)\n`,
  );
  return ExitCode.InternalError;
}
