/**
 * `garou-bench merge <runs...> --out <dir>`: one exact result from several runs or run segments (histograms added
 * bucket by bucket), written as a report folder (summary.json, .hgrm files, report.html).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findSummaryFiles, mergeRunResults } from './compare/index.js';
import { CompareInputError } from './compare/errors.js';
import { processIo, reportCompareError, type CommandIo } from './compare/command-io.js';
import { ExitCode } from './exit-codes.js';
import type { RunResult } from './metrics/run-result.js';
import { formatSummaryTable } from './report/console-summary.js';
import { hgrmFiles } from './report/hgrm.js';
import { renderHtmlReport } from './report/html-report.js';
import { segmentFactLines } from './report/segment-facts.js';
import { loadResult, serializeResult } from './report/summary-json.js';

interface MergeFlags {
  out: string;
  force?: boolean;
  quiet?: boolean;
}

/** Writes a merged result as a report folder: summary.json, one .hgrm per latency metric, report.html. */
export async function writeMergedReport(result: RunResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const summary = join(dir, 'summary.json');
  await writeFile(summary, serializeResult(result));
  for (const file of hgrmFiles(result)) await writeFile(join(dir, file.fileName), file.content);
  await writeFile(join(dir, 'report.html'), renderHtmlReport(result));
  return summary;
}

/** Registers the `merge` command. */
export function registerMergeCommand(program: Command, io: CommandIo = processIo()): void {
  program
    .command('merge')
    .description('merge runs or run segments of one scenario exactly (histogram addition) into one report')
    .argument('<runs...>', 'run folders, summary.json files, or folders holding runs')
    .requiredOption('--out <dir>', 'folder of the merged report')
    .option('--force', 'overwrite a summary.json already in --out')
    .option('--quiet', 'no summary table')
    .addHelpText(
      'after',
      '\nExample:\n  $ garou-bench merge reports/current --out reports/current-merged\n\n' +
        'Percentiles of the merged report are those of all samples together. Rates are summed counts over the\n' +
        'wall-clock time the phases covered. Exit codes: 0 merged; 2 invalid input; 4 internal error.',
    )
    .action(async (paths: string[], flags: MergeFlags) => {
      try {
        const files: string[] = [];
        for (const path of paths)
          for (const file of await findSummaryFiles(path)) if (!files.includes(file)) files.push(file);
        const target = join(flags.out, 'summary.json');
        const taken = await stat(target).then(
          () => true,
          () => false,
        );
        if (taken && !flags.force)
          throw new CompareInputError(`${target} exists: pass --force to overwrite it`);
        const results = await Promise.all(files.filter((f) => f !== target).map((file) => loadResult(file)));
        const merged = mergeRunResults(results);
        const written = await writeMergedReport(merged, flags.out);
        if (!flags.quiet) io.stdout.write(`${formatSummaryTable(merged)}\n`);
        // The table ends with the segment facts; quiet output still says how far the merge could judge.
        if (flags.quiet) for (const line of segmentFactLines(merged)) io.stdout.write(`${line}\n`);
        io.stdout.write(`merged ${results.length} run(s) of ${merged.scenario.name} into ${written}\n`);
        io.setExitCode(ExitCode.Ok);
      } catch (error) {
        io.setExitCode(reportCompareError(error, io));
      }
    });
}
