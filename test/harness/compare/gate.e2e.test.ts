/**
 * The performance gate end to end, as CI runs it: scenarios/ci-gate.yaml run 3 times against the normal embedded
 * reference server (twice over) and 3 times against a build with an injected slowdown (test-only fault
 * `slow-fanout`: every room fan-out leaves 20 ms late), then `garou-bench compare` on the report folders.
 * The gate must fail on the slow build and pass on two sets of runs of the same build.
 *
 * Runs are interleaved (normal, slow, normal, ...) so that a machine getting busier during the test weighs on
 * every set alike. Budgets are wider than the defaults: with 3 runs per side each budgeted metric has a false-alarm
 * rate of up to 5% by construction (alpha), and this test must not flake on a loaded CI machine; the injected
 * slowdown (about +1000% on deliver.p50) is far past them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCompareCommand } from '../../../harness/cli-compare.js';
import type { CommandIo } from '../../../harness/compare/command-io.js';
import type { ComparisonReport } from '../../../harness/compare/comparison.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { FAULTY_SERVER_ENTRY } from '../../support/server-faults/faulty-server-entry.js';
import { FAULTS_ENV_VAR } from '../../support/server-faults/faults.js';
import { checkXml, findAll } from './xml-check.js';

const SCENARIO = join(import.meta.dirname, '../../../scenarios/ci-gate.yaml');
const RUNS_PER_SET = 3;
const BUDGETS = ['deliver.p50=+100%', 'deliver.p99=+200%', 'loss=+0', 'duplicates=+0', 'errors=+0'];

let dir: string;
const sets = { normal: '', again: '', slow: '' };

async function runOnce(outDir: string, faults: string | null): Promise<void> {
  const previous = process.env[FAULTS_ENV_VAR];
  // The embedded server is a child process: it inherits the environment at spawn time. The faulty build is the
  // test-only faulty-server entry point (the shipped garou-server reads no fault variable).
  if (faults === null) delete process.env[FAULTS_ENV_VAR];
  else process.env[FAULTS_ENV_VAR] = faults;
  try {
    const outcome = await runScenario({
      scenarioFile: SCENARIO,
      outDir,
      durationScale: 0.75,
      progress: null,
      ...(faults === null ? {} : { embeddedServer: FAULTY_SERVER_ENTRY }),
    });
    expect(outcome.result.counters.delivered).toBeGreaterThan(500);
  } finally {
    if (previous === undefined) delete process.env[FAULTS_ENV_VAR];
    else process.env[FAULTS_ENV_VAR] = previous;
  }
}

async function compare(
  baseline: string,
  current: string,
  outputs: string,
): Promise<{ code: number; stdout: string; report: ComparisonReport }> {
  const out: string[] = [];
  let code = -1;
  const io: CommandIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => out.push(t) },
    env: {},
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command('garou-bench').exitOverride();
  registerCompareCommand(program, io);
  const args = [
    'compare',
    baseline,
    current,
    '--no-default-budgets',
    ...BUDGETS.flatMap((b) => ['--budget', b]),
  ];
  args.push(
    '--markdown',
    join(outputs, 'summary.md'),
    '--junit',
    join(outputs, 'junit.xml'),
    '--json',
    join(outputs, 'compare.json'),
  );
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = 2;
  }
  const report = JSON.parse(await readFile(join(outputs, 'compare.json'), 'utf8')) as ComparisonReport;
  return { code, stdout: out.join(''), report };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-gate-'));
  sets.normal = join(dir, 'normal');
  sets.again = join(dir, 'again');
  sets.slow = join(dir, 'slow');
  for (let round = 0; round < RUNS_PER_SET; round++) {
    await runOnce(sets.normal, null);
    await runOnce(sets.slow, 'slow-fanout');
    await runOnce(sets.again, null);
  }
}, 150_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('performance gate end to end (scenarios/ci-gate.yaml, 3 runs per set)', () => {
  it('fails on the build with a slower fan-out, pointing at delivery latency', async () => {
    const { code, stdout, report } = await compare(sets.normal, sets.slow, join(dir, 'out-slow'));
    expect(code, stdout).toBe(1);
    expect(report.baseline.runs).toBe(RUNS_PER_SET);
    expect(report.current.runs).toBe(RUNS_PER_SET);
    const p50 = report.metrics.find((m) => m.metric.name === 'deliver.p50')!;
    expect(p50.verdict).toBe('regression');
    expect(p50.failed).toBe(true);
    // 20 ms added to a delivery of a few ms.
    expect(p50.current.median! - p50.baseline.median!).toBeGreaterThan(15);
    expect(p50.pValue).toBeCloseTo(0.05, 12);
    expect(stdout).toMatch(/FAIL: \d metrics? regressed past (its|their) budget: deliver\.p50 \+\d+%/);
    const md = await readFile(join(dir, 'out-slow', 'summary.md'), 'utf8');
    expect(md).toMatch(/^## ❌ garou-bench performance gate: FAIL \(ci-gate\)/);
    const junit = checkXml(await readFile(join(dir, 'out-slow', 'junit.xml'), 'utf8'));
    const failing = findAll(junit, 'testcase').filter((c) => c.children.some((x) => x.name === 'failure'));
    expect(failing.map((c) => c.attributes.name)).toContain('deliver.p50');
  });

  it('passes on two sets of runs of the same build', async () => {
    const { code, stdout, report } = await compare(sets.normal, sets.again, join(dir, 'out-same'));
    expect(code, stdout).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.metrics.filter((m) => m.budget !== null)).toHaveLength(BUDGETS.length);
    expect(stdout).toMatch(/PASS: no metric regressed past its budget/);
  });
});
