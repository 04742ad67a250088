/**
 * `garou-bench compare <baseline> <current>`: the CI performance gate. Prints every metric side by side with its
 * change and verdict, writes Markdown (also appended to $GITHUB_STEP_SUMMARY) and JUnit XML on request, and exits
 * 1 when a metric regressed past its budget.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  budgetsFromYaml,
  compareRunSets,
  DEFAULT_BASELINES_DIR,
  DEFAULT_BUDGETS,
  DEFAULT_COMPARE_OPTIONS,
  formatComparisonJunit,
  formatComparisonMarkdown,
  formatComparisonTable,
  loadRunSet,
  mergeBudgets,
  parseBudget,
  type Budget,
  type CompareMethod,
  type ComparisonReport,
  type RunSet,
} from './compare/index.js';
import { conclusion } from './compare/comparison-text.js';
import { CompareInputError } from './compare/errors.js';
import { processIo, reportCompareError, type CommandIo } from './compare/command-io.js';
import { ExitCode } from './exit-codes.js';

/** Options as commander parses them. */
interface CompareFlags {
  budget: string[];
  budgetsFile?: string;
  defaultBudgets: boolean;
  method: CompareMethod;
  alpha: number;
  confidence: number;
  resamples: number;
  seed: number;
  minRuns: number;
  markdown?: string;
  junit?: string;
  json?: string;
  baselinesDir: string;
  quiet?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d*\.?\d+$/.test(value) || !(n > 0 && n < 1))
      throw new InvalidArgumentError(`${name} must be a number between 0 and 1, e.g. 0.05`);
    return n;
  };
}

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

const EXAMPLES = `
Budgets: <metric>=<change>, the metric named as in scenario thresholds. "+10%" = may rise 10% over the baseline
median, "-5%" = may drop 5% (throughput), "+0" = may not rise at all, "+2ms" = absolute. Metrics without a budget
are shown (flagged when they move more than 10%) but never fail the gate. Defaults: ${DEFAULT_BUDGETS.join(' ')}.
Budgets from a YAML "budgets:" section (map or list) come from --budgets-file, or from the scenario file of the
current runs when it has one; --budget flags win.

Verdicts: each run gives one value per metric. With at least --min-runs runs per side, a metric regresses when a
one-sided Mann-Whitney U test says the current runs are worse than the baseline runs moved by the budget
(p <= --alpha) and the current median is past the budget (or, with --method bootstrap, when the whole bootstrap
interval of the median change is past the budget). With fewer runs, medians are compared plainly ("insufficient data").

Examples:
  $ garou-bench run scenarios/ci-gate.yaml --repeat 5 --out reports/current
  $ garou-bench compare baseline:main reports/current --budget deliver.p99=+10% --junit perf.xml
  $ garou-bench compare reports/old/summary.json reports/new/summary.json --no-default-budgets --budget errors=+0

Exit codes: 0 no metric regressed past its budget; 1 a metric regressed; 2 invalid input (budget, files); 4 internal error.`;

/** Registers the `compare` command. */
export function registerCompareCommand(program: Command, io: CommandIo = processIo()): void {
  program
    .command('compare')
    .description(
      'compare runs with a baseline: side-by-side metrics, noise-aware verdicts, exit 1 on a regression',
    )
    .argument(
      '<baseline>',
      'baseline runs: a summary.json, a folder of runs, or baseline:<name> (saved baseline)',
    )
    .argument('<current>', 'current runs: a summary.json or a folder of runs')
    .option(
      '--budget <metric=change>',
      'budget of one metric, e.g. deliver.p99=+10% (repeatable)',
      collect,
      [],
    )
    .option('--budgets-file <file>', 'YAML file with a budgets: section')
    .option('--no-default-budgets', 'drop the default budgets (keep only --budget and file budgets)')
    .addOption(
      new Option('--method <method>', 'how a regression is decided')
        .choices(['mann-whitney', 'bootstrap'])
        .default(DEFAULT_COMPARE_OPTIONS.method),
    )
    .option(
      '--alpha <p>',
      'significance level of the rank test',
      fraction('--alpha'),
      DEFAULT_COMPARE_OPTIONS.alpha,
    )
    .option(
      '--confidence <level>',
      'coverage of the bootstrap intervals',
      fraction('--confidence'),
      DEFAULT_COMPARE_OPTIONS.confidence,
    )
    .option(
      '--resamples <n>',
      'bootstrap resamples',
      integer('--resamples', 100, 1_000_000),
      DEFAULT_COMPARE_OPTIONS.resamples,
    )
    .option(
      '--seed <n>',
      'seed of the bootstrap resampling',
      integer('--seed', 0, 0xffffffff),
      DEFAULT_COMPARE_OPTIONS.seed,
    )
    .option(
      '--min-runs <n>',
      'fewest runs per side for a statistical verdict',
      integer('--min-runs', 2, 1000),
      DEFAULT_COMPARE_OPTIONS.minRuns,
    )
    .option('--markdown <file>', 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--junit <file>', 'write JUnit XML, one test case per metric')
    .option('--json <file>', 'write the whole comparison as JSON')
    .option('--baselines-dir <dir>', 'where saved baselines live', DEFAULT_BASELINES_DIR)
    .option('--quiet', 'print only the verdict line')
    .addHelpText('after', EXAMPLES)
    .action(async (baseline: string, current: string, flags: CompareFlags) => {
      io.setExitCode(await compareCommand(baseline, current, flags, io));
    });
}

/** Budgets in force: defaults < the current runs' scenario file < --budgets-file < --budget. */
async function resolveBudgets(flags: CompareFlags, sets: RunSet[], io: CommandIo): Promise<Budget[]> {
  const phases = [...new Set(sets.flatMap((s) => s.results.flatMap((r) => r.phases.map((p) => p.name))))];
  const defaults = flags.defaultBudgets
    ? DEFAULT_BUDGETS.map((text) => parseBudget(text, { phases, source: 'default' }))
    : [];
  let fromScenario: Budget[] = [];
  const scenarioFile = sets[1]?.results[0]?.scenario.file;
  if (scenarioFile) {
    const text = await readFile(scenarioFile, 'utf8').catch(() => null);
    if (text !== null) {
      fromScenario = budgetsFromYaml(text, scenarioFile, phases);
      if (fromScenario.length)
        io.stderr.write(`budgets from ${scenarioFile}: ${fromScenario.map((b) => b.text).join(', ')}\n`);
    }
  }
  let fromFile: Budget[] = [];
  if (flags.budgetsFile !== undefined) {
    const text = await readFile(flags.budgetsFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CompareInputError(
        `--budgets-file ${flags.budgetsFile}: cannot read (${error.code ?? error.message})`,
      );
    });
    fromFile = budgetsFromYaml(text, flags.budgetsFile, phases);
    if (fromFile.length === 0)
      throw new CompareInputError(`--budgets-file ${flags.budgetsFile}: no "budgets:" section`);
  }
  const fromFlags = flags.budget.map((text) => parseBudget(text, { phases, source: '--budget' }));
  return mergeBudgets(defaults, fromScenario, fromFile, fromFlags);
}

async function writeOutput(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Runs the comparison and writes every requested output; returns the exit code. */
async function compareCommand(
  baselineSpec: string,
  currentSpec: string,
  flags: CompareFlags,
  io: CommandIo,
): Promise<ExitCode> {
  let report: ComparisonReport;
  try {
    const options = { baselinesDir: flags.baselinesDir };
    const baseline = await loadRunSet(baselineSpec, options);
    const current = await loadRunSet(currentSpec, options);
    const budgets = await resolveBudgets(flags, [baseline, current], io);
    report = compareRunSets(baseline, current, budgets, {
      method: flags.method,
      alpha: flags.alpha,
      confidence: flags.confidence,
      resamples: flags.resamples,
      seed: flags.seed,
      minRuns: flags.minRuns,
    });
    io.stdout.write(`${flags.quiet ? conclusion(report) : formatComparisonTable(report)}\n`);
    const markdown = formatComparisonMarkdown(report);
    if (flags.markdown !== undefined) await writeOutput(flags.markdown, markdown);
    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    if (stepSummary) await appendFile(stepSummary, `${markdown}\n`);
    if (flags.junit !== undefined) await writeOutput(flags.junit, formatComparisonJunit(report));
    if (flags.json !== undefined) await writeOutput(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    return reportCompareError(error, io);
  }
  return report.passed ? ExitCode.Ok : ExitCode.ChecksFailed;
}
