/**
 * What the compare, baseline and merge commands touch outside themselves (output streams, environment, exit code),
 * so tests can run them in-process; and the mapping of their failures to exit codes.
 */
import { reportCommandError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { ResultFormatError } from '../report/summary-json.js';
import { CompareInputError } from './errors.js';

/** Streams, environment and exit code of a command. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  setExitCode(code: ExitCode): void;
}

/** The real process. */
export function processIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** Writes the error on one line and returns its exit code: bad input (budgets, files, summaries) is 2. */
export function reportCompareError(error: unknown, io: CommandIo): ExitCode {
  if (error instanceof CompareInputError || error instanceof ResultFormatError) {
    io.stderr.write(`garou-bench: ${error.message}\n`);
    return ExitCode.InvalidInput;
  }
  return reportCommandError(error, io.stderr);
}
