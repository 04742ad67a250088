/**
 * `garou-bench server`: runs the reference server in the foreground (a convenience over `garou-server`),
 * optionally with the server options of a scenario so a remote run (`run --target`) sees the same settings.
 */
import type { Command } from 'commander';
import { reportCommandError } from './cli-errors.js';
import { buildProgram as buildServerProgram } from '../reference-server/cli-program.js';
import { serverFlags } from './runner/embedded-server.js';
import { loadScenario } from './scenario/load.js';

/** Registers the `server` command. */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the reference server in the foreground (flags after -- go to garou-server serve)')
    .option('--scenario <file>', "use the scenario's server options (shards, hot-room parameters)")
    .option('--port <port>', 'UDP port (0 = any free port)', '4433')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .allowExcessArguments()
    .addHelpText(
      'after',
      '\nExamples:\n  $ garou-bench server --port 4433\n  $ garou-bench server --scenario scenarios/viral-room.yaml -- --log-level info\n' +
        '  $ garou-bench run scenarios/viral-room.yaml --target 127.0.0.1:4433',
    )
    .action(async (options: { scenario?: string; port: string; host: string }, command: Command) => {
      try {
        const flags = ['--host', options.host, '--port', options.port];
        if (options.scenario !== undefined)
          flags.push(...serverFlags((await loadScenario(options.scenario)).server));
        await buildServerProgram().parseAsync(['node', 'garou-server', 'serve', ...flags, ...command.args]);
      } catch (error) {
        process.exitCode = reportCommandError(error);
      }
    });
}
