/** `garou-bench run <scenario.yaml>`: runs a scenario against the embedded reference server or a target. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { reportCommandError } from './cli-errors.js';
import { describeExitCode, ExitCode } from './exit-codes.js';
import { formatSummaryTable } from './report/console-summary.js';
import { serializeResult } from './report/summary-json.js';
import { MAX_REPEAT, runRepeated } from './compare/repeat-runs.js';
import type { RunOptions, RunOutcome } from './runner/coordinator.js';
import { RunError } from './runner/run-error.js';
import { parseSegment, parseStartAt, SegmentSyntaxError, type SegmentSpec } from './runner/segment.js';
import { parseDuration } from './scenario/quantities.js';

/** Options as commander parses them. */
interface RunFlags {
  target?: string;
  ca?: string;
  serverName?: string;
  insecure?: boolean;
  workers: number;
  durationScale?: number;
  out: string;
  seed?: number;
  connectTimeout: number;
  quiet?: boolean;
  json?: boolean;
  repeat: number;
  segment?: SegmentSpec;
  startAt?: number;
}

function positiveInteger(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}`);
    }
    return n;
  };
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new InvalidArgumentError('seed must be an integer from 0 to 4294967295');
  }
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0, e.g. 0.5');
  return n;
}

/** Wraps a parser that throws SegmentSyntaxError into a commander argument parser. */
function segmentArgument<T>(parse: (text: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof SegmentSyntaxError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

/** A TLS server name: a host name as SNI carries it (no port, no spaces). */
function serverNameArgument(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value))
    throw new InvalidArgumentError('expected a host name such as localhost or chat.example.com');
  return value;
}

function duration(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('expected a duration above 0, e.g. 5s or 500ms');
}

const EXAMPLES = `
Examples:
  $ garou-bench run scenarios/viral-room.yaml
      embedded reference server, one worker; report in reports/viral-room/<time>/
  $ garou-bench run scenarios/steady-chat.yaml --workers 2 --duration-scale 0.2
      two worker processes, every phase 5x shorter
  $ garou-bench run scenarios/steady-chat.yaml --target 192.0.2.10:4433 --ca ca.pem
      against a running server, certificate checked against ca.pem
  $ garou-bench run scenarios/steady-chat.yaml --target 192.0.2.10:4433 --segment 2/4 \\
        --start-at 2030-01-01T12:00:00Z --out results
      the third of four slices of the scenario (one per machine), phases starting at the given time;
      then garou-bench merge results --out merged (see deploy/README.md)
  $ garou-bench run scenarios/typing.yaml --json --quiet > summary.json
  $ garou-bench run scenarios/ci-gate.yaml --repeat 5 --out reports/current
      five runs for a noise-aware garou-bench compare

Exit codes: 0 ${describeExitCode(ExitCode.Ok)}; 1 ${describeExitCode(ExitCode.ChecksFailed)};
  2 ${describeExitCode(ExitCode.InvalidInput)}; 3 ${describeExitCode(ExitCode.TargetUnreachable)}; 4 ${describeExitCode(ExitCode.InternalError)}.`;

/** Registers the `run` command. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a load scenario and write a report (summary.json, .hgrm, report.html)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--target <host:port>', 'load a running server instead of the embedded reference server')
    .addOption(
      new Option('--ca <file>', 'PEM CA to validate the server certificate (default: not validated)'),
    )
    .addOption(
      new Option('--insecure', 'do not validate the server certificate (the default without --ca)').conflicts(
        'ca',
      ),
    )
    .option(
      '--server-name <name>',
      'TLS server name (SNI) for every client, workers and segments included (default: the target host name with --ca)',
      serverNameArgument,
    )
    .option('--workers <n>', 'worker processes sharing the clients', positiveInteger('--workers', 64), 1)
    .option(
      '--duration-scale <x>',
      'multiply every phase duration (e.g. 0.1 for a smoke run)',
      positiveNumber,
    )
    .option(
      '--segment <i/n>',
      'run slice i (0-based) of n slices of the scenario (needs --target); merge the n results with garou-bench merge',
      segmentArgument(parseSegment),
    )
    .option(
      '--start-at <time>',
      'absolute start of the first phase (ISO time with zone, or epoch ms), the same for every segment',
      segmentArgument(parseStartAt),
    )
    .option('--out <dir>', 'base directory of the reports', 'reports')
    .option('--seed <n>', 'override the scenario seed', nonNegativeInteger)
    .option('--connect-timeout <duration>', 'bound on connecting to the target', duration, 5000)
    .option('--quiet', 'no progress and no summary table (the report path and verdict only)')
    .option('--json', 'print summary.json on stdout instead of the table (progress goes to stderr)')
    .option(
      '--repeat <n>',
      'run the scenario n times in a row, one report each (then garou-bench compare the --out folder)',
      positiveInteger('--repeat', MAX_REPEAT),
      1,
    )
    .addHelpText('after', EXAMPLES)
    .action(async (scenarioFile: string, flags: RunFlags) => {
      process.exitCode = await runCommand(scenarioFile, flags);
    });
}

async function runCommand(scenarioFile: string, flags: RunFlags): Promise<number> {
  const stderr = process.stderr;
  const options: RunOptions = {
    scenarioFile,
    workers: flags.workers,
    outDir: flags.out,
    connectTimeoutMs: flags.connectTimeout,
    progress: flags.quiet ? null : stderr,
    log: (line) => stderr.write(`${line}\n`),
  };
  if (flags.target !== undefined) options.target = flags.target;
  if (flags.ca !== undefined) options.caFile = flags.ca;
  if (flags.serverName !== undefined) options.serverName = flags.serverName;
  if (flags.durationScale !== undefined) options.durationScale = flags.durationScale;
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.segment !== undefined) options.segment = flags.segment;
  if (flags.startAt !== undefined) options.startAtMs = flags.startAt;
  // Interrupted: leave at once; the embedded server and worker processes are ended on exit.
  const interrupted = (signal: NodeJS.Signals): void => {
    stderr.write(`\ngarou-bench: interrupted (${signal}); no report written\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    if (flags.json && flags.repeat > 1) {
      throw new RunError(
        ExitCode.InvalidInput,
        '--json prints one summary.json: it cannot be combined with --repeat',
      );
    }
    if (flags.startAt !== undefined && flags.repeat > 1) {
      throw new RunError(
        ExitCode.InvalidInput,
        '--start-at fixes one absolute start: it cannot be combined with --repeat',
      );
    }
    const printOutcome = (index: number, outcome: RunOutcome): void => {
      const { result, report } = outcome;
      if (flags.json) {
        process.stdout.write(serializeResult(result));
      } else if (!flags.quiet) {
        process.stdout.write(`${formatSummaryTable(result)}\n`);
      }
      const failed =
        result.thresholds.filter((t) => !t.passed).length +
        result.expectations.filter((e) => !e.passed).length;
      const verdict = result.segment
        ? `SEGMENT ${result.segment.index}/${result.segment.count} DONE (checks are judged on the merged result)`
        : result.passed
          ? 'PASSED'
          : `FAILED (${failed} check${failed === 1 ? '' : 's'} failed)`;
      const prefix = flags.repeat > 1 ? `run ${index + 1}/${flags.repeat}: ` : '';
      (flags.json ? stderr : process.stdout).write(`${prefix}${verdict}; report: ${report.dir}\n`);
    };
    return (await runRepeated(options, flags.repeat, { onRun: printOutcome })).exitCode;
  } catch (error) {
    return reportCommandError(error);
  }
}
