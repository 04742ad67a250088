/** What the console summary and report.html say about the wait after the last phase (summary.json `drain`). */
import type { DrainSummary, RunResult } from '../metrics/run-result.js';
import { formatCount } from './format.js';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One sentence on the wait after the last phase when it went past the grace period (missing deliveries were still
 * arriving), or null when it did not (or the result has no `drain`).
 */
export function drainFactLine(result: RunResult): string | null {
  const d = result.drain;
  if (d === undefined || !d.extended) return null;
  if (d.merged !== undefined) return mergedDrainLine(d, d.merged, result.segments ? 'segments' : 'runs');
  const head =
    `drain: waited ${seconds(d.waitedMs)} after the last phase instead of the grace (${seconds(d.graceMs)}): ` +
    `${formatCount(d.missingAtGraceEnd)} expected deliveries were missing then and still arriving late; ` +
    `${formatCount(d.lateAfterGrace)} arrived after the grace (counted late)`;
  switch (d.ended) {
    case 'nothing-missing':
      return `${head}; stopped when none was missing`;
    case 'no-late-arrivals':
      return `${head}; stopped when they stopped arriving: ${formatCount(d.missingAtEnd)} still missing count as lost`;
    case 'max-reached':
      return (
        `${head}; stopped at correctness.max_drain (${seconds(d.maxMs)}) while they were still arriving: ` +
        `${formatCount(d.missingAtEnd)} still missing count as lost (a longer max_drain waits for them)`
      );
  }
}

/** The sentence for merged results: how many waited past the grace, the longest wait, the worst end. */
function mergedDrainLine(
  d: DrainSummary,
  merged: NonNullable<DrainSummary['merged']>,
  noun: 'segments' | 'runs',
): string {
  const head =
    `drain: ${merged.extended} of ${merged.withDrain} ${noun} waited past the grace (${seconds(d.graceMs)}) ` +
    `for missing deliveries still arriving late, the longest ${seconds(d.waitedMs)} after the last phase; ` +
    `${formatCount(d.missingAtGraceEnd)} expected deliveries were missing when the grace ended, ` +
    `${formatCount(d.lateAfterGrace)} arrived after it (counted late)`;
  const silent = merged.results - merged.withDrain;
  const tail = silent > 0 ? `; ${silent} more ${noun} (older versions) report no drain` : '';
  switch (d.ended) {
    case 'nothing-missing':
      return `${head}; each stopped when none was missing${tail}`;
    case 'no-late-arrivals':
      return (
        `${head}; worst end: they stopped arriving, ${formatCount(d.missingAtEnd)} still missing count as ` +
        `lost${tail}`
      );
    case 'max-reached':
      return (
        `${head}; worst end: correctness.max_drain (${seconds(d.maxMs)}) reached while they were still arriving, ` +
        `${formatCount(d.missingAtEnd)} still missing count as lost (a longer max_drain waits for them)${tail}`
      );
  }
}
