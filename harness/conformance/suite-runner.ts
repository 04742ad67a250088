/**
 * Runs a selection of checks against one target: a discovery handshake first (is the target reachable, what does
 * its HelloAck say about shards and hot rooms), then each check in order with its own fresh connections, a hard
 * time cap, and a verdict that never escapes as an exception.
 */
import { compareU64, type HotRoomConfig } from '../../spec/index.js';
import { CheckContext } from './check-context.js';
import { CheckConditionsMeter, describeConditions, harnessStalled } from './check-conditions.js';
import { CheckFailed, CheckSkipped, levelOf, sectionOf, type ConformanceCheck } from './check.js';
import { ProbeConnectError, ProbeConnection, type ProbeTarget } from './probe-connection.js';
import { summarize, summarizeByLevel, verdictOf, type CheckResult, type SuiteResult } from './results.js';
import {
  DEFAULT_HOT_ROOM_PARAMS,
  SuiteEnvironment,
  type HotRoomParams,
  type RunSettings,
  type TargetParams,
} from './suite-environment.js';

/** The target could not be reached (no QUIC handshake completed). */
export class TargetUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnreachableError';
  }
}

/** What a run needs. */
export interface SuiteRunOptions {
  readonly target: ProbeTarget;
  readonly embedded: boolean;
  readonly settings: RunSettings;
  /** Hot-room parameters from the command line, used when the server does not advertise its own. */
  readonly hotFlags: Partial<Omit<HotRoomParams, 'source'>>;
  readonly checks: readonly ConformanceCheck[];
  /** Checks left out by --only / --skip, reported as skipped with the reason. */
  readonly notSelected?: readonly { readonly check: ConformanceCheck; readonly reason: string }[];
  /** Reference-level failures count for the verdict too (--strict). */
  readonly strict?: boolean;
  /** Called after each check (progress output). */
  readonly onResult?: (result: CheckResult, index: number, total: number) => void;
  /** Called when a check starts a long wait (what it waits for, and for how long). */
  readonly onWait?: (checkId: string, what: string, waitMs: number) => void;
}

/** Hot-room parameters from an advertised config (PROTOCOL.md 16.1). */
function fromAdvertised(config: HotRoomConfig): HotRoomParams {
  return {
    promoteRate: config.promote_rate,
    demoteRate: config.demote_rate,
    coolDownMs: Number(config.cool_down_ms),
    rateWindowMs: Number(config.rate_window_ms),
    maxHotRooms: config.max_hot_rooms,
    source: 'advertised',
  };
}

/** Parameters from flags over the spec defaults. */
function fromFlags(flags: SuiteRunOptions['hotFlags']): HotRoomParams {
  const given = Object.values(flags).some((v) => v !== undefined);
  return { ...DEFAULT_HOT_ROOM_PARAMS, ...stripUndefined(flags), source: given ? 'flags' : 'defaults' };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Connects once, sends Hello and reads HelloAck: the shard count and, when advertised and sane, the hot-room
 * parameters. A HelloAck that breaks its schema is read leniently (its checks report it). Throws
 * TargetUnreachableError when the QUIC handshake fails.
 */
export async function discoverTarget(options: SuiteRunOptions): Promise<TargetParams> {
  let probe: ProbeConnection;
  try {
    probe = await ProbeConnection.open(options.target, {
      alpn: options.settings.alpn,
      label: 'discovery',
      defaultNumShards: 8,
    });
  } catch (error) {
    if (error instanceof ProbeConnectError) throw new TargetUnreachableError(error.message);
    throw error;
  }
  try {
    probe.hello();
    const first = await probe
      .until(() => probe.on('control').find((f) => f.name === 'HelloAck'), {
        timeoutMs: options.settings.timeoutMs,
        expected: 'HelloAck',
      })
      .catch(() => undefined);
    const numShards = probe.numShards;
    let advertised: HotRoomConfig | null = null;
    if (first?.frame?.name === 'HelloAck') advertised = first.frame.payload.hot_room_config;
    else if (first) advertised = lenientHotConfig(first.text);
    const sane =
      advertised !== null &&
      advertised.demote_rate <= advertised.promote_rate &&
      compareU64(advertised.rate_window_ms, 100) >= 0;
    return { numShards, hot: sane ? fromAdvertised(advertised!) : fromFlags(options.hotFlags) };
  } finally {
    probe.close();
  }
}

/** hot_room_config out of a HelloAck payload that failed validation, if it is usable. */
function lenientHotConfig(text: string): HotRoomConfig | null {
  try {
    const config = (JSON.parse(text) as { hot_room_config?: Record<string, unknown> }).hot_room_config;
    if (!config) return null;
    const numbers = ['promote_rate', 'demote_rate', 'cool_down_ms', 'rate_window_ms', 'max_hot_rooms'].map(
      (k) => config[k],
    );
    if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
    return config as unknown as HotRoomConfig;
  } catch {
    return null;
  }
}

/** Default hard cap of a check: several single waits. */
function defaultBudget(settings: RunSettings): number {
  return 10 * settings.timeoutMs + 4 * settings.settleMs + 2000;
}

/**
 * Runs one check to a verdict: pass, fail (expected vs actual) or skip. Never throws. A failure carries the
 * harness's own conditions as evidence; a failure while the harness stalled (its event loop late by a second or
 * more, which starves the embedded server too) says nothing about the server, so the check runs once more and the
 * second verdict stands, with a warning that tells of the first.
 */
export async function runCheck(env: SuiteEnvironment, check: ConformanceCheck): Promise<CheckResult> {
  const first = await runCheckOnce(env, check);
  if (first.result.status !== 'fail' || !first.stalled) return first.result;
  const second = await runCheckOnce(env, check);
  const note =
    `run twice: the first attempt failed while the harness stalled (expected ${first.result.expected}; ` +
    `saw ${first.result.actual}; ${first.result.harness})`;
  return { ...second.result, warnings: [note, ...second.result.warnings] };
}

async function runCheckOnce(
  env: SuiteEnvironment,
  check: ConformanceCheck,
): Promise<{ result: CheckResult; stalled: boolean }> {
  const meter = new CheckConditionsMeter(env.target.endpoint);
  const ctx = new CheckContext(env, check);
  env.currentCheckId = check.id;
  const started = performance.now();
  let budget = defaultBudget(env.settings);
  try {
    budget = check.budgetMs?.(ctx) ?? budget;
  } catch {
    // A broken budget function keeps the default cap.
  }
  let timer: NodeJS.Timeout | undefined;
  const capped = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CheckFailed(
            `the check to finish within ${budget} ms`,
            'it did not (abandoned; its connections closed)',
          ),
        ),
      budget,
    );
  });
  const running = check.run(ctx);
  running.catch(() => undefined);
  const base = {
    id: check.id,
    title: check.title,
    section: sectionOf(check.id),
    rules: check.rules,
    level: levelOf(check),
  };
  let outcome: Omit<CheckResult, keyof typeof base | 'durationMs' | 'warnings'>;
  try {
    await Promise.race([running, capped]);
    outcome = { status: 'pass' };
  } catch (error) {
    if (error instanceof CheckSkipped) outcome = { status: 'skip', reason: error.reason };
    else if (error instanceof CheckFailed)
      outcome = { status: 'fail', expected: error.expected, actual: error.actual };
    else
      outcome = {
        status: 'fail',
        expected: 'the check to run to completion',
        actual: `unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      };
  } finally {
    clearTimeout(timer);
    ctx.dispose();
  }
  const conditions = meter.finish();
  if (outcome.status === 'fail') outcome = { ...outcome, harness: describeConditions(conditions) };
  const result: CheckResult = {
    ...base,
    ...outcome,
    durationMs: Math.round(performance.now() - started),
    warnings: [...ctx.warnings],
  };
  return { result, stalled: harnessStalled(conditions, env.settings.timeoutMs) };
}

/** Discovers the target, runs the checks in order, and returns the run's result. Throws TargetUnreachableError. */
export async function runSuite(options: SuiteRunOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const started = performance.now();
  const params = await discoverTarget(options);
  const env = new SuiteEnvironment(options.target, options.settings, params);
  if (options.onWait) env.onWait = options.onWait;
  const results: CheckResult[] = [];
  try {
    for (const [index, check] of options.checks.entries()) {
      const result = await runCheck(env, check);
      results.push(result);
      options.onResult?.(result, index, options.checks.length);
    }
  } finally {
    env.closeAll();
  }
  for (const { check, reason } of options.notSelected ?? [])
    results.push({
      id: check.id,
      title: check.title,
      section: sectionOf(check.id),
      rules: check.rules,
      level: levelOf(check),
      status: 'skip',
      reason,
      notSelected: true,
      durationMs: 0,
      warnings: [],
    });
  const strict = options.strict === true;
  return {
    target: options.target.label,
    embedded: options.embedded,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    numShards: params.numShards,
    hot: params.hot,
    seed: options.settings.seed,
    checks: results,
    summary: summarize(results),
    levels: summarizeByLevel(results),
    strict,
    verdict: verdictOf(results, strict),
  };
}
