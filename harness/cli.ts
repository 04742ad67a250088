#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * `garou-bench`: load testing for the garou QUIC chat protocol.
 *
 * Each subcommand registers itself from its own module (cli-<name>.ts exporting register<Name>Command);
 * this file only wires them and maps command-line usage errors to exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { registerBaselineCommand } from './cli-baseline.js';
import { registerCompareCommand } from './cli-compare.js';
import { registerConformanceCommand } from './cli-conformance.js';
import { registerExplainCommand } from './cli-explain.js';
import { registerMergeCommand } from './cli-merge.js';
import { registerRunCommand } from './cli-run.js';
import { registerServerCommand } from './cli-server.js';
import { registerValidateCommand } from './cli-validate.js';
import { reportCommandError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';
import { toolVersion } from './runner/tool-version.js';
import { isEntryPoint, respawnWithYoungGenerationFlag } from './runner/young-generation-respawn.js';

/** The command line program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('garou-bench')
    .description('Load testing and conformance toolkit for the garou QUIC chat protocol')
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunCommand(program);
  registerValidateCommand(program);
  registerConformanceCommand(program);
  registerCompareCommand(program);
  registerBaselineCommand(program);
  registerMergeCommand(program);
  registerExplainCommand(program);
  registerServerCommand(program);
  program.addHelpText(
    'after',
    `\nExamples:\n  $ garou-bench run scenarios/viral-room.yaml\n  $ garou-bench validate scenarios/*.yaml\n  $ garou-bench conformance --target 127.0.0.1:4433 --insecure\n  $ garou-bench run scenarios/ci-gate.yaml --repeat 5 --out reports/current\n  $ garou-bench compare baseline:main reports/current --junit perf.xml\n\n` +
      `Exit codes: 0 ok, 1 checks failed, 2 invalid scenario or usage, 3 target unreachable, 4 internal error.\n`,
  );
  return program;
}

// `node dist/harness/cli.js` skips the `#!` line's semi-space flag: the CLI then runs again in a child that has it.
const respawned = isEntryPoint(import.meta.url) ? respawnWithYoungGenerationFlag() : null;
if (respawned !== null) {
  await respawned;
} else {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage mistake, already printed.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
    } else {
      process.exitCode = reportCommandError(error);
    }
  }
}
