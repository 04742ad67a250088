/**
 * `garou-bench run --repeat N`: the same scenario (same seed, so the same plan) run N times in a row, one report
 * folder per run, so that `garou-bench compare` sees how much the figures move from run to run.
 */
import { ExitCode } from '../exit-codes.js';
import { runScenario, type RunOptions, type RunOutcome } from '../runner/coordinator.js';

/** Most repetitions `--repeat` accepts. */
export const MAX_REPEAT = 100;

/** Hooks of a repeated run. */
export interface RepeatHooks {
  /** Called after each run (`index` from 0) with its outcome, e.g. to print its verdict. */
  onRun?: (index: number, outcome: RunOutcome) => void;
  /** Runs a scenario; defaults to `runScenario` (tests and other drivers may substitute their own). */
  run?: (options: RunOptions) => Promise<RunOutcome>;
}

/** The outcomes of a repeated run. */
export interface RepeatedOutcome {
  outcomes: RunOutcome[];
  /** Ok when every run passed its checks, ChecksFailed otherwise. */
  exitCode: ExitCode;
}

/**
 * Runs the scenario `repeat` times with the same options, one after the other (runs never overlap: they would
 * disturb each other's figures). A run that throws (invalid scenario, unreachable target) stops the series.
 */
export async function runRepeated(
  options: RunOptions,
  repeat: number,
  hooks: RepeatHooks = {},
): Promise<RepeatedOutcome> {
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT)
    throw new RangeError(`--repeat must be an integer from 1 to ${MAX_REPEAT}, got ${repeat}`);
  const run = hooks.run ?? runScenario;
  const outcomes: RunOutcome[] = [];
  for (let i = 0; i < repeat; i++) {
    const outcome = await run(options);
    outcomes.push(outcome);
    hooks.onRun?.(i, outcome);
  }
  const exitCode = outcomes.some((o) => o.exitCode === ExitCode.ChecksFailed)
    ? ExitCode.ChecksFailed
    : outcomes.every((o) => o.exitCode === ExitCode.Ok)
      ? ExitCode.Ok
      : ExitCode.Inconclusive;
  return { outcomes, exitCode };
}
