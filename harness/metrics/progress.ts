/** Combining live progress figures of several workers. */
import type { ProgressSnapshot } from './run-recorder.js';

/**
 * Sums per-worker progress (connected, rates, errors). The p99 is the MAXIMUM of the workers' p99s: an
 * upper bound that is cheap to compute live; the exact merged p99 is in the final result.
 */
export function mergeProgress(snapshots: readonly ProgressSnapshot[]): ProgressSnapshot {
  const first = snapshots[0];
  if (!first) throw new RangeError('mergeProgress needs at least one snapshot');
  const p99s = snapshots.map((s) => s.p99Ms).filter((p): p is number => p !== null);
  return {
    elapsedMs: Math.max(...snapshots.map((s) => s.elapsedMs)),
    phase: first.phase,
    connected: snapshots.reduce((sum, s) => sum + s.connected, 0),
    sentPerSec: snapshots.reduce((sum, s) => sum + s.sentPerSec, 0),
    deliveredPerSec: snapshots.reduce((sum, s) => sum + s.deliveredPerSec, 0),
    p99Ms: p99s.length ? Math.max(...p99s) : null,
    errors: snapshots.reduce((sum, s) => sum + s.errors, 0),
  };
}
