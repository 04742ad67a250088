/** `garou-bench explain <report>`: prints why a run ended as it did and the first examples of every anomaly. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { reportCommandError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';
import { explainResult } from './report/explain-text.js';
import { loadResult, ResultFormatError } from './report/summary-json.js';
import { RunError } from './runner/run-error.js';

/** Registers the `explain` command. */
export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('print the verdict of a run, why, and the first examples of every counted anomaly')
    .argument('<report>', 'a report folder (holding summary.json) or a summary.json file')
    .addHelpText(
      'after',
      '\nExample:\n  $ garou-bench explain reports/connection-storm/2026-12-06T20-51-28Z\n\nExit code 0 when the summary was read, 2 when it could not be.',
    )
    .action(async (report: string) => {
      try {
        const file = (await isDirectory(report)) ? join(report, 'summary.json') : report;
        const result = await loadResult(file).catch((error: unknown) => {
          if (error instanceof ResultFormatError) throw new RunError(ExitCode.InvalidInput, error.message);
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES')
            throw new RunError(ExitCode.InvalidInput, `${file}: cannot read (${code})`);
          throw error;
        });
        process.stdout.write(`${explainResult(result)}\n`);
        process.exitCode = ExitCode.Ok;
      } catch (error) {
        process.exitCode = reportCommandError(error);
      }
    });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
