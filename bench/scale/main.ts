/**
 * Scale: the same per-client workload (pods of 10, one room per client, a light message rate each) at
 * 1,000, 5,000, 20,000 and 50,000 clients against the reference server, to see what grows faster than the
 * work. Per size: connect rate reached, connect failures by reason, deliver/ack p50/p99, server and harness
 * CPU microseconds per delivery over the steady phase (from /proc/<pid>/stat and process.cpuUsage), CPU
 * microseconds per connect over the connect ramp (at 1,000 connects/s, 1,000 us per connect is a whole core), RSS
 * per client on each side, datagrams the kernel dropped at the harness's sockets, over the steady phase the machine's
 * UDP datagrams per delivery (retransmissions show here), its receive-buffer drops at any socket and the CPU other
 * processes used; and the CPU per delivery of each
 * size against the smallest size of the same run (the baseline; 1,000 clients by default). Each size runs in
 * its own process with its own server, so one size's heap does not count in the next one's memory figures.
 * The harness runs one load worker in-process by default; --workers N forks N load-worker processes (the run's
 * `workers` option), and the harness figures then sum this process and every worker (proc-sampler.ts).
 *
 * Run: npm run bench -- scale                    (every size: about 6 minutes)
 *      node --import tsx bench/scale/main.ts --sizes 1000,5000 --rate 0.05 --steady 20
 *      node --import tsx bench/scale/main.ts --sizes 50000 --rate 0.02 --workers 2
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { START_LEAD_MS, runScenario } from '../../harness/runner/coordinator.js';
import { EmbeddedServer } from '../../harness/runner/embedded-server.js';
import { loadScenario } from '../../harness/scenario/load.js';
import { withMallocHugePages } from '../../harness/runner/malloc-huge-pages.js';
import { YOUNG_GENERATION_FLAG } from '../../harness/runner/young-generation.js';
import { phaseLoopMaxMs } from './loop-stall.js';
import { parseStall, scheduleStall } from './injected-stall.js';
import { ProcSampler } from './proc-sampler.js';

const DEFAULT_SIZES = [1000, 5000, 20_000, 50_000];
const POD_SIZE = 10;
/** First connects in flight at once (measured at 5,000 clients on the shared 2-core machine: 512 reached 379-618/s, 256 208-303/s, both without failures). */
const DEFAULT_MAX_CONNECTING = 512;

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: DEFAULT_SIZES.join(',') },
    /** Messages per second per client. */
    rate: { type: 'string', default: '0.02' },
    'connect-rate': { type: 'string', default: '1000' },
    /** clients.max_connecting of the scenario; 0 = no bound (open-loop ramp). */
    'max-connecting': { type: 'string', default: String(DEFAULT_MAX_CONNECTING) },
    /** Steady phase, seconds. */
    steady: { type: 'string', default: '30' },
    /** Load workers: 1 runs in-process, N > 1 forks N worker processes (runScenario's `workers`). */
    workers: { type: 'string', default: '1' },
    /** Keep each size's run report (summary.json with loss and anomaly examples, report.html) under this folder. */
    reports: { type: 'string' },
    /** A deliberate stall in the steady phase, WHO:SECONDS:MS (injected-stall.ts), to reproduce a collapse. */
    stall: { type: 'string' },
    /** The server's --large-room-threshold (PROTOCOL.md 16.2); unset: the server's default (50). */
    'large-room-threshold': { type: 'string' },
    /** Internal: run one size and print its figures as JSON. */
    one: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help === true) {
  console.log(`Usage: npm run bench -- scale [options]
The same per-client workload (pods of ${POD_SIZE}, one room per client) at several client counts against the
embedded reference server; CPU per delivery per size against the smallest size measured in the same run.
  --sizes LIST          client counts, comma-separated (default ${DEFAULT_SIZES.join(',')})
  --rate R              messages per second per client (default 0.02)
  --connect-rate N      connects per second (default 1000)
  --max-connecting N    first connects in flight at once, clients.max_connecting (default ${DEFAULT_MAX_CONNECTING};
                        0 = no bound: the ramp keeps the asked rate however far the handshakes fall behind)
  --steady S            steady phase, seconds (default 30)
  --workers N           load workers (default 1: in-process with the coordinator; N > 1 forks N worker
                        processes that share the clients and relay acks through the coordinator); the harness
                        columns sum the coordinator and every worker process
  --reports DIR         keep each size's run report (summary.json with its anomaly examples, report.html) in
                        DIR/<clients>/ instead of deleting it (default: not kept)
  --stall WHO:S:MS      stop the harness or the server (WHO) for MS ms, S seconds into the steady phase: a
                        collapse on demand (e.g. harness:5:1000; default: none)
  --large-room-threshold N
                        the server's large-room threshold (PROTOCOL.md 16.2; default: the server's, 50). Every
                        client is auto-joined to General and leaves it a round trip later, so during a connect
                        ramp General holds ~(connects/s x that round trip) members: below N each of them gets
                        every other one's RoomUserJoined/RoomUserLeft and the General RoomInit lists them all`);
  process.exit(0);
}

/** What one size measured (printed by the child as one JSON line). */
interface SizeFigures {
  clients: number;
  connects: number;
  connectRate: number;
  connectFailures: Record<string, number>;
  notReady: number;
  deliverP50: number;
  deliverP99: number;
  ackP50: number;
  ackP99: number;
  deliveries: number;
  loss: number;
  ackTimeouts: number;
  serverCpuUsPerDelivery: number;
  harnessCpuUsPerDelivery: number;
  /** CPU over the connect ramp (first connect start to every client ready) per connect, µs. */
  serverCpuUsPerConnect: number;
  harnessCpuUsPerConnect: number;
  serverRssKbPerClient: number;
  harnessRssKbPerClient: number;
  harnessDrops: number | null;
  machineRcvbufErrors: number | null;
  /**
   * UDP datagrams sent on the machine over the steady phase, per delivery (server and harness, both ways). A
   * held run sends ~1.07 each way (~2.1); retransmissions after a stall (the server's loss timers firing on
   * thousands of connections at once) double it or more.
   */
  datagramsPerDelivery: number;
  /** Datagrams the kernel dropped at full receive buffers over the steady phase, every socket of the machine. */
  steadyUdpDrops: number;
  /** CPU the rest of the machine used over the steady phase (not the server, not the harness), in cores. */
  otherCpuCores: number;
  /** The same over the connect ramp, where the connect rate is measured. */
  rampOtherCpuCores: number;
  /** The harness's longest event-loop stall in the steady phase, ms (null: not measured). */
  harnessLoopMaxMs: number | null;
}

function scenarioText(
  clients: number,
  rate: number,
  connectRate: number,
  maxConnecting: number,
  steadyS: number,
): string {
  const bound = maxConnecting > 0 ? `, max_connecting: ${maxConnecting}` : '';
  return `
name: scale-${clients}
seed: 12
clients: { count: ${clients}, connect_rate: ${connectRate}${bound}, username: "scale-{i}" }
rooms:
  - { name: pods, count: ${Math.ceil(clients / POD_SIZE)}, size: ${POD_SIZE} }
message_size: { fixed: 64 }
correctness: { grace: 5s }
phases:
  - { name: steady, duration: ${steadyS}s, rate: { per_client: ${rate} } }
`;
}

/** Child: one size against its own server; prints SizeFigures as JSON on stdout. */
async function runOne(clients: number): Promise<void> {
  const rate = Number(flags.rate);
  const connectRate = Number(flags['connect-rate']);
  const dir = await mkdtemp(join(tmpdir(), 'garou-bench-scale-'));
  const file = join(dir, 'scale.yaml');
  await writeFile(
    file,
    scenarioText(clients, rate, connectRate, Number(flags['max-connecting']), Number(flags.steady)),
  );
  // Started here (not by runScenario) to know its pid; with the settings `run` would give it.
  const server = await EmbeddedServer.start((await loadScenario(file)).server, {
    extraFlags: [
      '--max-connections',
      String(clients + 100),
      '--max-unauthenticated-per-address',
      String(clients + 100),
      ...(flags['large-room-threshold'] === undefined
        ? []
        : ['--large-room-threshold', flags['large-room-threshold']]),
    ],
  });
  const pid = server.pid as number;
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sampler = new ProcSampler(pid);
  const base = sampler.samples[0] as NonNullable<(typeof sampler.samples)[0]>;
  const eventsFile = join(dir, 'events.ndjson');
  const cancelStall =
    flags.stall === undefined
      ? () => undefined
      : scheduleStall(parseStall(flags.stall), eventsFile, pid, (line) =>
          process.stderr.write(`  [${clients}] ${line}\n`),
        );
  try {
    const outcome = await runScenario({
      scenarioFile: file,
      target: `${server.host}:${server.port}`,
      outDir: flags.reports === undefined ? join(dir, 'reports') : join(flags.reports, String(clients)),
      progress: null,
      log: (line) => process.stderr.write(`  [${clients}] ${line}\n`),
      workers: Number(flags.workers),
      ...(flags.stall === undefined ? {} : { liveOutputs: { eventsFile } }),
    });
    sampler.stop();
    const r = outcome.result;
    const phase = r.phases[0];
    if (phase === undefined) throw new Error('no steady phase in the result');
    const startMs = Date.parse(r.startedAt) + phase.startOffsetMs;
    const endMs = startMs + phase.durationMs;
    const deliveries = phase.counters.delivered;
    /** Growth of a sampled figure (CPU µs of one side, datagrams) between two instants, per `count` events (NaN without events). */
    const perEvent = (
      field: 'serverCpuUs' | 'harnessCpuUs' | 'udpOutDatagrams',
      fromMs: number,
      toMs: number,
      count: number,
    ): number => (count > 0 ? (sampler.at(toMs, field) - sampler.at(fromMs, field)) / count : NaN);
    /** Cores the rest of the machine (not the server, not the harness) used between two instants. */
    const otherCores = (fromMs: number, toMs: number): number =>
      (['machineCpuUs', 'serverCpuUs', 'harnessCpuUs'] as const)
        .map((field, i) => (i === 0 ? 1 : -1) * (sampler.at(toMs, field) - sampler.at(fromMs, field)))
        .reduce((a, b) => a + b) /
      (toMs - fromMs) /
      1000;
    const rssPerClientKb = (field: 'serverRssBytes' | 'harnessRssBytes'): number =>
      (sampler.maxBetween(startMs, endMs, field) - base[field]) / 1024 / Math.max(1, r.counters.connects);
    // Connects reached: from the first connect start until every client was connected (or had failed) and in its
    // rooms, which is when the steady phase is scheduled (START_LEAD_MS before it starts). With max_connecting the
    // ramp may run slower than asked, so the asked rate's schedule ((n - 1) / rate + the slowest handshake) would
    // overstate it.
    const rampStartMs = Date.parse(r.startedAt);
    const rampEndMs = startMs - START_LEAD_MS;
    const rampS = Math.max((rampEndMs - rampStartMs) / 1000, (clients - 1) / connectRate);
    const failures: Record<string, number> = {};
    for (const [reason, entry] of Object.entries(r.connectFailures?.byReason ?? {}))
      failures[reason] = entry.count;
    const figures: SizeFigures = {
      clients,
      connects: r.counters.connects,
      connectRate: r.counters.connects / Math.max(rampS, 1e-3),
      connectFailures: failures,
      notReady: r.readiness?.notReady ?? 0,
      deliverP50: r.latency.deliver.p50,
      deliverP99: r.latency.deliver.p99,
      ackP50: r.latency.ack.p50,
      ackP99: r.latency.ack.p99,
      deliveries,
      loss: r.correctness.total.loss,
      ackTimeouts: r.errorsByCode.ack_timeout ?? 0,
      serverCpuUsPerDelivery: perEvent('serverCpuUs', startMs, endMs, deliveries),
      harnessCpuUsPerDelivery: perEvent('harnessCpuUs', startMs, endMs, deliveries),
      serverCpuUsPerConnect: perEvent('serverCpuUs', rampStartMs, rampEndMs, r.counters.connects),
      harnessCpuUsPerConnect: perEvent('harnessCpuUs', rampStartMs, rampEndMs, r.counters.connects),
      serverRssKbPerClient: rssPerClientKb('serverRssBytes'),
      harnessRssKbPerClient: rssPerClientKb('harnessRssBytes'),
      harnessDrops: r.harnessSockets?.drops ?? null,
      machineRcvbufErrors: r.harnessSockets?.machineRcvbufErrors ?? null,
      datagramsPerDelivery: perEvent('udpOutDatagrams', startMs, endMs, deliveries),
      steadyUdpDrops: sampler.at(endMs, 'udpRcvbufErrors') - sampler.at(startMs, 'udpRcvbufErrors'),
      otherCpuCores: otherCores(startMs, endMs),
      rampOtherCpuCores: otherCores(rampStartMs, rampEndMs),
      harnessLoopMaxMs: phaseLoopMaxMs(r, phase.name),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    cancelStall();
    sampler.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parent: each size in a child process; then the table. */
async function runAll(): Promise<void> {
  const sizes = (flags.sizes ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= POD_SIZE);
  if (sizes.length === 0) throw new Error(`--sizes needs client counts >= ${POD_SIZE}, got "${flags.sizes}"`);
  if (flags.stall !== undefined) parseStall(flags.stall);
  const workers = Number(flags.workers);
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`--workers needs an integer >= 1, got "${flags.workers}"`);
  console.log(
    `pods of ${POD_SIZE}, ${flags.rate} msg/s per client, connect at ${flags['connect-rate']}/s ` +
      `(at most ${Number(flags['max-connecting']) > 0 ? flags['max-connecting'] : 'unbounded'} in flight), steady ${flags.steady} s; ` +
      `embedded reference server; sizes ${sizes.join(', ')}` +
      `; ${flags.workers} load worker(s)` +
      (flags.stall === undefined ? '' : `; injected stall ${flags.stall} (harness|server:s into steady:ms)`),
  );
  const results: (SizeFigures | string)[] = [];
  for (const clients of sizes) {
    process.stderr.write(`running ${clients} clients...\n`);
    results.push(await runChild(clients));
  }
  printTable(results);
}

function runChild(clients: number): Promise<SizeFigures | string> {
  const args = [
    YOUNG_GENERATION_FLAG,
    '--expose-gc',
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    '--one',
    String(clients),
    '--rate',
    String(flags.rate),
    '--connect-rate',
    String(flags['connect-rate']),
    '--max-connecting',
    String(flags['max-connecting']),
    '--steady',
    String(flags.steady),
    '--workers',
    String(flags.workers),
    ...(flags.reports === undefined ? [] : ['--reports', resolvePath(flags.reports)]),
    ...(flags.stall === undefined ? [] : ['--stall', flags.stall]),
    ...(flags['large-room-threshold'] === undefined
      ? []
      : ['--large-room-threshold', flags['large-room-threshold']]),
  ];
  return new Promise((resolve) => {
    // The harness side gets what a load worker gets (the embedded server gets it from EmbeddedServer).
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: withMallocHugePages(),
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      let parsed: (SizeFigures & { error?: undefined }) | { error: string } | null = null;
      try {
        parsed = JSON.parse(line) as SizeFigures | { error: string };
      } catch {
        // no figures: the child died
      }
      if (parsed !== null && parsed.error === undefined) resolve(parsed);
      else resolve(`${clients} clients: run failed (${parsed?.error ?? signal ?? `exit ${code}`})`);
    });
  });
}

const fmt = (n: number | null, digits = 1): string =>
  n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);

function printTable(results: (SizeFigures | string)[]): void {
  const ok = results.filter((r): r is SizeFigures => typeof r !== 'string');
  const baseline = ok[0];
  const rows = [
    [
      'clients',
      'connects/s',
      'failures',
      'not ready',
      'deliver p50/p99 ms',
      'ack p50/p99 ms',
      'deliveries',
      'loss',
      'ack t/o',
      'server us/deliv',
      'harness us/deliv',
      'server us/conn',
      'harness us/conn',
      'server KB/client',
      'harness KB/client',
      'harness drops',
      'dgrams/deliv',
      'steady udp drops',
      'other CPU',
      'ramp other CPU',
      'harness stall ms',
      'x server',
      'x harness',
    ],
  ];
  for (const r of ok) {
    const failures = Object.entries(r.connectFailures);
    rows.push([
      String(r.clients),
      fmt(r.connectRate, 0),
      failures.length === 0 ? '0' : failures.map(([reason, n]) => `${reason} ${n}`).join(', '),
      String(r.notReady),
      `${fmt(r.deliverP50)}/${fmt(r.deliverP99)}`,
      `${fmt(r.ackP50)}/${fmt(r.ackP99)}`,
      String(r.deliveries),
      String(r.loss),
      String(r.ackTimeouts),
      fmt(r.serverCpuUsPerDelivery),
      fmt(r.harnessCpuUsPerDelivery),
      fmt(r.serverCpuUsPerConnect, 0),
      fmt(r.harnessCpuUsPerConnect, 0),
      fmt(r.serverRssKbPerClient),
      fmt(r.harnessRssKbPerClient),
      r.harnessDrops === null ? 'unknown' : String(r.harnessDrops),
      fmt(r.datagramsPerDelivery, 2),
      fmt(r.steadyUdpDrops, 0),
      fmt(r.otherCpuCores, 2),
      fmt(r.rampOtherCpuCores, 2),
      fmt(r.harnessLoopMaxMs, 0),
      baseline ? fmt(r.serverCpuUsPerDelivery / baseline.serverCpuUsPerDelivery, 2) : '-',
      baseline ? fmt(r.harnessCpuUsPerDelivery / baseline.harnessCpuUsPerDelivery, 2) : '-',
    ]);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i] as number)).join('  '));
  if (baseline)
    console.log(
      `x server / x harness: CPU per delivery against ${baseline.clients} clients in this run (goal at 50,000: <= 1.5)\n` +
        'dgrams/deliv: UDP datagrams sent on the machine per delivery over the steady phase, both ways (~2.1 when\n' +
        'nothing is retransmitted); steady udp drops: receive-buffer drops at any socket of the machine then; other\n' +
        'CPU: cores used by other processes then (a busy machine makes both sides late), ramp other CPU: the same over\n' +
        'the connect ramp (it slows the connects/s); harness stall ms: the\n' +
        "harness's longest event-loop stall in the steady phase (longer than ~100 ms, the server's loss timers fire)",
    );
  for (const r of results) if (typeof r === 'string') console.log(r);
}

if (flags.one !== undefined) {
  try {
    await runOne(Number(flags.one));
  } catch (error) {
    // The parent prints this line in place of the figures (e.g. "no client could connect ...: handshake-timeout").
    process.stdout.write(
      `${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exitCode = 1;
  }
} else await runAll();
