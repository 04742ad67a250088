/**
 * The V8 young generation of our long-running processes (the embedded server, load workers, the CLIs through
 * their `#!` line). V8 lets each semi-space grow to 16 MiB on 64-bit. Every packet quiche builds hands back a
 * napi External (SendInfo.at) whose finalizer runs inside the next scavenge's pause, so at 20,000 clients x 0.05
 * msg/s a scavenge of a full 16 MiB space paused each process 13-27 ms on average (max 60-160 ms) every ~0.4 s,
 * and deliveries queued behind those stalls. With 2 MiB semi-spaces scavenges run ~8x as often and pause
 * 2.6-3.1 ms (max 20-30 ms), at the same CPU per delivery (bench/scale A/B, PROFILE.md-style figures in the
 * commit). A setting of the user's own (--max-semi-space-size given to node, or in NODE_OPTIONS) is kept.
 */

/** The flag that caps each V8 semi-space at 2 MiB. */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=2';

const setsSemiSpace = (arg: string): boolean => /^--max[-_]semi[-_]space[-_]size\b/.test(arg);

/**
 * `execArgv` for a child process with a semi-space size: the one it already has, else the one this process was
 * started with (a user's `node --max-semi-space-size=16 cli.js` reaches the children too), else none when
 * NODE_OPTIONS (inherited by the child) sets one, else the 2 MiB cap.
 */
export function withYoungGenerationFlag(
  execArgv: readonly string[],
  parentArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  if (execArgv.some(setsSemiSpace)) return [...execArgv];
  const index = parentArgv.findIndex(setsSemiSpace);
  if (index >= 0) {
    const flag = parentArgv[index] as string;
    // `--max-semi-space-size 16` (two arguments) as well as `--max-semi-space-size=16`.
    const value = flag.includes('=') ? [] : parentArgv.slice(index + 1, index + 2);
    return [...execArgv, flag, ...value];
  }
  if (nodeOptions.split(/\s+/).some(setsSemiSpace)) return [...execArgv];
  return [...execArgv, YOUNG_GENERATION_FLAG];
}
