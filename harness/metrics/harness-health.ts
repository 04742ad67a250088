/**
 * The load generator's own health: is the harness (or the machine it shares) the bottleneck? Each worker samples
 * once a second: its event-loop delay (perf_hooks.monitorEventLoopDelay, p99 and max over the second), the CPU its
 * process used (process.cpuUsage, as a share of one core: a worker's JavaScript runs on one thread), how busy the
 * whole machine was (/proc/stat, null where unavailable) and the bytes its connections had queued for quiche (the
 * send backlog). `judgePhaseHealth` turns the samples and the phase's scheduling lag into a per-phase verdict.
 *
 * Criteria (README "Load-generator health"): a window is UNHEALTHY when any of
 *   - event-loop delay: the 1-s p99 exceeded LOOP_DELAY_LIMIT_MS in more than SHARE_LIMIT of its seconds;
 *   - scheduling lag p99 (operations started late against their schedule) exceeded SCHEDULE_LAG_LIMIT_MS;
 *   - CPU: a worker process used at least CPU_LIMIT of a core in more than SHARE_LIMIT of its seconds;
 *   - machine: all cores were at least MACHINE_BUSY_LIMIT busy in more than SHARE_LIMIT of its seconds (other
 *     processes, or the embedded server, compete with the harness);
 *   - its receive sockets dropped datagrams in it: the kernel's per-socket drop counters are read with every sample
 *     (udp-drops.ts), so drops count in the window of the second they happened in, not in every window.
 * The send backlog is reported but not judged: a server that stops reading grows it just as a starved harness does.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** One second of a worker's health. */
export interface HealthSample {
  /** End of the second, epoch ms. */
  atMs: number;
  /** Event-loop delay over the second, ms: p99 and max. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU used by the worker's process over the second, as a share of one core (1 = a full core). */
  cpu: number;
  /** Share of the machine's CPU time that was busy (all cores), or null where /proc/stat is unavailable. */
  machineBusy: number | null;
  /** Bytes the worker's connections had queued for quiche at the sample. */
  sendBacklogBytes: number;
  /**
   * Datagrams the kernel dropped at the worker's receive sockets during the second; null or absent where the
   * counters cannot be read (or in results of older versions).
   */
  socketDrops?: number | null;
}

/** Limits of the criteria (see the module comment). */
export const HEALTH_LIMITS = {
  LOOP_DELAY_LIMIT_MS: 50,
  SCHEDULE_LAG_LIMIT_MS: 50,
  CPU_LIMIT: 0.9,
  MACHINE_BUSY_LIMIT: 0.95,
  SHARE_LIMIT: 0.1,
} as const;

/** Reads the receive-socket drops of a worker so far (a kernel counter), or null where it cannot. */
export type SocketDropCounter = () => number | null;

/** Samples a worker's health once per `sample()` call (the worker calls it every second). */
export class HealthSampler {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private cpuBefore = process.cpuUsage();
  private wallBefore = performance.now();
  private machineBefore: MachineTimes | null = readMachineTimes();
  private readonly samples: HealthSample[] = [];
  private dropsBefore: number | null;

  /** `readDrops`: the worker's socket drop counter, read at every sample (none: drops are not measured). */
  constructor(private readonly readDrops: SocketDropCounter = () => null) {
    this.loop.enable();
    this.dropsBefore = readDrops();
  }

  /** Drops since the previous reading (null when the counter cannot be read now or could not before). */
  private dropsSinceLastReading(): number | null {
    const now = this.readDrops();
    const before = this.dropsBefore;
    if (now !== null) this.dropsBefore = now;
    // A counter read for the first time counts from zero: the sockets were created with the worker's fleet.
    return now === null ? null : Math.max(0, now - (before ?? 0));
  }

  /** Records the second that just ended; `sendBacklogBytes` is measured by the caller (it owns the connections). */
  sample(atMs: number, sendBacklogBytes: number): void {
    const wall = performance.now();
    const cpu = process.cpuUsage(this.cpuBefore);
    const elapsedUs = Math.max(1, (wall - this.wallBefore) * 1000);
    this.cpuBefore = process.cpuUsage();
    this.wallBefore = wall;
    const machine = readMachineTimes();
    let machineBusy: number | null = null;
    if (machine !== null && this.machineBefore !== null) {
      const total = machine.total - this.machineBefore.total;
      if (total > 0) machineBusy = 1 - (machine.idle - this.machineBefore.idle) / total;
    }
    this.machineBefore = machine;
    const count = this.loop.count;
    this.samples.push({
      atMs,
      loopP99Ms: count > 0 ? this.loop.percentile(99) / 1e6 : 0,
      loopMaxMs: count > 0 ? this.loop.max / 1e6 : 0,
      cpu: (cpu.user + cpu.system) / elapsedUs,
      machineBusy,
      sendBacklogBytes,
      socketDrops: this.dropsSinceLastReading(),
    });
    this.loop.reset();
  }

  /**
   * Stops measuring; returns every sample. Drops after the last sample (less than a second before the end) are
   * added to the last sample.
   */
  stop(): HealthSample[] {
    this.loop.disable();
    const tail = this.dropsSinceLastReading();
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && tail !== null && tail > 0) last.socketDrops = (last.socketDrops ?? 0) + tail;
    return this.samples.slice();
  }
}

interface MachineTimes {
  idle: number;
  total: number;
}

/** The machine's CPU times from /proc/stat (idle includes iowait), or null where there is none. */
function readMachineTimes(): MachineTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    if (fields.length < 5 || fields.some((n) => !Number.isFinite(n))) return null;
    // user nice system idle iowait irq softirq steal (guest times are included in user/nice).
    const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
    return { idle: (fields[3] as number) + (fields[4] as number), total };
  } catch {
    return null;
  }
}

/** How a window's reason begins when every core of the machine was busy (run-verdict.ts reads it). */
export const MACHINE_SATURATED = 'machine saturated';

/** The health of one window (a phase, or the connect ramp before the phases) over all workers. */
export interface WindowHealth {
  name: string;
  /** Whether its measurements can be trusted. */
  healthy: boolean;
  /** Why not (one line per criterion that fired); empty when healthy. */
  reasons: string[];
  seconds: number;
  /** Worst per-second event-loop delay p99 and max, ms. */
  loopP99MaxMs: number;
  loopMaxMs: number;
  /** Scheduling lag p99 of the window, ms (null: no operation was scheduled in it). */
  scheduleLagP99Ms: number | null;
  /** Highest per-second CPU share of one core used by a worker process. */
  cpuMax: number;
  /** Mean busy share of the machine, null where not measured. */
  machineBusyMean: number | null;
  /** Largest send backlog seen in one worker, bytes. */
  sendBacklogMaxBytes: number;
  /** Receive-socket drops in the window, null when they were not measured. */
  socketDrops: number | null;
}

/** What `judgeWindowHealth` needs about one window. */
export interface WindowInput {
  name: string;
  startMs: number;
  endMs: number;
  /** Scheduling lag p99 in the window (ms), null without operations. */
  scheduleLagP99Ms: number | null;
  /**
   * Drops known to belong to this window by other means than the samples (e.g. a run-level count whose time is
   * unknown, judged as a window of its own); absent: the sum of the samples' drops in the window.
   */
  socketDrops?: number | null;
}

/** Judges one window from every worker's samples (`samplesByWorker[w]`: worker w's samples). */
export function judgeWindowHealth(
  window: WindowInput,
  samplesByWorker: ReadonlyArray<readonly HealthSample[]>,
): WindowHealth {
  const L = HEALTH_LIMITS;
  const reasons: string[] = [];
  let seconds = 0;
  let loopP99MaxMs = 0;
  let loopMaxMs = 0;
  let cpuMax = 0;
  let backlog = 0;
  let busySum = 0;
  let busyCount = 0;
  let worstLateShare = 0;
  let worstCpuShare = 0;
  let worstBusyShare = 0;
  let sampledDrops: number | null = null;
  for (const samples of samplesByWorker) {
    // A sample covers the second before atMs: it belongs to the window its end falls in.
    const inWindow = samples.filter((s) => s.atMs > window.startMs && s.atMs <= window.endMs);
    if (inWindow.length === 0) continue;
    seconds = Math.max(seconds, inWindow.length);
    const share = (test: (s: HealthSample) => boolean): number =>
      inWindow.filter(test).length / inWindow.length;
    worstLateShare = Math.max(
      worstLateShare,
      share((s) => s.loopP99Ms > L.LOOP_DELAY_LIMIT_MS),
    );
    worstCpuShare = Math.max(
      worstCpuShare,
      share((s) => s.cpu >= L.CPU_LIMIT),
    );
    worstBusyShare = Math.max(
      worstBusyShare,
      share((s) => s.machineBusy !== null && s.machineBusy >= L.MACHINE_BUSY_LIMIT),
    );
    for (const s of inWindow) {
      loopP99MaxMs = Math.max(loopP99MaxMs, s.loopP99Ms);
      loopMaxMs = Math.max(loopMaxMs, s.loopMaxMs);
      cpuMax = Math.max(cpuMax, s.cpu);
      backlog = Math.max(backlog, s.sendBacklogBytes);
      if (typeof s.socketDrops === 'number') sampledDrops = (sampledDrops ?? 0) + s.socketDrops;
      if (s.machineBusy !== null) {
        busySum += s.machineBusy;
        busyCount++;
      }
    }
  }
  const percent = (x: number): string => `${Math.round(x * 100)}%`;
  if (worstLateShare > L.SHARE_LIMIT) {
    reasons.push(
      `event loop late: 1-s p99 delay above ${L.LOOP_DELAY_LIMIT_MS} ms in ${percent(worstLateShare)} of the seconds (worst ${Math.round(loopP99MaxMs)} ms)`,
    );
  }
  if (window.scheduleLagP99Ms !== null && window.scheduleLagP99Ms > L.SCHEDULE_LAG_LIMIT_MS) {
    reasons.push(
      `scheduling lag p99 ${Math.round(window.scheduleLagP99Ms)} ms (limit ${L.SCHEDULE_LAG_LIMIT_MS} ms): operations started late`,
    );
  }
  if (worstCpuShare > L.SHARE_LIMIT) {
    reasons.push(
      `harness CPU: a worker process used at least ${percent(L.CPU_LIMIT)} of a core in ${percent(worstCpuShare)} of the seconds`,
    );
  }
  if (worstBusyShare > L.SHARE_LIMIT) {
    reasons.push(
      `${MACHINE_SATURATED}: all cores at least ${percent(L.MACHINE_BUSY_LIMIT)} busy in ${percent(worstBusyShare)} of the seconds (other processes compete)`,
    );
  }
  const drops = window.socketDrops !== undefined ? window.socketDrops : sampledDrops;
  if (drops !== null && drops > 0) reasons.push(`${drops} packets dropped by the receive sockets`);
  return {
    name: window.name,
    healthy: reasons.length === 0,
    reasons,
    seconds,
    loopP99MaxMs: round1(loopP99MaxMs),
    loopMaxMs: round1(loopMaxMs),
    scheduleLagP99Ms: window.scheduleLagP99Ms === null ? null : round1(window.scheduleLagP99Ms),
    cpuMax: round2(cpuMax),
    machineBusyMean: busyCount > 0 ? round2(busySum / busyCount) : null,
    sendBacklogMaxBytes: backlog,
    socketDrops: drops,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
