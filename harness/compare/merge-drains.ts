/**
 * The wait after the last phase (summary.json `drain`) of merged results. Each segment of a run (or each repeated
 * run) waited on its own, for the missing pairs it judges itself, so the merge keeps the facts that bound the
 * whole: the longest wait, extended when any waited past its grace, the worst reason to stop (cut off at
 * max_drain, then stopped with pairs still missing, then nothing missing), and the missing and late figures summed
 * (each result counted its own pairs; cross-segment pairs are judged by the merge, which keeps no delivery times,
 * so none of them is in these figures). `merged` says how many results waited past their grace.
 */
import type { DrainSummary, RunResult } from '../metrics/run-result.js';

/** Reasons to stop, from the best to the worst. */
const ENDS: readonly DrainSummary['ended'][] = ['nothing-missing', 'no-late-arrivals', 'max-reached'];

/** The combined drain of `results`, or undefined when none of them reports one (older versions). */
export function mergeDrains(results: readonly RunResult[]): DrainSummary | undefined {
  const drains = results.flatMap((r) => (r.drain === undefined ? [] : [r.drain]));
  const first = drains[0];
  if (first === undefined) return undefined;
  const sum = (field: 'missingAtGraceEnd' | 'missingAtEnd' | 'lateAfterGrace'): number =>
    drains.reduce((total, d) => total + d[field], 0);
  const extended = drains.filter((d) => d.extended).length;
  return {
    graceMs: Math.max(...drains.map((d) => d.graceMs)),
    maxMs: Math.max(...drains.map((d) => d.maxMs)),
    waitedMs: Math.max(...drains.map((d) => d.waitedMs)),
    extended: extended > 0,
    ended: drains.reduce<DrainSummary['ended']>(
      (worst, d) => (ENDS.indexOf(d.ended) > ENDS.indexOf(worst) ? d.ended : worst),
      first.ended,
    ),
    missingAtGraceEnd: sum('missingAtGraceEnd'),
    missingAtEnd: sum('missingAtEnd'),
    lateAfterGrace: sum('lateAfterGrace'),
    merged: { results: results.length, withDrain: drains.length, extended },
  };
}
