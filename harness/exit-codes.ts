/**
 * Process exit codes of `garou-bench`. Scripts and CI rely on these numbers: never renumber them.
 *
 * | code | meaning                                                              |
 * |------|----------------------------------------------------------------------|
 * | 0    | run completed; every threshold and expectation passed                 |
 * | 1    | run completed; at least one threshold or expectation failed           |
 * | 2    | invalid scenario file or command-line usage (nothing was run)         |
 * | 3    | target unreachable (connect/handshake to the server never succeeded)  |
 * | 4    | internal error of the harness itself (a bug: please report it)        |
 * | 5    | run inconclusive: checks failed only where the load generator itself   |
 * |      | was unhealthy (saturated event loop, CPU, machine; see run-verdict.ts) |
 */
export const ExitCode = {
  /** Run completed and every threshold and expectation passed. */
  Ok: 0,
  /** Run completed but at least one threshold or expectation failed. */
  ChecksFailed: 1,
  /** The scenario file or the command line is invalid; nothing was run. */
  InvalidInput: 2,
  /** The target server could not be reached (no client completed the handshake). */
  TargetUnreachable: 3,
  /** The harness itself failed unexpectedly. */
  InternalError: 4,
  /** Checks failed only where the load generator was unhealthy: the run says nothing about the server. */
  Inconclusive: 5,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Human-readable meaning of an exit code, for `--help` text and logs. */
export function describeExitCode(code: ExitCode): string {
  switch (code) {
    case ExitCode.Ok:
      return 'ok: all thresholds and expectations passed';
    case ExitCode.ChecksFailed:
      return 'thresholds or expectations failed';
    case ExitCode.InvalidInput:
      return 'invalid scenario or usage';
    case ExitCode.TargetUnreachable:
      return 'target unreachable';
    case ExitCode.InternalError:
      return 'internal error';
    case ExitCode.Inconclusive:
      return 'inconclusive: checks failed only where the load generator itself was saturated';
  }
}
