/**
 * One `garou-bench conformance` invocation as a function: start the embedded reference server unless a target was
 * given, resolve the target, run the selected checks, print the console tree, write the JSON / JUnit files, and
 * return the process exit code (0 all counted checks passed, 1 a counted check failed, 2 usage, 3 target unreachable,
 * 4 internal error). Protocol-level checks always count; reference-level ones with `strict`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ExitCode } from '../exit-codes.js';
import { ALL_CHECKS } from './checks/index.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { formatCheckList, formatConsoleReport, progressLine, waitLine } from './report/console-report.js';
import { formatJsonReport } from './report/json-report.js';
import { formatJunitReport } from './report/junit-report.js';
import type { SuiteResult } from './results.js';
import { selectChecks } from './selection.js';
import type { HotRoomParams } from './suite-environment.js';
import { TargetUnreachableError, runSuite } from './suite-runner.js';
import { ResolvedTarget, parseHostPort, type HostAndPort } from './target.js';

/** Everything an invocation needs (already parsed and validated by the CLI). */
export interface ConformanceConfig {
  /** `host:port`; null starts the embedded reference server. */
  readonly target: string | null;
  readonly alpn: string;
  readonly serverName: string | null;
  /** Path of a PEM CA file; null: do not verify the certificate. */
  readonly caFile: string | null;
  readonly timeoutMs: number;
  readonly settleMs: number;
  readonly seed: number;
  readonly hostileRuns: number;
  /** Hot-room parameters from flags (used when the server does not advertise its own). */
  readonly hot: Partial<Omit<HotRoomParams, 'source'>>;
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly list: boolean;
  /** Reference-level failures count for the verdict and exit code too (--strict). */
  readonly strict: boolean;
  readonly junitFile: string | null;
  readonly jsonFile: string | null;
}

/** Where an invocation writes. */
export interface ConformanceOutput {
  /** Report text (stdout). */
  out(text: string): void;
  /** Diagnostics and progress (stderr). */
  err(text: string): void;
  /** Colour the report (the CLI sets it on a TTY). */
  readonly color: boolean;
  /** Show per-check progress on `err` (the CLI sets it when stderr is a TTY). */
  readonly progress: boolean;
}

/** Outcome of an invocation. */
export interface ConformanceOutcome {
  readonly exitCode: ExitCode;
  readonly result: SuiteResult | null;
}

/** A command-line problem (exit code 2). */
export class ConformanceUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceUsageError';
  }
}

/** Embedded-server settings (file keys) from hot-room flags. */
function embeddedOverrides(hot: ConformanceConfig['hot']): Record<string, number> {
  const out: Record<string, number> = {};
  if (hot.promoteRate !== undefined) out.promote_rate = hot.promoteRate;
  if (hot.demoteRate !== undefined) out.demote_rate = hot.demoteRate;
  if (hot.coolDownMs !== undefined) out.cool_down_ms = hot.coolDownMs;
  if (hot.rateWindowMs !== undefined) out.rate_window_ms = hot.rateWindowMs;
  if (hot.maxHotRooms !== undefined) out.max_hot_rooms = hot.maxHotRooms;
  return out;
}

/** Runs one invocation; never throws (internal errors become exit code 4 with a message). */
export async function runConformance(
  config: ConformanceConfig,
  output: ConformanceOutput,
): Promise<ConformanceOutcome> {
  try {
    return await invoke(config, output);
  } catch (error) {
    if (error instanceof ConformanceUsageError) {
      output.err(`garou-bench conformance: ${error.message}\n`);
      return { exitCode: ExitCode.InvalidInput, result: null };
    }
    output.err(
      `garou-bench conformance: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return { exitCode: ExitCode.InternalError, result: null };
  }
}

async function invoke(config: ConformanceConfig, output: ConformanceOutput): Promise<ConformanceOutcome> {
  const selection = selectChecks(ALL_CHECKS, config.only, config.skip);
  if (selection.unmatched.length > 0)
    throw new ConformanceUsageError(
      `no check matches ${selection.unmatched.map((p) => `"${p}"`).join(', ')} (see --list)`,
    );
  let address: HostAndPort;
  try {
    address = config.target === null ? { host: '127.0.0.1', port: 0 } : parseHostPort(config.target);
  } catch (error) {
    throw new ConformanceUsageError((error as Error).message);
  }
  if (config.list) {
    output.out(formatCheckList(selection.checks));
    return { exitCode: ExitCode.Ok, result: null };
  }
  let ca: string | null = null;
  if (config.caFile !== null) {
    try {
      ca = readFileSync(config.caFile, 'utf8');
    } catch (error) {
      throw new ConformanceUsageError(`--ca: cannot read ${config.caFile}: ${(error as Error).message}`);
    }
  }
  let embedded: EmbeddedServer | null = null;
  let target: ResolvedTarget | null = null;
  try {
    if (config.target === null) {
      try {
        embedded = await startEmbeddedServer(embeddedOverrides(config.hot));
      } catch (error) {
        output.err(
          `garou-bench conformance: cannot start the embedded reference server: ${(error as Error).message}\n`,
        );
        return { exitCode: ExitCode.InternalError, result: null };
      }
      address = { host: embedded.address.host, port: embedded.address.port };
    }
    const serverName = config.serverName ?? (/^[\d.]+$|:/.test(address.host) ? 'localhost' : address.host);
    try {
      target = await ResolvedTarget.open(address, {
        ca,
        serverName,
        handshakeTimeoutMs: Math.max(1000, config.timeoutMs),
      });
    } catch (error) {
      output.err(
        `garou-bench conformance: target ${config.target ?? ''} unreachable: ${(error as Error).message}\n`,
      );
      return { exitCode: ExitCode.TargetUnreachable, result: null };
    }
    let result: SuiteResult;
    try {
      result = await runSuite({
        target,
        embedded: embedded !== null,
        settings: {
          timeoutMs: config.timeoutMs,
          settleMs: config.settleMs,
          alpn: config.alpn,
          seed: config.seed,
          hostileRuns: config.hostileRuns,
        },
        hotFlags: config.hot,
        checks: selection.checks,
        notSelected: selection.notSelected,
        strict: config.strict,
        onResult: output.progress ? (r, i, total) => output.err(`${progressLine(r, i, total)}\n`) : undefined,
        onWait: (checkId, what, waitMs) => output.err(`${waitLine(checkId, what, waitMs)}\n`),
      });
    } catch (error) {
      if (!(error instanceof TargetUnreachableError)) throw error;
      output.err(`garou-bench conformance: target unreachable: ${error.message}\n`);
      return { exitCode: ExitCode.TargetUnreachable, result: null };
    }
    output.out(formatConsoleReport(result, output.color));
    if (config.jsonFile !== null) writeFileSync(config.jsonFile, formatJsonReport(result));
    if (config.junitFile !== null) writeFileSync(config.junitFile, formatJunitReport(result));
    return { exitCode: result.verdict === 'fail' ? ExitCode.ChecksFailed : ExitCode.Ok, result };
  } finally {
    await target?.close();
    await embedded?.stop();
  }
}
