/**
 * A deliberate stall of the harness or the server in the steady phase (bench/scale --stall), to reproduce the 50k
 * collapse (issue 12) on demand instead of waiting for a random one: a process that does not read for a while
 * (a V8 major-GC window, the start-of-steady membership replay) lets its peer's probe timers fire on thousands of
 * connections at once. The harness runs in the bench's own process, so its stall blocks this thread
 * (Atomics.wait: nothing runs, the kernel queues its datagrams, as in a GC pause); the server is stopped with
 * SIGSTOP and continued with SIGCONT by a shell, so the pause ends on time whatever this process is doing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Which process stops, when (seconds after the steady phase started) and for how long (ms). */
export interface StallSpec {
  who: 'harness' | 'server';
  afterS: number;
  ms: number;
}

/** Parses `harness:10:300` / `server:5:1000`; throws on anything else. */
export function parseStall(text: string): StallSpec {
  const [who, afterS, ms] = text.split(':');
  const spec = { who, afterS: Number(afterS), ms: Number(ms) };
  if (
    (spec.who !== 'harness' && spec.who !== 'server') ||
    !(spec.afterS >= 0) ||
    !(spec.ms > 0 && spec.ms <= 60_000)
  ) {
    throw new Error(`--stall wants harness|server:SECONDS_INTO_STEADY:MS, got "${text}"`);
  }
  return spec as StallSpec;
}

const POLL_MS = 100;

/**
 * Watches the run's NDJSON events (one line a second, harness --events) for the first sample in a phase and
 * stalls `spec.who` `spec.afterS` seconds later. Returns a function that cancels it; `log` says when it stalled.
 */
export function scheduleStall(
  spec: StallSpec,
  eventsFile: string,
  serverPid: number,
  log: (line: string) => void,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  const poll = setInterval(() => {
    let text = '';
    try {
      text = readFileSync(eventsFile, 'utf8');
    } catch {
      return; // not written yet
    }
    if (!text.split('\n').some((line) => line.includes('"phase":"'))) return;
    clearInterval(poll);
    timer = setTimeout(() => {
      timer = null;
      log(`injected stall: ${spec.who} for ${spec.ms} ms, ~${spec.afterS} s into the phase`);
      if (spec.who === 'harness') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, spec.ms);
      else
        spawn('sh', ['-c', `kill -STOP ${serverPid}; sleep ${spec.ms / 1000}; kill -CONT ${serverPid}`], {
          stdio: 'ignore',
        });
    }, spec.afterS * 1000);
  }, POLL_MS);
  return () => {
    clearInterval(poll);
    if (timer !== null) clearTimeout(timer);
  };
}
