/**
 * The compare, baseline and merge commands end to end on summary.json files: exit codes, terminal output, the
 * Markdown and JUnit files, $GITHUB_STEP_SUMMARY, saved baselines and merged reports.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBaselineCommand } from '../../../harness/cli-baseline.js';
import { registerCompareCommand } from '../../../harness/cli-compare.js';
import { registerMergeCommand } from '../../../harness/cli-merge.js';
import type { CommandIo } from '../../../harness/compare/command-io.js';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { loadResult, serializeResult } from '../../../harness/report/summary-json.js';
import { recordSyntheticSegments, syntheticSegmentEvents } from './synthetic-segment-runs.js';
import { syntheticRuns, writeRuns } from './synthetic-runs.js';
import { checkXml, findAll } from './xml-check.js';

interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `garou-bench <args>` in-process with the compare, baseline and merge commands. */
async function garouBench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  const io: CommandIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command('garou-bench')
    .exitOverride()
    .configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) });
  registerCompareCommand(program, io);
  registerBaselineCommand(program, io);
  registerMergeCommand(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode === 0 ? 0 : 2;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let dir: string;
let base: string;
let same: string;
let slow: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-compare-'));
  base = join(dir, 'base');
  same = join(dir, 'same');
  slow = join(dir, 'slow');
  await writeRuns(base, syntheticRuns(5, 100, { runNoise: 0.03, samples: 1000 }));
  await writeRuns(same, syntheticRuns(5, 200, { runNoise: 0.03, samples: 1000 }));
  await writeRuns(slow, syntheticRuns(5, 300, { runNoise: 0.03, samples: 1000, deliverMs: 2.6 }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('garou-bench compare', () => {
  it('passes (exit 0) on two sets of the same build and writes Markdown and JUnit', async () => {
    const markdown = join(dir, 'out-same', 'summary.md');
    const junit = join(dir, 'out-same', 'junit.xml');
    const run = await garouBench(['compare', base, same, '--markdown', markdown, '--junit', junit]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/deliver\.p99 /);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(
      /^PASS: no metric regressed past its budget \(\d+ metrics compared, 7 with a budget\)$/,
    );
    const md = await readFile(markdown, 'utf8');
    expect(md).toMatch(/^## ✅ garou-bench performance gate: PASS \(synthetic\)/);
    expect(md).toMatch(/\n\| metric \| baseline \(5 runs\) \| current \(5 runs\) \| change \|/);
    const root = checkXml(await readFile(junit, 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attributes.failures).toBe('0');
    const cases = findAll(root, 'testcase');
    expect(cases.length).toBe(Number(root.attributes.tests));
    expect(cases.map((c) => c.attributes.name)).toContain('deliver.p99');
    expect(findAll(root, 'failure')).toEqual([]);
  });

  it('fails (exit 1) on a 30% slower delivery, naming the metric, its change, budget and confidence', async () => {
    const markdown = join(dir, 'out-slow', 'summary.md');
    const junit = join(dir, 'out-slow', 'junit.xml');
    const stepSummary = join(dir, 'step-summary.md');
    await writeFile(stepSummary, '# earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: stepSummary };
    const run = await garouBench(['compare', base, slow, '--markdown', markdown, '--junit', junit], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /deliver\.p50: \+\d+(\.\d)?% is past budget \+10% \(p = 0\.004, 99\.6% confidence, 5 vs 5 runs\)/,
    );
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(
      /^FAIL: \d metrics? regressed past (its|their) budget: deliver\.p50 \+\d/,
    );
    const md = await readFile(markdown, 'utf8');
    expect(md).toMatch(/^## ❌ garou-bench performance gate: FAIL/);
    expect(md).toMatch(
      /\| deliver\.p50 \| [^|]+ \| [^|]+ \| \+\d[^|]* \| [^|]+ \| \+10% \| 0\.004 \| \*\*REGRESSION\*\* \|/,
    );
    expect(md).toMatch(/### Failures\n\n- \*\*deliver\.p50\*\*: /);
    // Appended to the job summary, after what earlier steps wrote.
    const summary = await readFile(stepSummary, 'utf8');
    expect(summary.startsWith('# earlier step\n## ❌ garou-bench performance gate: FAIL')).toBe(true);
    const root = checkXml(await readFile(junit, 'utf8'));
    const failures = findAll(root, 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(root.attributes.failures).toBe(String(failures.length));
    const failed = findAll(root, 'testcase').filter((c) => c.children.some((x) => x.name === 'failure'));
    expect(failed.map((c) => c.attributes.name)).toContain('deliver.p50');
    expect(failures[0]!.attributes.message).toMatch(/^deliver\.p\d+: \+\d/);
  });

  it('prints only the verdict with --quiet, and honours --budget over the defaults', async () => {
    const run = await garouBench([
      'compare',
      base,
      slow,
      '--quiet',
      '--budget',
      'deliver.p50=+60%',
      '--budget',
      'deliver.p99=+60%',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS: no metric regressed past its budget/);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('reads budgets from --budgets-file and from the scenario file of the current runs', async () => {
    const budgetsFile = join(dir, 'budgets.yaml');
    await writeFile(budgetsFile, 'budgets:\n  deliver.p50: +60%\n  deliver.p99: +60%\n');
    expect((await garouBench(['compare', base, slow, '--quiet', '--budgets-file', budgetsFile])).code).toBe(
      0,
    );
    const scenarioDir = join(dir, 'with-scenario');
    const scenarioFile = join(dir, 'gate-scenario.yaml');
    await writeFile(scenarioFile, 'name: synthetic\nbudgets:\n  deliver.p50: +60%\n  deliver.p99: "+60%"\n');
    const runs = syntheticRuns(5, 300, { runNoise: 0.03, samples: 1000, deliverMs: 2.6 }).map((r) => ({
      ...r,
      scenario: { ...r.scenario, file: scenarioFile },
    }));
    await writeRuns(scenarioDir, runs);
    const run = await garouBench(['compare', base, scenarioDir, '--quiet']);
    expect(run.stderr).toBe(`budgets from ${scenarioFile}: deliver.p50=+60%, deliver.p99=+60%\n`);
    expect(run.code).toBe(0);
  });

  it('uses the bootstrap method on request', async () => {
    const run = await garouBench(['compare', base, slow, '--method', 'bootstrap', '--quiet']);
    expect(run.code).toBe(1);
    const pass = await garouBench(['compare', base, same, '--method', 'bootstrap', '--quiet']);
    expect(pass.code).toBe(0);
  });

  it('exits 2 with one clear line for bad input, writing nothing', async () => {
    const junit = join(dir, 'never.xml');
    const badBudget = await garouBench([
      'compare',
      base,
      slow,
      '--budget',
      'deliver.p99=-10%',
      '--junit',
      junit,
    ]);
    expect(badBudget).toMatchObject({ code: 2, stdout: '' });
    expect(badBudget.stderr).toBe(
      'garou-bench: budget "deliver.p99=-10%": deliver.p99 gets worse when it rises, so its budget is the allowed rise: write "deliver.p99=+10%"\n',
    );
    await expect(stat(junit)).rejects.toThrow();
    const missing = await garouBench(['compare', join(dir, 'nope'), slow]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: `garou-bench: ${join(dir, 'nope')}: no such file or folder\n`,
    });
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    expect((await garouBench(['compare', empty, slow])).stderr).toMatch(
      /no summary\.json in this folder or below it/,
    );
    const alpha = await garouBench(['compare', base, slow, '--alpha', '5']);
    expect(alpha.code).toBe(2);
    expect(alpha.stderr).toMatch(/--alpha must be a number between 0 and 1/);
    const broken = join(dir, 'broken', 'summary.json');
    await mkdir(join(dir, 'broken'), { recursive: true });
    await writeFile(broken, '{"schemaVersion": 9}');
    expect((await garouBench(['compare', broken, slow])).stderr).toMatch(
      /not a garou-bench summary\.json: schemaVersion 9 is not supported/,
    );
  });

  it('refuses a folder mixing the runs of several scenarios', async () => {
    const mixed = join(dir, 'mixed');
    await writeRuns(join(mixed, 'a'), syntheticRuns(2, 1));
    await writeRuns(join(mixed, 'b'), syntheticRuns(2, 5, { scenario: 'other' }));
    const run = await garouBench(['compare', mixed, slow]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /holds runs of 2 scenarios \(synthetic, other\): point at the runs of one scenario/,
    );
  });
});

describe('garou-bench baseline', () => {
  it('saves runs, shows them, lists them and compares against baseline:<name>', async () => {
    const baselines = join(dir, 'baselines');
    const saved = await garouBench([
      'baseline',
      'save',
      base,
      '--name',
      'main',
      '--baselines-dir',
      baselines,
    ]);
    expect(saved).toMatchObject({ code: 0, stderr: '' });
    expect(saved.stdout).toBe(`saved baseline "main": 5 run(s) of synthetic in ${join(baselines, 'main')}\n`);
    const manifest = JSON.parse(await readFile(join(baselines, 'main', 'baseline.json'), 'utf8'));
    expect(manifest.runs.map((r: { dir: string }) => r.dir)).toEqual([
      'run-01',
      'run-02',
      'run-03',
      'run-04',
      'run-05',
    ]);
    const copied = await loadResult(join(baselines, 'main', 'run-03', 'summary.json'));
    expect(copied).toEqual(await loadResult(join(base, 'run-3', 'summary.json')));

    const show = await garouBench(['baseline', 'show', 'main', '--baselines-dir', baselines]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^baseline "main": 5 run\(s\) of synthetic, saved \d{4}-/);
    const p50s = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) =>
        LatencyRecorder.decode(
          (await loadResult(join(base, `run-${i}`, 'summary.json'))).histograms.deliver,
        ).percentileMs(50),
      ),
    );
    const medianP50 = [...p50s].sort((x, y) => x - y)[2]!;
    expect(show.stdout).toMatch(
      new RegExp(`deliver\\.p50 +│ ${String(Number(medianP50.toPrecision(3))).replace('.', '\\.')}ms +│`),
    );

    const list = await garouBench(['baseline', 'list', '--baselines-dir', baselines]);
    expect(list.stdout).toMatch(/^main: 5 run\(s\) of synthetic, saved /);

    expect(
      (await garouBench(['compare', 'baseline:main', slow, '--baselines-dir', baselines, '--quiet'])).code,
    ).toBe(1);
    expect(
      (await garouBench(['compare', 'baseline:main', same, '--baselines-dir', baselines, '--quiet'])).code,
    ).toBe(0);

    const replaced = await garouBench([
      'baseline',
      'save',
      join(baselines, 'main', 'run-01'),
      '--name',
      'main',
      '--baselines-dir',
      baselines,
    ]);
    expect(replaced.stdout).toMatch(/^replaced baseline "main": 1 run\(s\)/);
    const unknown = await garouBench(['compare', 'baseline:nightly', slow, '--baselines-dir', baselines]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no saved baseline "nightly" .*\(saved: main\); save one with: garou-bench baseline save <run folder\.\.\.> --name nightly/,
    );
  });

  it('refuses bad names and folders that are not baselines', async () => {
    const baselines = join(dir, 'baselines2');
    expect(
      (await garouBench(['baseline', 'save', base, '--name', '../x', '--baselines-dir', baselines])).stderr,
    ).toMatch(/baseline name "\.\.\/x" is invalid/);
    await mkdir(join(baselines, 'taken'), { recursive: true });
    await appendFile(join(baselines, 'taken', 'notes.txt'), 'mine');
    const run = await garouBench(['baseline', 'save', base, '--name', 'taken', '--baselines-dir', baselines]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/exists but is not a saved baseline/);
    expect(await readFile(join(baselines, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('garou-bench merge', () => {
  it('merges runs exactly into one report folder, and will not overwrite it without --force', async () => {
    const out = join(dir, 'merged');
    const run = await garouBench(['merge', base, '--out', out, '--quiet']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`merged 5 run(s) of synthetic into ${join(out, 'summary.json')}\n`);
    const merged = await loadResult(join(out, 'summary.json'));
    const inputs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => loadResult(join(base, `run-${i}`, 'summary.json'))),
    );
    expect(merged.latency.deliver.count).toBe(inputs.reduce((sum, r) => sum + r.latency.deliver.count, 0));
    expect(merged.counters.delivered).toBe(inputs.reduce((sum, r) => sum + r.counters.delivered, 0));
    await expect(stat(join(out, 'report.html'))).resolves.toBeTruthy();
    await expect(stat(join(out, 'deliver.hgrm'))).resolves.toBeTruthy();
    const again = await garouBench(['merge', base, '--out', out]);
    expect(again).toMatchObject({
      code: 2,
      stderr: `garou-bench: ${join(out, 'summary.json')} exists: pass --force to overwrite it\n`,
    });
    expect((await garouBench(['merge', base, '--out', out, '--force', '--quiet'])).code).toBe(0);
  });

  it('judges the cross-segment pairs of segment results from their ledgers and says how many', async () => {
    const segments = join(dir, 'segments');
    const results = recordSyntheticSegments(syntheticSegmentEvents(7), 3);
    // Segment 1 waited past its grace for late deliveries; the others stopped at the grace.
    const drain = (waitedMs: number): RunResult['drain'] => ({
      graceMs: 500,
      maxMs: 2000,
      waitedMs,
      extended: waitedMs > 500,
      ended: 'nothing-missing',
      missingAtGraceEnd: waitedMs > 500 ? 9 : 0,
      missingAtEnd: 0,
      lateAfterGrace: waitedMs > 500 ? 9 : 0,
    });
    for (const [i, result] of results.entries()) result.drain = drain(i === 1 ? 1700 : 500);
    for (const [i, result] of results.entries()) {
      await mkdir(join(segments, `segment-${i}`), { recursive: true });
      await writeFile(join(segments, `segment-${i}`, 'summary.json'), serializeResult(result));
    }
    const out = join(dir, 'segments-merged');
    const run = await garouBench(['merge', segments, '--out', out, '--quiet']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const merged = await loadResult(join(out, 'summary.json'));
    const pairs = merged.segments!.crossSegmentPairs!;
    expect(pairs.loss).toBeGreaterThan(0);
    expect(run.stdout).toContain(
      `loss detection: global; cross-segment pairs judged: ${pairs.expected} expected ` +
        `(${pairs.seen} seen, ${pairs.loss} lost), ${pairs.optional} optional, 0 unexpected, ` +
        `${pairs.ackTimedOutDeliveries} of ack-timed-out messages (`,
    );
    expect(pairs.ackTimedOutDeliveries).toBeGreaterThan(0);
    expect(merged.thresholds.find((t) => t.expression === 'loss == 0')).toMatchObject({
      passed: false,
      actual: merged.correctness.total.loss,
      note: null,
    });
    // The wait after the last phase, as a single run's console and report say it.
    const line =
      'drain: 1 of 3 segments waited past the grace (0.5 s) for missing deliveries still arriving late, the ' +
      'longest 1.7 s after the last phase; 9 expected deliveries were missing when the grace ended, 9 arrived ' +
      'after it (counted late); each stopped when none was missing';
    const loud = await garouBench(['merge', segments, '--out', out, '--force']);
    expect(loud.stdout).toContain(line);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain(line);
  });
});
