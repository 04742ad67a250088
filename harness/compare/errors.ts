/**
 * Errors of the compare, baseline and merge commands that come from the user's input (a bad budget, a missing
 * run folder, results that cannot be merged): the CLI prints their message on one line and exits with 2.
 */

/** A problem with what the user asked for; `garou-bench` exits with code 2 (invalid input). */
export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareInputError';
  }
}
