import { describe, expect, it } from 'vitest';
import { runRepeated } from '../../../harness/compare/repeat-runs.js';
import { ExitCode } from '../../../harness/exit-codes.js';
import type { RunOptions, RunOutcome } from '../../../harness/runner/coordinator.js';
import { syntheticRun } from './synthetic-runs.js';

/** A run driver that records its calls, never overlapping, and passes or fails as told. */
function recordingDriver(verdicts: boolean[]) {
  const calls: RunOptions[] = [];
  let active = 0;
  const run = async (options: RunOptions): Promise<RunOutcome> => {
    active++;
    if (active > 1) throw new Error('runs overlap');
    calls.push(options);
    await new Promise((resolve) => setTimeout(resolve, 5));
    active--;
    const passed = verdicts[calls.length - 1] ?? true;
    return {
      exitCode: passed ? ExitCode.Ok : ExitCode.ChecksFailed,
      result: { ...syntheticRun({ seed: calls.length }), passed },
      report: { dir: `reports/x/${calls.length}`, summaryJson: '', html: '', hgrm: {} },
    };
  };
  return { calls, run };
}

describe('runRepeated', () => {
  const options: RunOptions = { scenarioFile: 'scenarios/ci-gate.yaml', outDir: 'reports/current' };

  it('runs the scenario N times in a row with the same options and reports each run', async () => {
    const driver = recordingDriver([true, true, true]);
    const seen: number[] = [];
    const outcome = await runRepeated(options, 3, { run: driver.run, onRun: (i) => seen.push(i) });
    expect(driver.calls).toEqual([options, options, options]);
    expect(seen).toEqual([0, 1, 2]);
    expect(outcome.outcomes.map((o) => o.report.dir)).toEqual(['reports/x/1', 'reports/x/2', 'reports/x/3']);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
  });

  it('exits with ChecksFailed when any run failed its checks', async () => {
    const driver = recordingDriver([true, false, true]);
    expect((await runRepeated(options, 3, { run: driver.run })).exitCode).toBe(ExitCode.ChecksFailed);
  });

  it('stops at a run that throws', async () => {
    let calls = 0;
    const run = async (): Promise<RunOutcome> => {
      calls++;
      throw new Error('target unreachable');
    };
    await expect(runRepeated(options, 4, { run })).rejects.toThrow('target unreachable');
    expect(calls).toBe(1);
  });

  it('rejects a repeat count out of range', async () => {
    await expect(runRepeated(options, 0)).rejects.toThrow('--repeat must be an integer from 1 to 100, got 0');
    await expect(runRepeated(options, 2.5)).rejects.toThrow(/--repeat must be an integer/);
  });
});
