/** A run that cannot go on, with the exit code it maps to (harness/exit-codes.ts) and a message for the user. */
import type { ExitCode } from '../exit-codes.js';

/** An expected failure of a run: printed as one clear line, never as a stack trace. */
export class RunError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
