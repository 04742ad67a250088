/**
 * CPU time of another process from /proc/<pid>/stat (Linux): what an outside observer measures of a server,
 * independent of the server's own instrumentation.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
function clockTicks(): number {
  if (ticksPerSecond === null) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    ticksPerSecond = Number(out) > 0 ? Number(out) : 100;
  }
  return ticksPerSecond;
}

/** User + system CPU time of `pid` so far, in microseconds (resolution 1/USER_HZ s). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields after it start behind the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clockTicks();
}

/**
 * Times the main thread of `pid` blocked so far (voluntary context switches in /proc/<pid>/status): for an event
 * loop, the number of times it went to sleep in epoll_wait and was woken, i.e. its loop turns that waited.
 */
export function processWakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status);
  return match === null ? 0 : Number(match[1]);
}
