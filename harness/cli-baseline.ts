/**
 * `garou-bench baseline save|show|list`: keep chosen runs under reports/baselines/<name>/ so that CI can compare
 * against `baseline:<name>` instead of re-running the old build.
 */
import type { Command } from 'commander';
import {
  DEFAULT_BASELINES_DIR,
  formatRunSetTable,
  loadRunSet,
  readBaselineManifest,
  saveBaseline,
  savedBaselineNames,
} from './compare/index.js';
import { processIo, reportCompareError, type CommandIo } from './compare/command-io.js';
import { ExitCode } from './exit-codes.js';

interface BaselineFlags {
  baselinesDir: string;
}

/** Registers `baseline save`, `baseline show` and `baseline list`. */
export function registerBaselineCommand(program: Command, io: CommandIo = processIo()): void {
  const baseline = program
    .command('baseline')
    .description('save runs as a named baseline under reports/baselines/, or show one')
    .addHelpText(
      'after',
      `\nExamples:\n  $ garou-bench run scenarios/ci-gate.yaml --repeat 5 --out reports/main\n` +
        `  $ garou-bench baseline save reports/main --name main\n  $ garou-bench baseline show main\n` +
        `  $ garou-bench compare baseline:main reports/current`,
    );
  const attempt = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
      io.setExitCode(ExitCode.Ok);
    } catch (error) {
      io.setExitCode(reportCompareError(error, io));
    }
  };
  baseline
    .command('save')
    .description(
      'copy runs (run folders, summary.json files or folders of runs) to reports/baselines/<name>/',
    )
    .argument('<runs...>', 'run folders, summary.json files, or folders holding runs')
    .option('--name <name>', 'baseline name', 'default')
    .option('--baselines-dir <dir>', 'where baselines live', DEFAULT_BASELINES_DIR)
    .action((runs: string[], flags: BaselineFlags & { name: string }) =>
      attempt(async () => {
        const saved = await saveBaseline(runs, { name: flags.name, baselinesDir: flags.baselinesDir });
        io.stdout.write(
          `${saved.replaced ? 'replaced' : 'saved'} baseline "${saved.manifest.name}": ${saved.manifest.runs.length} ` +
            `run(s) of ${saved.manifest.scenario} in ${saved.dir}\n`,
        );
      }),
    );
  baseline
    .command('show')
    .description("print a saved baseline's metrics (median and range over its runs)")
    .argument('[name]', 'baseline name', 'default')
    .option('--baselines-dir <dir>', 'where baselines live', DEFAULT_BASELINES_DIR)
    .action((name: string, flags: BaselineFlags) =>
      attempt(async () => {
        const manifest = await readBaselineManifest(name, flags.baselinesDir);
        const set = await loadRunSet(`baseline:${name}`, { baselinesDir: flags.baselinesDir });
        io.stdout.write(
          `baseline "${manifest.name}": ${set.results.length} run(s) of ${manifest.scenario}, saved ${manifest.savedAt}\n` +
            `${formatRunSetTable(set)}\n`,
        );
      }),
    );
  baseline
    .command('list')
    .description('list saved baselines')
    .option('--baselines-dir <dir>', 'where baselines live', DEFAULT_BASELINES_DIR)
    .action((flags: BaselineFlags) =>
      attempt(async () => {
        const names = await savedBaselineNames(flags.baselinesDir);
        if (names.length === 0) io.stdout.write(`no baselines in ${flags.baselinesDir}\n`);
        for (const name of names) {
          const m = await readBaselineManifest(name, flags.baselinesDir);
          io.stdout.write(`${name}: ${m.runs.length} run(s) of ${m.scenario}, saved ${m.savedAt}\n`);
        }
      }),
    );
}
