/**
 * Runs a scenario end to end (the parent side): target (embedded reference server or a given host:port),
 * probe, workers, the connect ramp, the phase windows, ack relaying between workers, live progress, then the
 * exact merge of every worker's result, the run result and the report files.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode } from '../exit-codes.js';
import { epochNowMs } from '../metrics/clock.js';
import { LiveMetrics } from '../metrics/live-metrics.js';
import { mergeProgress } from '../metrics/progress.js';
import type { ProgressSnapshot } from '../metrics/run-recorder.js';
import { buildRunResult } from '../metrics/run-result-builder.js';
import type { RunResult } from '../metrics/run-result.js';
import { mergeResults } from '../metrics/merge-results.js';
import {
  formatReadinessGroup,
  mergeReadinessGroups,
  type ReadinessReport,
} from '../metrics/readiness-report.js';
import { readMachineRcvbufErrors } from '../metrics/udp-drops.js';
import type { WorkerResult } from '../metrics/worker-result.js';
import { writeReport, type ReportPaths } from '../report/report-writer.js';
import { loadScenario } from '../scenario/load.js';
import { parseTarget } from '../scenario/normalize.js';
import type { HotRoomOptions, Scenario } from '../scenario/types.js';
import type { HotRoomConfig } from '../../spec/index.js';
import type { ClientOptions } from '../../transport/index.js';
import { EmbeddedServer, type ServerEntry } from './embedded-server.js';
import { drainAfterPhases, EndDrain, type MissingFigures } from './end-drain.js';
import { LoadWorker } from './load-worker.js';
import { LiveOutputs, type LiveOutputOptions } from './live-outputs.js';
import { ProgressPrinter, type ProgressStream } from './progress-printer.js';
import { RunError } from './run-error.js';
import { applyScenarioOverrides, type ScenarioOverrides } from './scenario-overrides.js';
import { probeTarget, resolveHost } from './target.js';
import { toolVersion } from './tool-version.js';
import { WHOLE_SCENARIO, type SegmentSpec } from './segment.js';
import { phaseWindows } from './traffic-plan.js';
import { childProcessLink, inProcessLink, type WorkerLink } from './worker-link.js';
import type { CoordinatorMessage, WorkerMessage, WorkerSetup } from './worker-protocol.js';

/** Options of a run (what `garou-bench run` passes). */
export interface RunOptions extends ScenarioOverrides {
  scenarioFile: string;
  /** "host:port" of a running server; overrides the scenario's target. */
  target?: string;
  /** PEM file of the CA to validate the server certificate with (default: no validation). */
  caFile?: string;
  /** TLS server name (SNI) for the probe and every client (default: the target host name when --ca is given). */
  serverName?: string;
  /** Worker processes (default 1: in this process). */
  workers?: number;
  /** The slice of the scenario to run (default 0/1, the whole scenario); n > 1 needs a `target`. */
  segment?: SegmentSpec;
  /** Absolute start of the first phase (epoch ms), shared by every segment: the start barrier. */
  startAtMs?: number;
  /** Base directory of the reports (default "reports"). */
  outDir?: string;
  /** Bound on connecting to the target, for the probe and every client (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long hot-stream messages wait for shard stragglers at a stream switch (default 250 ms). */
  switchHoldMs?: number;
  /** Live progress output, or null for none. */
  progress?: ProgressStream | null;
  /** Receives notes for the user (warnings, first errors), one line each. */
  log?: (line: string) => void;
  /** Live metrics while the run goes: Prometheus endpoint and/or NDJSON event stream (live-outputs.ts). */
  liveOutputs?: LiveOutputOptions;
  /** The program run as the embedded target (default: this package's garou-server), e.g. another build of it. */
  embeddedServer?: ServerEntry;
}

/** A completed run. */
export interface RunOutcome {
  /**
   * Ok when every threshold and expectation passed; Inconclusive when those that failed were measured while the
   * harness was unhealthy (result.verdict); ChecksFailed otherwise.
   */
  exitCode: ExitCode;
  result: RunResult;
  report: ReportPaths;
}

const LOAD_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 15_000;
const RESULT_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
/** How long workers get to say what their not-ready clients wait for. */
const READINESS_TIMEOUT_MS = 2_000;
/** Time between fixing the phase windows and the first phase, so every worker has them in time. */
export const START_LEAD_MS = 500;
/** A segment starting its phases at least this late after --start-at says so on the console. */
const LATE_START_WARNING_MS = 50;

/** Runs a scenario. Throws ScenarioError (invalid scenario) or RunError (usage, unreachable, internal). */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 64) {
    throw new RunError(
      ExitCode.InvalidInput,
      `--workers must be an integer from 1 to 64, got ${workerCount}`,
    );
  }
  const loaded = await loadScenario(options.scenarioFile);
  const scenarioText = await readFile(options.scenarioFile, 'utf8');
  const overrides: ScenarioOverrides = {};
  if (options.seed !== undefined) overrides.seed = options.seed;
  if (options.durationScale !== undefined) overrides.durationScale = options.durationScale;
  let scenario: Scenario;
  try {
    scenario = applyScenarioOverrides(loaded, overrides);
  } catch (error) {
    throw new RunError(ExitCode.InvalidInput, (error as Error).message);
  }
  const targetSpec = options.target === undefined ? scenario.target : parseTarget(options.target);
  if (targetSpec === undefined || (options.target !== undefined && targetSpec.kind === 'embedded')) {
    throw new RunError(
      ExitCode.InvalidInput,
      `--target must be host:port with a port from 1 to 65535, got "${options.target}"`,
    );
  }
  let caPem: string | undefined;
  if (options.caFile !== undefined) {
    try {
      caPem = await readFile(options.caFile, 'utf8');
    } catch (error) {
      throw new RunError(
        ExitCode.InvalidInput,
        `cannot read --ca ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const log = options.log ?? (() => undefined);
  const segment = options.segment ?? WHOLE_SCENARIO;
  const segmented = segment.count > 1;
  if (segmented && targetSpec.kind === 'embedded') {
    throw new RunError(
      ExitCode.InvalidInput,
      `--segment ${segment.index}/${segment.count} needs --target host:port: every segment must load the same server`,
    );
  }
  if (segmented && options.startAtMs === undefined) {
    log(
      `warning: --segment without --start-at: this segment starts its phases on its own clock, not with the others`,
    );
  }

  let server: EmbeddedServer | null = null;
  let group: WorkerGroup | null = null;
  let liveOutputs: LiveOutputs | null = null;
  try {
    let host: string;
    let port: number;
    let targetLabel: string;
    let serverName: string | undefined;
    if (targetSpec.kind === 'embedded') {
      // Room for every simulated client (the server refuses connections beyond its limit).
      const maxConnections = Math.max(10_000, scenario.clients.count + 100);
      server = await EmbeddedServer.start(scenario.server, {
        entry: options.embeddedServer,
        // Every simulated client comes from one address: the per-address pre-auth cap (17/unauthenticated-cap)
        // is for strangers, not for the harness's own connect bursts.
        extraFlags: [
          '--max-connections',
          String(maxConnections),
          '--max-unauthenticated-per-address',
          String(maxConnections),
          // Clients that log in with tokens need a server that trusts their secret.
          ...(scenario.clients.auth?.method === 'token'
            ? ['--token-secret', scenario.clients.auth.secret]
            : []),
        ],
      });
      host = server.host;
      port = server.port;
      targetLabel = `embedded (${host}:${port})`;
    } else {
      host = await resolveHost(targetSpec.host);
      port = targetSpec.port;
      targetLabel = `${targetSpec.host}:${port}`;
      if (caPem !== undefined && host !== targetSpec.host) serverName = targetSpec.host;
    }
    if (options.serverName !== undefined) serverName = options.serverName;
    const tls = {
      insecure: caPem === undefined,
      ...(caPem === undefined ? {} : { caPem }),
      ...(serverName ? { serverName } : {}),
    };
    const probeTls: ClientOptions = { insecure: tls.insecure };
    if (caPem !== undefined) probeTls.ca = caPem;
    if (serverName !== undefined) probeTls.serverName = serverName;
    const probe = await probeTarget(host, port, probeTls, connectTimeoutMs);
    const hotRooms = hotRoomsInForce(probe.helloAck.hot_room_config, scenario);

    const setup = (workerIndex: number): WorkerSetup => ({
      workerIndex,
      workerCount,
      segment,
      scenarioText,
      scenarioFile: options.scenarioFile,
      overrides,
      host,
      port,
      tls,
      hotRooms,
      connectTimeoutMs,
      switchHoldMs: options.switchHoldMs ?? 250,
    });
    const links =
      workerCount === 1
        ? [inProcessLink((coordinatorPort) => new LoadWorker(coordinatorPort))]
        : Array.from({ length: workerCount }, () => childProcessLink());
    group = new WorkerGroup(links, server);
    const printer = options.progress
      ? new ProgressPrinter(options.progress, {
          totalClients: Math.ceil((scenario.clients.count - segment.index) / segment.count),
        })
      : null;
    group.onProgress = (progress) => printer?.update(progress);
    liveOutputs = await LiveOutputs.open(group.live, options.liveOutputs ?? {});
    const outputs = liveOutputs;
    group.onTick = (nowMs) => outputs.tick(nowMs);
    if (outputs.metricsUrl !== null) log(`live metrics: ${outputs.metricsUrl}`);
    const note = (line: string): void => {
      printer?.clear();
      log(line);
    };

    links.forEach((link, i) => link.send({ type: 'setup', setup: setup(i) }));
    await group.waitAll('loaded', LOAD_TIMEOUT_MS);

    const rampMs = (scenario.clients.count * 1000) / scenario.clients.connectRate;
    // With a start barrier every segment derives the same connect start (and so the same timeline origin)
    // from it; a segment that is already past it connects at once, catching up on the ramp.
    const connectStartMs =
      options.startAtMs === undefined
        ? epochNowMs() + 100
        : options.startAtMs - connectLeadMs(rampMs, connectTimeoutMs);
    await group.sleepUntil(connectStartMs - 100);
    const rcvbufErrorsAtStart = readMachineRcvbufErrors();
    group.broadcast({ type: 'connect', connectStartMs });
    // With clients.max_connecting the ramp may run slower than asked: each place is freed at the latest by its
    // client's connect timeouts, so the wait allows every place that many rounds.
    const maxConnecting = scenario.clients.maxConnecting;
    const boundedRampMs =
      maxConnecting === null ? 0 : Math.ceil(scenario.clients.count / maxConnecting) * 3 * connectTimeoutMs;
    const ready = await group.waitAll(
      'ready',
      Math.max(rampMs, boundedRampMs) + 3 * connectTimeoutMs + 10_000,
      {
        partial: true,
      },
    );
    const connected = ready.reduce((sum, r) => sum + (r?.connected ?? 0), 0);
    const failures = ready.flatMap((r) => r?.failures ?? []);
    if (ready.every((r) => r !== undefined) && connected === 0) {
      throw new RunError(
        ExitCode.TargetUnreachable,
        `no client could connect to ${targetLabel}${failures.length ? `: ${failures[0]}` : ''}`,
      );
    }
    let readiness: ReadinessReport | null = null;
    if (ready.some((r) => r === undefined)) {
      readiness = await group.readiness(epochNowMs() - connectStartMs);
      note(
        `warning: ${readiness.notReady} client${readiness.notReady === 1 ? ' was' : 's were'} not connected and joined after ${Math.round(readiness.waitedMs / 1000)} s; starting anyway:`,
      );
      for (const line of readiness.groups) note(`  ${formatReadinessGroup(line)}`);
    }
    for (const failure of failures) note(`connect failure: ${failure}`);

    const firstPhaseMs = options.startAtMs ?? epochNowMs() + START_LEAD_MS;
    const phases = phaseWindows(scenario, firstPhaseMs);
    // The workers get the windows START_LEAD_MS ahead; past that, the phases start late (measured, reported).
    await group.sleepUntil(firstPhaseMs - START_LEAD_MS);
    const startLateMs = Math.max(0, epochNowMs() + START_LEAD_MS - firstPhaseMs);
    // A few ms late is timer jitter, not a slow connect: only a start later than that is worth a warning.
    if (options.startAtMs !== undefined && startLateMs >= LATE_START_WARNING_MS) {
      note(
        `warning: this segment started its phases ${Math.round(startLateMs)} ms after --start-at (connecting took too long)`,
      );
    }
    group.broadcast({ type: 'start', phases });
    const lastEnd = phases.at(-1)?.endMs ?? epochNowMs();
    await group.sleepUntil(lastEnd);
    const workers = group;
    const drain = await drainAfterPhases(
      new EndDrain({
        lastPhaseEndMs: lastEnd,
        graceMs: scenario.correctness.graceMs,
        maxMs: scenario.correctness.maxDrainMs,
      }),
      {
        now: epochNowMs,
        sleepUntil: (atMs) => workers.sleepUntil(atMs),
        figures: () => workers.missingFigures(),
        note,
        extended: () => printer?.waitingForLate(),
      },
    );

    group.onProgress = () => undefined;
    group.onTick = () => undefined;
    printer?.clear();
    group.broadcast({ type: 'drain' });
    await group.waitAll('drained', DRAIN_TIMEOUT_MS);
    group.broadcast({ type: 'finish' });
    const results = await group.waitAll('result', RESULT_TIMEOUT_MS);
    const endedAtMs = epochNowMs();
    printer?.clear();
    for (const r of results) for (const line of r.notes) note(line);

    const merged = mergeResults(results.map((r) => r.result as WorkerResult));
    const result = buildRunResult(merged, {
      scenario,
      target: targetLabel,
      workers: workerCount,
      startedAtMs: connectStartMs,
      endedAtMs,
      toolVersion: toolVersion(),
      machineRcvbufErrors: rcvbufDelta(rcvbufErrorsAtStart, readMachineRcvbufErrors()),
      readiness,
      drain,
    });
    if (segmented) {
      result.segment = {
        index: segment.index,
        count: segment.count,
        startAt: options.startAtMs === undefined ? null : new Date(options.startAtMs).toISOString(),
        startLateMs: options.startAtMs === undefined ? null : Math.round(startLateMs),
        latencyScope: 'same-segment',
        lossDetection: 'per-segment',
        crossSegmentDeliveries: merged.crossSegmentDeliveries ?? 0,
        ...(merged.ledger === undefined
          ? {}
          : {
              ledger: merged.ledger,
              clockOffset: merged.clockOffset ?? null,
              foreignDeliver: merged.foreignDeliver ?? [],
            }),
      };
    }
    const report = await writeReport(result, { baseDir: options.outDir ?? 'reports' });
    // A segment's thresholds see a slice of the run: the verdict belongs to `garou-bench merge`.
    const exitCode =
      segmented || result.passed
        ? ExitCode.Ok
        : result.verdict?.status === 'INCONCLUSIVE'
          ? ExitCode.Inconclusive
          : ExitCode.ChecksFailed;
    return { exitCode, result, report };
  } finally {
    await liveOutputs?.close(Date.now());
    await group?.stop(STOP_TIMEOUT_MS);
    await server?.stop();
  }
}

/**
 * How long before the start barrier a segment begins connecting: its share of the connect ramp (clients connect
 * at their global index / connect_rate), a few connect timeouts for stragglers, and a margin.
 */
export function connectLeadMs(rampMs: number, connectTimeoutMs: number): number {
  return rampMs + 2 * connectTimeoutMs + 1000;
}

/** Machine-wide receive-buffer drops between two readings; null when either is unknown. */
function rcvbufDelta(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : Math.max(0, after - before);
}

/** The hot-room parameters the target applies: its HelloAck hot_room_config, else the scenario's. */
function hotRoomsInForce(config: HotRoomConfig | null, scenario: Scenario): HotRoomOptions {
  if (config === null) return scenario.server.hotRooms;
  return {
    promoteRate: config.promote_rate,
    demoteRate: config.demote_rate,
    coolDownMs: Number(config.cool_down_ms),
    rateWindowMs: Number(config.rate_window_ms),
    maxHotRooms: config.max_hot_rooms,
  };
}

type MessageOf<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

/** The coordinator's view of its workers: broadcasts, awaited replies, ack relay, progress, failures. */
class WorkerGroup {
  onProgress: (progress: ProgressSnapshot) => void = () => undefined;
  /** Called once a second with the time, after the live metrics took the workers' reports. */
  onTick: (nowMs: number) => void = () => undefined;
  /** The workers' live reports, combined (live-metrics.ts). */
  readonly live: LiveMetrics;
  private readonly latest: (ProgressSnapshot | undefined)[];
  private readonly inbox = new Map<string, (WorkerMessage | undefined)[]>();
  private wake: (() => void) | null = null;
  private failure: RunError | null = null;
  private stopped = false;
  private readonly progressTimer: NodeJS.Timeout;
  private readonly serverWatch: NodeJS.Timeout | null;

  constructor(
    private readonly links: WorkerLink[],
    server: EmbeddedServer | null,
  ) {
    this.latest = links.map(() => undefined);
    this.live = new LiveMetrics(links.length);
    links.forEach((link, index) => {
      link.onMessage = (message) => this.receive(index, message);
      link.onExit = (code, signal) => {
        if (!this.stopped) this.fail(`worker ${index} exited unexpectedly (${signal ?? `code ${code}`})`);
      };
    });
    this.progressTimer = setInterval(() => {
      const nowMs = Date.now();
      // The progress line's p99 is exact over the last seconds (LIVE_WINDOW_MS), not since the start.
      if (this.latest.every((p) => p !== undefined))
        this.onProgress({
          ...mergeProgress(this.latest as ProgressSnapshot[]),
          p99Ms: this.live.windowP99Ms(nowMs),
        });
      this.onTick(nowMs);
    }, 1000);
    this.serverWatch =
      server === null
        ? null
        : setInterval(() => {
            if (server.hasExited && !this.stopped) {
              this.fail(
                `the embedded server exited during the run${server.recentStderr ? `:\n${server.recentStderr.trim()}` : ''}`,
              );
            }
          }, 250);
  }

  broadcast(message: CoordinatorMessage): void {
    for (const link of this.links) link.send(message);
  }

  /**
   * Waits for one message of `type` from every worker. On timeout: throws, or with `partial` returns what
   * arrived (undefined for the others).
   */
  async waitAll<T extends WorkerMessage['type']>(
    type: T,
    timeoutMs: number,
    options: { partial: true },
  ): Promise<(MessageOf<T> | undefined)[]>;
  async waitAll<T extends WorkerMessage['type']>(type: T, timeoutMs: number): Promise<MessageOf<T>[]>;
  async waitAll<T extends WorkerMessage['type']>(
    type: T,
    timeoutMs: number,
    options: { partial?: boolean } = {},
  ): Promise<(MessageOf<T> | undefined)[]> {
    const deadline = Date.now() + timeoutMs;
    const box = this.box(type);
    while (box.some((m) => m === undefined)) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (options.partial) break;
        throw new RunError(ExitCode.InternalError, `workers did not answer "${type}" within ${timeoutMs} ms`);
      }
      await this.waitForMessage(left);
    }
    if (this.failure) throw this.failure;
    this.inbox.delete(type);
    return box as (MessageOf<T> | undefined)[];
  }

  /** The workers' latest missing-delivery figures summed; null while some worker has not reported them. */
  missingFigures(): MissingFigures | null {
    const figures: MissingFigures = { missing: 0, late: 0 };
    for (const progress of this.latest) {
      if (progress?.missing === undefined || progress.late === undefined) return null;
      figures.missing += progress.missing;
      figures.late += progress.late;
    }
    return figures;
  }

  /** Asks every worker what its not-ready clients wait for (bounded wait) and merges the answers. */
  async readiness(waitedMs: number): Promise<ReadinessReport> {
    this.broadcast({ type: 'readiness' });
    const answers = await this.waitAll('readiness', READINESS_TIMEOUT_MS, { partial: true });
    const groups = mergeReadinessGroups(answers.map((a) => a?.groups ?? []));
    return {
      waitedMs: Math.round(waitedMs),
      notReady: groups.reduce((sum, g) => sum + g.clients, 0),
      groups,
    };
  }

  /** Sleeps until an epoch time, failing early if a worker or the server fails. */
  async sleepUntil(atMs: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const left = atMs - epochNowMs();
      if (left <= 0) return;
      await this.waitForMessage(Math.min(left, 1000));
    }
  }

  /** Asks every worker to stop and waits (bounded), then ends them. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.progressTimer);
    if (this.serverWatch !== null) clearInterval(this.serverWatch);
    const failed = this.failure !== null;
    this.failure = null;
    this.broadcast({ type: 'stop' });
    try {
      await this.waitAll('stopped', failed ? 2000 : timeoutMs, { partial: true });
    } catch {
      // a worker failed while stopping: it is ended below anyway
    }
    this.stopped = true;
    await Promise.all(this.links.map((link) => link.terminate(2000)));
  }

  private receive(index: number, message: WorkerMessage): void {
    switch (message.type) {
      case 'progress':
        this.latest[index] = message.progress;
        this.live.add(index, message.progress, message.live, Date.now());
        return;
      case 'acks':
        // Every worker must hear about every acked message (contract 1).
        this.links.forEach((link, i) => {
          if (i !== index) link.send(message);
        });
        return;
      case 'fatal':
        this.fail(`worker ${index} failed: ${message.message}`);
        return;
      default: {
        this.box(message.type)[index] = message;
        this.notify();
      }
    }
  }

  private box(type: string): (WorkerMessage | undefined)[] {
    let box = this.inbox.get(type);
    if (box === undefined) {
      box = this.links.map(() => undefined);
      this.inbox.set(type, box);
    }
    return box;
  }

  private fail(message: string): void {
    this.failure ??= new RunError(ExitCode.InternalError, message);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitForMessage(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
