/**
 * The harness's CPU time and RSS as the sum of its processes: this one (the coordinator, and the load worker when
 * it runs in-process) and every load worker it forked (`--workers N`, worker-link.ts). Counting this process alone
 * would leave out all of the load when the workers are children, and halve the per-delivery and per-client figures
 * of nothing.
 */
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';

/** CPU time (µs) and RSS (bytes) of one process. */
export interface ProcessFigures {
  cpuUs: number;
  rssBytes: number;
}

/** The pids of a process's children (every thread's /proc/<pid>/task/<tid>/children); [] where unreadable. */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    // A child is listed under the thread that forked it: read every thread's list, not only the main thread's.
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (text !== '') for (const child of text.split(' ')) pids.push(Number(child));
      } catch {
        // the thread ended meanwhile, or the kernel has no children lists (CONFIG_PROC_CHILDREN)
      }
    }
  } catch {
    // no /proc
  }
  return pids;
}

const NODE_EXECUTABLE = realpathSync(process.execPath);

/**
 * Whether a process runs the same node executable as this one: a load worker does; tsx's esbuild service (a child
 * of whichever process first needs a transform) does not, and is no part of the load.
 */
export function runsThisNode(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === NODE_EXECUTABLE;
  } catch {
    return false; // gone, or not ours to inspect
  }
}

/**
 * Sums this process and its children (the server excepted) into cumulative harness figures. A child that has
 * ended keeps its last CPU time in the sum, so the CPU figure never goes back when a worker exits at the end of a
 * run (an interpolation across that instant would otherwise see negative CPU); its memory is gone, so its RSS is not.
 */
export class HarnessProcessTally {
  private readonly lastCpuUsByPid = new Map<number, number>();

  constructor(
    private readonly sources: {
      /** This process's figures. */
      self: () => ProcessFigures;
      /** Pids of this process's children now. */
      children: () => number[];
      /** A child's figures, or null when it is gone. */
      read: (pid: number) => ProcessFigures | null;
    },
    /** Children that are not the harness (the server under test). */
    private readonly excludedPids: ReadonlySet<number>,
  ) {}

  /** The harness's cumulative CPU time (µs) and current RSS (bytes), every process of it. */
  sample(): ProcessFigures {
    const self = this.sources.self();
    let rssBytes = self.rssBytes;
    const live = new Set<number>();
    for (const pid of this.sources.children()) {
      if (this.excludedPids.has(pid) || live.has(pid)) continue;
      const figures = this.sources.read(pid);
      if (figures === null) continue;
      live.add(pid);
      this.lastCpuUsByPid.set(pid, figures.cpuUs);
      rssBytes += figures.rssBytes;
    }
    let cpuUs = self.cpuUs;
    for (const childCpuUs of this.lastCpuUsByPid.values()) cpuUs += childCpuUs;
    return { cpuUs, rssBytes };
  }
}
