/** The harness clock: epoch milliseconds with sub-millisecond precision, monotonic within a process. */
import { performance } from 'node:perf_hooks';

/**
 * Current time as epoch milliseconds (fractional). Built on the monotonic `performance.now()`, so it never
 * steps backwards; workers on the same host share `timeOrigin`-based epoch time, so their stamps compare.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}
