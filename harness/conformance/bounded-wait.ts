/**
 * Bounded waits on what a probe recorded: a wait resolves as soon as its condition holds, and otherwise fails with
 * a `CheckFailed` saying what was expected and what was seen, at its timeout or (by default) when the connection
 * closes.
 */
import { CheckFailed } from './check-verdict.js';
import type { ProbeRecording } from './probe-recording.js';

/** Options of a bounded wait. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** What the check expects, in words (the `expected` of the failure). */
  readonly expected: string;
  /** What was seen instead (default: a summary of the connection). */
  readonly actual?: () => string;
  /** Keep waiting after the connection closed (for waits that a close may satisfy). */
  readonly allowClosed?: boolean;
}

/** How often a wait re-checks its condition besides reacting to events, ms. */
const POLL_MS = 25;

/** Waits until `probe` returns a value (not undefined/false/null) as `recording` changes; bounded by `options`. */
export function waitUntil<T>(
  recording: ProbeRecording,
  probe: () => T | undefined | false | null,
  options: WaitOptions,
): Promise<T> {
  const check = (): T | undefined => {
    const value = probe();
    return value === undefined || value === false || value === null ? undefined : value;
  };
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (action: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      stopListening();
      action();
    };
    const failure = (): CheckFailed =>
      new CheckFailed(
        `${options.expected} within ${options.timeoutMs} ms`,
        options.actual?.() ?? recording.describe(),
      );
    const waiter = (): void => {
      const value = check();
      if (value !== undefined) finish(() => resolve(value));
      else if (recording.closed && !options.allowClosed) finish(() => reject(failure()));
    };
    const timer = setTimeout(() => finish(() => reject(failure())), options.timeoutMs);
    // Some state changes raise no event (a stream quietly collected by quiche): look again now and then.
    const poll = setInterval(waiter, POLL_MS);
    const stopListening = recording.onChange(waiter);
    if (recording.closed && !options.allowClosed) waiter();
  });
}
