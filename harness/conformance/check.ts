/**
 * What a conformance check is; how it reports a verdict is in check-verdict.ts (re-exported here).
 *
 * A check is an async function that throws `CheckFailed` (expected vs actual) or `CheckSkipped` (with a reason);
 * returning normally is a pass. Any other exception is a failure too (reported with its message), so a check can
 * never crash the suite.
 */
import { ruleLevel, type RuleLevel } from '../../spec/rule-levels.js';
import type { CheckContext } from './check-context.js';

export { CheckFailed, CheckSkipped, ensure, fail, skip } from './check-verdict.js';

/** One conformance check. */
export interface ConformanceCheck {
  /** Unique id: a PROTOCOL.md rule id, optionally followed by `/<variant>` (e.g. `14/unknown-type/acks`). */
  readonly id: string;
  /** One-line description. */
  readonly title: string;
  /** Rule ids the check verifies; the first is the primary one. */
  readonly rules: readonly string[];
  /** Hard cap on the whole check, in ms (default: a few per-step timeouts). */
  budgetMs?(ctx: CheckContext): number;
  /** Runs the check; throws CheckFailed / CheckSkipped. */
  run(ctx: CheckContext): Promise<void>;
}

/** Section of a check id: the part before the first `/` (e.g. `6.2`). */
export function sectionOf(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** Top-level section number of a check id (e.g. `6` for `6.2/hello-ack`). */
export function topSectionOf(id: string): string {
  return sectionOf(id).split('.')[0]!;
}

/** Level of a check: the level of the rule it cites first (PROTOCOL.md "Rule levels"). */
export function levelOf(check: Pick<ConformanceCheck, 'rules'>): RuleLevel {
  return ruleLevel(check.rules[0]!);
}
