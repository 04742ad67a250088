/**
 * The verdict of a run: PASS, FAIL or INCONCLUSIVE. A run whose checks all pass is PASS. A failed check is
 * EXCUSABLE when the load generator was unhealthy where the check looks (harness-health.ts): its phase for
 * `metric@phase`, any window otherwise. A run whose failed checks are all excusable is INCONCLUSIVE (exit code 5):
 * its measurements say nothing about the server. Never excusable: loss when some loss is CONFIRMED (the recipient,
 * a member without a break from the message to the end of the run, received later messages of the room but never
 * this one: a late harness delays, it does not skip). Reorders and duplicates are excusable: at a hot-room stream
 * switch the harness holds hot-stream messages only so long for shard stragglers, and a starved harness reads the
 * stragglers after that hold (reorders, seen in viral-room with two CPU burners); and a first delivery arriving
 * after its message was finalized (seconds late) cannot be told from a second one (duplicates, seen likewise).
 */
import { MACHINE_SATURATED, type WindowHealth } from './harness-health.js';
import type { ExpectationResult, ThresholdResult } from './check-outcomes.js';

/** The three outcomes of a run. */
export type VerdictStatus = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

/** summary.json `verdict`. */
export interface RunVerdict {
  status: VerdictStatus;
  /** Why: the failed checks that decide, or what made the harness unhealthy. */
  reasons: string[];
  /** What to do about an INCONCLUSIVE run (empty otherwise). */
  advice: string[];
  /** Health of the connect ramp and of each phase. */
  health: WindowHealth[];
}

/** What `decideVerdict` looks at. */
export interface VerdictInput {
  thresholds: readonly ThresholdResult[];
  expectations: readonly ExpectationResult[];
  health: readonly WindowHealth[];
  /** Lost pairs confirmed by a gap (see the module comment). */
  confirmedLoss: number;
  workers: number;
}

/** Decides the verdict of a run. */
export function decideVerdict(input: VerdictInput): RunVerdict {
  const health = input.health.map((h) => ({ ...h, reasons: [...h.reasons] }));
  const failed = input.thresholds.filter((t) => !t.passed);
  const failedExpectations = input.expectations.filter((e) => !e.passed);
  if (failed.length === 0 && failedExpectations.length === 0) {
    return { status: 'PASS', reasons: [], advice: [], health };
  }
  const unhealthy = health.filter((h) => !h.healthy);
  const firm: string[] = [];
  const excused: string[] = [];
  for (const t of failed) {
    const [base = '', phase] = t.metric.split('@');
    const windows = phase === undefined ? unhealthy : unhealthy.filter((h) => h.name === phase);
    if ((base === 'loss' || base === 'loss_rate') && input.confirmedLoss > 0) {
      firm.push(
        `${t.expression}: ${input.confirmedLoss} lost pair(s) confirmed (the recipient received later messages of the room but never this one)`,
      );
    } else if (windows.length === 0)
      firm.push(`${t.expression}: the harness was healthy where it was measured`);
    else {
      // Say why loss is excusable: none of it is confirmed (a late harness delays deliveries, it does not skip).
      const unconfirmed = base === 'loss' || base === 'loss_rate' ? '; none of the lost pairs confirmed' : '';
      excused.push(
        `${t.expression}: measured while the harness was unhealthy (${windows.map((w) => w.name).join(', ')})${unconfirmed}`,
      );
    }
  }
  for (const e of failedExpectations) {
    if (unhealthy.length === 0) firm.push(`expectation "${e.text}": the harness was healthy`);
    else excused.push(`expectation "${e.text}": judged while the harness was unhealthy`);
  }
  if (firm.length > 0) return { status: 'FAIL', reasons: firm, advice: [], health };
  const reasons = [
    ...excused,
    ...unhealthy.flatMap((w) => w.reasons.map((reason) => `${w.name}: ${reason}`)),
  ];
  // More worker processes help a harness that is short of a core, not one whose machine has none left: on a 2-core
  // machine shared with the server, two workers spent 12-33% more CPU per delivery than one and did worse.
  const saturated = unhealthy.some((w) => w.reasons.some((r) => r.startsWith(MACHINE_SATURATED)));
  const advice = [
    saturated
      ? 'every core of the machine was busy: more worker processes would only compete for them; stop what competes for the CPU'
      : input.workers === 1
        ? 'spread the clients over processes (--workers 2 or more, up to the cores the harness may use)'
        : `use more worker processes than ${input.workers} if cores are free`,
    'or run fewer clients / a lower rate (--duration-scale does not lower the rate)',
    'or run the load generator on another, quieter machine than the server (--target) and stop what competes for its CPU',
  ];
  return { status: 'INCONCLUSIVE', reasons, advice, health };
}
