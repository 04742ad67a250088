/**
 * Chat-traffic benchmark: the reference server's CPU time per delivery under real chat traffic, beside the plain
 * transport doing the same fan-out (BaselineChatServer), measured in the same run.
 *
 * - Real chat traffic: one sender posts single SendMessage frames at a fixed rate (open loop); every member is a
 *   chat client that acks each RoomMessage with MessageDelivered. So each message fans out as its own small
 *   packets, and every member answers each one: the cost is per packet and per event-loop turn, unlike
 *   bench/fanout's saturation load where one packet carries many deliveries.
 * - Each server runs in its own process; its CPU time (user + system) is read from /proc/<pid>/stat over the
 *   measurement window and divided by the deliveries (RoomMessage frames decoded by members) in the window.
 *   All clients run in one more process (chat-fleet.ts) on one client endpoint; packets per delivery are counted
 *   there: what the clients received is what the server sent, and the other way round (loopback).
 * - Offered loads (members x msg/s): 20 x 50, 50 x 40, 200 x 100, 400 x 100 (1k to 40k deliveries/s). Per load
 *   and round: baseline, server, server, baseline (ABBA), so that a drift in what else runs hits both alike.
 *   Medians over all windows are reported, with their spread.
 *
 * Run with `npm run bench -- chat-traffic`; options: `--rounds N` (default 1), `--window S` (seconds, default 4),
 * `--loads 20x50,200x100` (members x msg/s), `--previous DIR` (another checkout's reference server as a third side,
 * measured server, previous, previous, server between the baseline windows: a before/after in one run).
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { BenchChild } from '../fanout/fleet-process.js';
import { processCpuMicros, processWakeups } from './proc-cpu.js';
import type {
  ChatFleetCommand,
  ChatFleetReply,
  ChatFleetSnapshot,
  ServerCommand,
  ServerReply,
} from './protocol.js';

const USAGE = `Usage: node --import tsx bench/chat-traffic/main.ts [options]
Server CPU time per delivery under chat traffic, reference server vs plain transport, same run.
  --loads L    offered loads, MEMBERSxMSG_PER_S, comma-separated (default 20x50,50x40,200x100,400x100)
  --rounds N   repeat every load N times (each round: baseline, server, server, baseline; default 1)
  --window S   seconds per measurement window, after 1 s of warm-up (default 4)
  --fleets N   client processes; members of each load must split evenly (default 2)
  --previous DIR  also measure the reference server of another checkout of this repository (e.g. a git worktree
               of main, with its own node_modules) beside this one, same clients, same run: before/after figures
  --compare-udp-io  the reference server on batched native UDP I/O ("this") against the same server on
               node:dgram ("previous") in the same run (GAROU_UDP_IO for the server processes only)`;
const DEFAULT_LOADS = '20x50,50x40,200x100,400x100';
const WARMUP_MS = 1000;
/** The issue's goal: server CPU per delivery at most this many times the baseline's. */
const GOAL_RATIO = 1.2;

type Fleet = BenchChild<ChatFleetCommand, ChatFleetReply>;
/** Client processes: one cannot ack 20,000+ deliveries/s alone. */
type Fleets = Fleet[];
type ServerChild = BenchChild<ServerCommand, ServerReply>;

interface Load {
  members: number;
  rate: number;
}

/** One measurement window of one server at one load. */
interface Window {
  deliveriesPerSecond: number;
  cpuMicrosPerDelivery: number;
  /** Times the server's event loop blocked and was woken (voluntary context switches), per delivery. */
  wakeupsPerDelivery: number;
  serverSentPerDelivery: number;
  serverReceivedPerDelivery: number;
  fleetCores: number;
  /** Send-to-receive time of the load's deliveries (warm-up included), ms. */
  p99Ms: number;
  /** No member got a message twice or (once drained) missed one, and no client saw an error. */
  exact: boolean;
  /** Every member got every message before the drain deadline. */
  drained: boolean;
  firstError: string | null;
}

interface Side {
  name: 'reference' | 'baseline' | 'previous';
  child: ServerChild;
  windows: Map<string, Window[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (load: Load): string => `${load.members}x${load.rate}`;

/** A bad command-line option: reported with the usage, without a stack trace. */
class OptionError extends Error {}

interface Options {
  rounds: number;
  windowMs: number;
  loads: Load[];
  fleets: number;
  /** The previous server's script (--previous), or null. */
  previous: URL | null;
  /** --compare-udp-io: this server on native UDP I/O, the "previous" side the same server on node:dgram. */
  compareUdpIo: boolean;
}

function parseOptions(): Options {
  const options = {
    previous: { type: 'string' },
    'compare-udp-io': { type: 'boolean', default: false },
    fleets: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    window: { type: 'string', default: '4' },
    loads: { type: 'string', default: DEFAULT_LOADS },
    help: { type: 'boolean', default: false },
  } as const;
  let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
  try {
    values = parseArgs({ options }).values;
  } catch (error) {
    throw new OptionError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const rounds = Number(values.rounds);
  const windowS = Number(values.window);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new OptionError(`--rounds: expected an integer >= 1, got ${values.rounds}`);
  if (!(windowS >= 1)) throw new OptionError(`--window: expected seconds >= 1, got ${values.window}`);
  const loads = values.loads.split(',').map((text) => {
    const match = /^(\d+)x(\d+(?:\.\d+)?)$/.exec(text.trim());
    if (match === null) throw new OptionError(`--loads: expected MEMBERSxRATE (e.g. 200x100), got "${text}"`);
    const load = { members: Number(match[1]), rate: Number(match[2]) };
    if (load.members < 1 || load.rate <= 0)
      throw new OptionError(`--loads: "${text}" needs members >= 1 and rate > 0`);
    return load;
  });
  const fleets = Number(values.fleets);
  if (!Number.isInteger(fleets) || fleets < 1)
    throw new OptionError(`--fleets: expected an integer >= 1, got ${values.fleets}`);
  for (const load of loads) {
    if (load.members % fleets !== 0)
      throw new OptionError(`--loads: ${load.members} members do not split evenly over ${fleets} fleets`);
  }
  let previous: URL | null = null;
  if (values.previous !== undefined) {
    previous = pathToFileURL(`${values.previous.replace(/\/$/, '')}/bench/chat-traffic/server-process.ts`);
    if (!existsSync(previous))
      throw new OptionError(`--previous: no ${previous.pathname} (not a checkout of this repository)`);
  }
  const compareUdpIo = values['compare-udp-io'];
  if (compareUdpIo && previous !== null)
    throw new OptionError('--compare-udp-io and --previous exclude each other');
  return { rounds, windowMs: windowS * 1000, loads, fleets, previous, compareUdpIo };
}

/** The fleets' counters added up (atMs: the first fleet's clock). */
async function snapshot(fleets: Fleets): Promise<ChatFleetSnapshot> {
  const replies = await Promise.all(fleets.map((fleet) => fleet.request({ op: 'snapshot' })));
  const snapshots = replies.map((reply) => {
    if (reply.snapshot === undefined) throw new Error('chat fleet: snapshot missing');
    return reply.snapshot;
  });
  const sum = (pick: (s: ChatFleetSnapshot) => number): number => snapshots.reduce((n, s) => n + pick(s), 0);
  return {
    atMs: snapshots[0]!.atMs,
    deliveries: sum((s) => s.deliveries),
    cpuMicros: sum((s) => s.cpuMicros),
    packetsSent: sum((s) => s.packetsSent),
    packetsReceived: sum((s) => s.packetsReceived),
  };
}

/** The q-quantile of unsorted values. */
function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  values.sort();
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
}

/** Runs one load against one server: warm-up, one window, then a drained stop with the exactly-once check. */
async function measure(fleets: Fleets, side: Side, load: Load, windowMs: number): Promise<Window> {
  const share = load.members / fleets.length;
  // Receivers first, then the sender (fleet 0).
  for (let i = fleets.length - 1; i >= 0; i--) {
    const rate = i === 0 ? load.rate : 0;
    await fleets[i]!.request({ op: 'start', group: side.name, roomId: load.members, members: share, rate });
  }
  await sleep(WARMUP_MS);
  const cpuBefore = processCpuMicros(side.child.pid);
  const wakeupsBefore = processWakeups(side.child.pid);
  const first = await snapshot(fleets);
  await sleep(windowMs);
  const cpuAfter = processCpuMicros(side.child.pid);
  const wakeupsAfter = processWakeups(side.child.pid);
  const last = await snapshot(fleets);
  const sent = (await fleets[0]!.request({ op: 'halt' })).sent!;
  const summaries = await Promise.all(
    fleets.map(async (fleet) => (await fleet.request({ op: 'stop', sent })).summary!),
  );
  const latencies = Float64Array.from(summaries.flatMap((s) => s.latenciesMs));
  const deliveries = last.deliveries - first.deliveries;
  const elapsedMs = last.atMs - first.atMs;
  const per = (n: number): number => (deliveries > 0 ? n / deliveries : 0);
  return {
    deliveriesPerSecond: deliveries / (elapsedMs / 1000),
    cpuMicrosPerDelivery: per(cpuAfter - cpuBefore),
    wakeupsPerDelivery: per(wakeupsAfter - wakeupsBefore),
    serverSentPerDelivery: per(last.packetsReceived - first.packetsReceived),
    serverReceivedPerDelivery: per(last.packetsSent - first.packetsSent),
    fleetCores: (last.cpuMicros - first.cpuMicros) / 1000 / elapsedMs,
    p99Ms: quantile(latencies, 0.99),
    exact:
      summaries.every((s) => s.mismatchedMembers === 0 && s.errors === 0) &&
      (summaries[0]!.acks === sent || !summaries[0]!.drained),
    drained: summaries.every((s) => s.drained),
    firstError: summaries.find((s) => s.firstError !== null)?.firstError ?? null,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** "median (min-max)" of a field over windows. */
function spread(windows: Window[], pick: (w: Window) => number, digits: number): string {
  const values = windows.map(pick);
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values.length > 1
    ? `${fmt(median(values), digits)} (${fmt(low, digits)}-${fmt(high, digits)})`
    : fmt(median(values), digits);
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = performance.now();
  const loadBefore = loadAverage();
  const serverScript = new URL('./server-process.ts', import.meta.url);
  const sides: Side[] = [];
  const fleets: Fleets = [];
  try {
    for (const name of ['reference', 'baseline'] as const) {
      const args = name === 'reference' && options.compareUdpIo ? [name, 'native'] : [name];
      const child = await BenchChild.fork<ServerCommand, ServerReply>(serverScript, `${name} server`, args);
      sides.push({ name, child, windows: new Map() });
    }
    if (options.compareUdpIo) {
      const child = await BenchChild.fork<ServerCommand, ServerReply>(serverScript, 'dgram server', [
        'reference',
        'dgram',
      ]);
      sides.push({ name: 'previous', child, windows: new Map() });
    } else if (options.previous !== null) {
      const child = await BenchChild.fork<ServerCommand, ServerReply>(options.previous, 'previous server', [
        'reference',
      ]);
      sides.push({ name: 'previous', child, windows: new Map() });
    }
    for (let i = 0; i < options.fleets; i++) {
      const script = new URL('./chat-fleet.ts', import.meta.url);
      fleets.push(
        await BenchChild.fork<ChatFleetCommand, ChatFleetReply>(script, `chat fleet ${i}`, [String(i)]),
      );
    }
    const most = Math.max(...options.loads.map((l) => l.members));
    const share = most / options.fleets;
    for (const side of sides) {
      const { host, port } = await side.child.request({ op: 'address' });
      console.log(`${side.name}: connecting ${most} chat clients (${options.fleets} processes) ...`);
      for (const [i, fleet] of fleets.entries()) {
        const command = { group: side.name, count: share, before: i * share, host: host!, port: port! };
        await fleet.request({ op: 'connect', ...command });
      }
      for (const load of options.loads) {
        const members = load.members / options.fleets;
        for (const [i, fleet] of fleets.entries()) {
          const command = { group: side.name, roomId: load.members, members, before: i * members };
          await fleet.request({ op: 'join', ...command });
        }
      }
    }
    // The last joins' RoomUserJoined frames may still be on their way to earlier fleets.
    await sleep(1000);
    const [reference, baseline, previous] = sides as [Side, Side, Side | undefined];
    const order =
      previous === undefined
        ? [baseline, reference, reference, baseline]
        : [baseline, reference, previous, previous, reference, baseline];
    for (let round = 1; round <= options.rounds; round++) {
      for (const load of options.loads) {
        console.log(
          `round ${round}/${options.rounds}: ${load.members} members x ${load.rate} msg/s: ${order.map((side) => side.name).join(', ')} ...`,
        );
        for (const side of order) {
          const window = await measure(fleets, side, load, options.windowMs);
          const list = side.windows.get(keyOf(load)) ?? [];
          list.push(window);
          side.windows.set(keyOf(load), list);
        }
      }
    }
    report(options.loads, reference, baseline, loadBefore, performance.now() - started, options.windowMs);
    if (options.compareUdpIo)
      console.log('--compare-udp-io: "this" is native UDP I/O, "previous" node:dgram.');
    if (previous !== undefined) reportPrevious(options.loads, reference, previous);
  } finally {
    for (const fleet of fleets) fleet.stop();
    for (const side of sides) side.child.stop();
  }
}

function report(
  loads: Load[],
  reference: Side,
  baseline: Side,
  loadBefore: string,
  elapsedMs: number,
  windowMs: number,
): void {
  const table = new Table({
    head: [
      'members x msg/s',
      'deliveries/s',
      'server CPU µs/delivery',
      'baseline CPU µs/delivery',
      `ratio (goal <= ${GOAL_RATIO})`,
      'server pkts sent / recv per delivery',
      'baseline pkts sent / recv per delivery',
      'deliver p99 ms: server / baseline',
      'client CPU cores: server / baseline',
    ],
  });
  let failed = 0;
  let undrained = 0;
  const starved: string[] = [];
  for (const load of loads) {
    const server = reference.windows.get(keyOf(load)) ?? [];
    const raw = baseline.windows.get(keyOf(load)) ?? [];
    const ratios = server.map((w, i) => w.cpuMicrosPerDelivery / raw[i]!.cpuMicrosPerDelivery);
    const ratio = median(ratios);
    const packets = (ws: Window[]): string =>
      `${fmt(median(ws.map((w) => w.serverSentPerDelivery)), 2)} / ${fmt(median(ws.map((w) => w.serverReceivedPerDelivery)), 2)}`;
    table.push([
      keyOf(load),
      fmt(median(server.map((w) => w.deliveriesPerSecond))),
      spread(server, (w) => w.cpuMicrosPerDelivery, 1),
      spread(raw, (w) => w.cpuMicrosPerDelivery, 1),
      `${fmt(ratio, 2)} ${ratio <= GOAL_RATIO ? 'met' : 'MISSED'}`,
      packets(server),
      packets(raw),
      `${spread(server, (w) => w.p99Ms, 1)} / ${spread(raw, (w) => w.p99Ms, 1)}`,
      `${spread(server, (w) => w.fleetCores, 2)} / ${spread(raw, (w) => w.fleetCores, 2)}`,
    ]);
    failed += [...server, ...raw].filter((w) => !w.exact).length;
    undrained += [...server, ...raw].filter((w) => !w.drained).length;
    const offered = load.members * load.rate;
    if ([...server, ...raw].some((w) => w.deliveriesPerSecond < 0.9 * offered)) starved.push(keyOf(load));
  }
  console.log(table.toString());
  const errors = [...reference.windows.values(), ...baseline.windows.values()]
    .flat()
    .find((w) => w.firstError !== null)?.firstError;
  console.log(
    [
      `Setup: each server in its own process, CPU (user + system) from /proc/<pid>/stat over ${windowMs / 1000} s windows`,
      `  after ${WARMUP_MS / 1000} s of warm-up; one sender at a fixed rate, every member acks each RoomMessage with`,
      '  MessageDelivered; clients in --fleets processes; packets counted at the clients (loopback). Cells with a',
      '  range: median (min-max) over the windows (two per round per side). Ratio: median of the per-pair ratios.',
      `  Load average before: ${loadBefore}, after: ${loadAverage()}; took ${fmt(elapsedMs / 1000)} s.`,
      failed > 0
        ? `exactly-once check FAILED in ${failed} windows${errors ? `: ${errors}` : ''}`
        : undrained > 0
          ? `No duplicates; in ${undrained} windows some members were still short at the drain deadline (not verified).`
          : 'Every member got every message exactly once in every window.',
      ...(starved.length > 0
        ? [
            `WARNING: offered load not reached for ${starved.join(', ')} (under 90% of members x rate): the machine`,
            '  is short of CPU, messages queue and packets coalesce, so those rows are not the regime this bench measures.',
          ]
        : []),
    ].join('\n'),
  );
  if (failed > 0) process.exitCode = 1;
}

/** Before/after: this checkout's reference server against the --previous one, measured in the same run. */
function reportPrevious(loads: Load[], reference: Side, previous: Side): void {
  const table = new Table({
    head: [
      'members x msg/s',
      'server CPU µs/delivery: this / previous',
      'this / previous',
      'pkts sent / recv per delivery: this | previous',
      'loop wake-ups per delivery: this / previous',
      'deliver p99 ms: this / previous',
    ],
  });
  for (const load of loads) {
    const now = reference.windows.get(keyOf(load)) ?? [];
    const before = previous.windows.get(keyOf(load)) ?? [];
    const packets = (ws: Window[]): string =>
      `${fmt(median(ws.map((w) => w.serverSentPerDelivery)), 2)} / ${fmt(median(ws.map((w) => w.serverReceivedPerDelivery)), 2)}`;
    table.push([
      keyOf(load),
      `${spread(now, (w) => w.cpuMicrosPerDelivery, 1)} / ${spread(before, (w) => w.cpuMicrosPerDelivery, 1)}`,
      fmt(median(now.map((w, i) => w.cpuMicrosPerDelivery / before[i]!.cpuMicrosPerDelivery)), 2),
      `${packets(now)} | ${packets(before)}`,
      `${fmt(median(now.map((w) => w.wakeupsPerDelivery)), 2)} / ${fmt(median(before.map((w) => w.wakeupsPerDelivery)), 2)}`,
      `${spread(now, (w) => w.p99Ms, 1)} / ${spread(before, (w) => w.p99Ms, 1)}`,
    ]);
  }
  console.log(
    'This checkout against --previous (same clients; windows alternate server, previous, previous, server):',
  );
  console.log(table.toString());
}

await main().catch((error: unknown) => {
  if (!(error instanceof OptionError)) throw error;
  console.error(`chat-traffic: ${error.message}\n${USAGE}`);
  process.exitCode = 2;
});
