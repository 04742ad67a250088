/**
 * `garou-bench conformance`: the conformance suite's command line (wired into harness/cli.ts).
 *
 *   garou-bench conformance                         test the embedded reference server (fast hot-room settings)
 *   garou-bench conformance --target host:4433      test another server
 *   garou-bench conformance --only 10 --junit r.xml only the hot-room checks, JUnit report
 *   garou-bench conformance --list                  list the checks
 *
 *   garou-bench conformance --strict                reference-level checks (our decisions) count too
 *
 * Exit codes: 0 every counted check passed (skips allowed; protocol-level checks, plus reference-level ones with
 * --strict), 1 a counted check failed, 2 usage error, 3 target unreachable, 4 internal error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  runConformance,
  type ConformanceConfig,
  type ConformanceOutput,
} from './conformance/conformance-run.js';
import { splitPatterns } from './conformance/selection.js';
import { ExitCode } from './exit-codes.js';

/** Where the command writes and where its exit code goes (tests replace these). */
export interface ConformanceCommandIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Records the exit code (default: process.exitCode). */
  setExitCode(code: number): void;
}

const processIo: ConformanceCommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number >= 0 (messages per second)');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Options as commander parses them. */
interface RawOptions {
  target?: string;
  alpn: string;
  serverName?: string;
  ca?: string;
  insecure?: boolean;
  timeout: number;
  settle: number;
  seed: number;
  hostileRuns: number;
  promoteRate?: number;
  demoteRate?: number;
  coolDownMs?: number;
  rateWindowMs?: number;
  maxHotRooms?: number;
  only: string[];
  skip: string[];
  list?: boolean;
  strict?: boolean;
  junit?: string;
  json?: string;
  color?: boolean;
}

/** The invocation config from parsed options. */
export function configFromOptions(raw: RawOptions): ConformanceConfig {
  return {
    target: raw.target ?? null,
    alpn: raw.alpn,
    serverName: raw.serverName ?? null,
    caFile: raw.insecure ? null : (raw.ca ?? null),
    timeoutMs: raw.timeout,
    settleMs: raw.settle,
    seed: raw.seed,
    hostileRuns: raw.hostileRuns,
    hot: {
      promoteRate: raw.promoteRate,
      demoteRate: raw.demoteRate,
      coolDownMs: raw.coolDownMs,
      rateWindowMs: raw.rateWindowMs,
      maxHotRooms: raw.maxHotRooms,
    },
    only: splitPatterns(raw.only),
    skip: splitPatterns(raw.skip),
    list: raw.list === true,
    strict: raw.strict === true,
    junitFile: raw.junit ?? null,
    jsonFile: raw.json ?? null,
  };
}

/** Adds the `conformance` subcommand to a commander program. */
export function registerConformanceCommand(program: Command, io: ConformanceCommandIo = processIo): Command {
  const command = program
    .command('conformance')
    .description('check a garou server against spec/PROTOCOL.md (every check cites its rule id)')
    .option(
      '--target <host:port>',
      'server to test (default: the embedded reference server on 127.0.0.1, ephemeral port)',
    )
    .option('--alpn <id>', 'ALPN to offer', 'chat')
    .option('--server-name <name>', 'TLS server name (SNI) (default: the target host name, or localhost)')
    .option('--ca <file>', 'verify the server certificate against this CA (PEM)')
    .option('--insecure', 'do not verify the server certificate (the default without --ca)')
    .option('--timeout <ms>', 'bound of every single wait', integer(100, 600_000), 3000)
    .option('--settle <ms>', 'quiet period to conclude that nothing (else) arrives', integer(10, 60_000), 300)
    .option('--promote-rate <msgs/s>', 'hot-room promote rate, when the server does not advertise it', rate)
    .option('--demote-rate <msgs/s>', 'hot-room demote rate, when the server does not advertise it', rate)
    .option('--cool-down-ms <ms>', 'hot-room cool-down, when the server does not advertise it', integer(0))
    .option(
      '--rate-window-ms <ms>',
      'hot-room rate window, when the server does not advertise it',
      integer(100),
    )
    .option('--max-hot-rooms <n>', 'maximum hot rooms, when the server does not advertise it', integer(0))
    .option(
      '--only <ids>',
      'run only checks matching these ids or section prefixes (comma-separated, repeatable)',
      collect,
      [],
    )
    .option(
      '--skip <ids>',
      'skip checks matching these ids or section prefixes (comma-separated, repeatable)',
      collect,
      [],
    )
    .option('--list', 'list the checks (ids, levels and descriptions) and exit')
    .option(
      '--strict',
      'reference-level checks (our decisions) count for the verdict and exit code too, not only protocol-level ones',
    )
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .option('--seed <n>', 'seed of the hostile-frame generator', integer(0, 2 ** 31 - 1), 4242)
    .addOption(
      new Option('--hostile-runs <n>', 'hostile sequences per stream type')
        .argParser(integer(1, 1000))
        .default(8),
    )
    .option('--no-color', 'never colour the output')
    .addHelpText(
      'after',
      `
Levels: every check cites a spec/PROTOCOL.md rule and has its level. protocol: what any garou implementation
  must do (wire format, frame table, declared error codes, handshake). reference: our decision, marked
  "(our decision)" in PROTOCOL.md. The verdict counts protocol-level checks; --strict counts both.

Exit codes: 0 every counted check passed (skips allowed); 1 a counted check failed; 2 usage error;
  3 target unreachable; 4 internal error.`,
    );
  command.exitOverride((error: CommanderError) => {
    // Help is a success; every other parse error is a usage error (2). harness/cli.ts sets the exit code.
    throw new CommanderError(
      error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput,
      error.code,
      error.message,
    );
  });
  command.configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
  command.action(async (raw: RawOptions) => {
    const color = raw.color !== false && io.stdout.isTTY === true && process.env.NO_COLOR === undefined;
    const output: ConformanceOutput = {
      out: (text) => io.stdout.write(text),
      err: (text) => io.stderr.write(text),
      color,
      progress: io.stderr.isTTY === true,
    };
    const outcome = await runConformance(configFromOptions(raw), output);
    io.setExitCode(outcome.exitCode);
  });
  return command;
}
