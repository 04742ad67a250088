/** `garou-bench validate <scenario...>`: schema and semantic check of scenario files, nothing is run. */
import type { Command } from 'commander';
import { reportCommandError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';
import { formatDuration } from './scenario/quantities.js';
import { loadScenario } from './scenario/load.js';

/** Registers the `validate` command. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check scenario files (schema, semantics) without running them')
    .argument('<scenario...>', 'scenario YAML files')
    .addHelpText(
      'after',
      '\nExample:\n  $ garou-bench validate scenarios/*.yaml\n\nExit code 0 when every file is valid, 2 otherwise.',
    )
    .action(async (files: string[]) => {
      let code: number = ExitCode.Ok;
      for (const file of files) {
        try {
          const scenario = await loadScenario(file);
          process.stdout.write(
            `ok ${file}: "${scenario.name}", ${scenario.clients.count} clients, ${scenario.phases.length} phase(s), ` +
              `${formatDuration(scenario.totalDurationMs)}\n`,
          );
        } catch (error) {
          code = reportCommandError(error);
        }
      }
      process.exitCode = code;
    });
}
