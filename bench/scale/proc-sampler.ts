/**
 * CPU time and RSS of the server process (from /proc/<pid>/stat) and of the harness (this process, from
 * process.cpuUsage and memoryUsage, plus its forked load workers, node processes: harness-processes.ts), and the machine's UDP
 * counters (/proc/net/snmp), sampled at a fixed interval, so a benchmark can read either over any window of a run
 * afterwards (interpolated between samples).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readMachineUdpCounters } from '../../harness/metrics/udp-drops.js';
import { HarnessProcessTally, childPids, runsThisNode } from './harness-processes.js';

/** One reading of both processes. */
export interface ProcSample {
  /** Epoch ms. */
  atMs: number;
  serverCpuUs: number;
  serverRssBytes: number;
  /** This process and its load-worker children (every child but the server), cumulative. */
  harnessCpuUs: number;
  harnessRssBytes: number;
  /** UDP datagrams sent by every process of the machine so far (NaN where unknown). */
  udpOutDatagrams: number;
  /** UDP datagrams the kernel dropped at a full receive buffer, every socket of the machine (NaN where unknown). */
  udpRcvbufErrors: number;
  /** CPU time of the whole machine so far (every process and the kernel, from /proc/stat), µs (NaN where unknown). */
  machineCpuUs: number;
}

const CLOCK_TICKS = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const PAGE_BYTES = ((): number => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();

/** utime + stime (µs) and RSS (bytes) of a process from /proc/<pid>/stat. */
export function readProcStat(pid: number): { cpuUs: number; rssBytes: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: the fields after it start past the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuUs: ((utime + stime) * 1e6) / CLOCK_TICKS, rssBytes: rssPages * PAGE_BYTES };
}

/** Busy CPU time of the machine (all CPUs: user, nice, system, irq, softirq, steal) from /proc/stat, µs. */
export function readMachineCpuUs(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/) ?? [];
    // "cpu user nice system idle iowait irq softirq steal ...": everything but idle and iowait.
    const busy = [1, 2, 3, 6, 7, 8].reduce((sum, i) => sum + Number(fields[i] ?? NaN), 0);
    return (busy * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Samples the server and the harness (this process and its workers) every `intervalMs` until stopped. */
export class ProcSampler {
  readonly samples: ProcSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly harness: HarnessProcessTally;

  constructor(
    private readonly serverPid: number,
    intervalMs = 250,
  ) {
    this.harness = new HarnessProcessTally(
      {
        self: () => {
          const cpu = process.cpuUsage();
          return { cpuUs: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
        },
        children: () => childPids(process.pid).filter(runsThisNode),
        read: (pid) => {
          try {
            return readProcStat(pid);
          } catch {
            return null; // ended between the listing and the read
          }
        },
      },
      new Set([serverPid]),
    );
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one sample now (also called at stop). */
  sample(): ProcSample | null {
    let server;
    try {
      server = readProcStat(this.serverPid);
    } catch {
      return null; // the server is gone
    }
    const harness = this.harness.sample();
    const udp = readMachineUdpCounters();
    const sample = {
      atMs: Date.now(),
      serverCpuUs: server.cpuUs,
      serverRssBytes: server.rssBytes,
      harnessCpuUs: harness.cpuUs,
      harnessRssBytes: harness.rssBytes,
      udpOutDatagrams: udp?.outDatagrams ?? NaN,
      udpRcvbufErrors: udp?.rcvbufErrors ?? NaN,
      machineCpuUs: readMachineCpuUs(),
    };
    this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** A figure at `atMs`, interpolated between the samples around it (clamped to the first and last). */
  at(atMs: number, field: Exclude<keyof ProcSample, 'atMs'>): number {
    const samples = this.samples;
    const first = samples[0];
    if (first === undefined) return NaN;
    if (atMs <= first.atMs) return first[field];
    for (let i = 1; i < samples.length; i++) {
      const b = samples[i] as ProcSample;
      if (b.atMs < atMs) continue;
      const a = samples[i - 1] as ProcSample;
      const f = b.atMs === a.atMs ? 1 : (atMs - a.atMs) / (b.atMs - a.atMs);
      return a[field] + f * (b[field] - a[field]);
    }
    return (samples[samples.length - 1] as ProcSample)[field];
  }

  /** The largest value of a field between two times. */
  maxBetween(fromMs: number, toMs: number, field: Exclude<keyof ProcSample, 'atMs'>): number {
    let max = this.at(fromMs, field);
    for (const s of this.samples) if (s.atMs >= fromMs && s.atMs <= toMs) max = Math.max(max, s[field]);
    return max;
  }
}
