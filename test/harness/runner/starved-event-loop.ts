/** Test hook: a starved load generator, made by blocking the event loop again and again (never shipped). */

/** Blocks the event loop for `blockMs` every `everyMs` until the returned timer is cleared. */
export function starveEventLoop(blockMs: number, everyMs: number): NodeJS.Timeout {
  return setInterval(() => {
    const until = performance.now() + blockMs;
    while (performance.now() < until) {
      // busy: nothing else runs meanwhile
    }
  }, everyMs);
}
