/**
 * The result of a conformance run as plain data: produced by the runner, read by the console, JSON and JUnit
 * writers (measuring and presenting never mix).
 */
import { RULE_LEVELS, type RuleLevel } from '../../spec/rule-levels.js';
import type { HotRoomParams } from './suite-environment.js';

/** Verdict of one check. A skip never counts as a pass. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One check's outcome. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  /** Section of the id (e.g. `6.2`). */
  readonly section: string;
  readonly rules: readonly string[];
  /** Level of the check's first rule: protocol (any implementation) or reference (our decision). */
  readonly level: RuleLevel;
  readonly status: CheckStatus;
  readonly durationMs: number;
  /** On failure: what the spec requires. */
  readonly expected?: string;
  /** On failure: what the server did. */
  readonly actual?: string;
  /** On failure: the harness's own conditions during the check (its event-loop delay, the probe packets). */
  readonly harness?: string;
  /** On skip: why. */
  readonly reason?: string;
  /** On skip: the check was left out by --only / --skip (it did not run). */
  readonly notSelected?: boolean;
  /** SHOULD-level findings (never a failure). */
  readonly warnings: readonly string[];
}

/** Counts of a run. */
export interface ResultSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** A whole run. */
export interface SuiteResult {
  /** `host:port` tested. */
  readonly target: string;
  /** Whether the suite started the embedded reference server. */
  readonly embedded: boolean;
  /** ISO time the run started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly numShards: number;
  readonly hot: HotRoomParams;
  readonly seed: number;
  readonly checks: readonly CheckResult[];
  /** Counts over every level. */
  readonly summary: ResultSummary;
  /** Counts per level. */
  readonly levels: Readonly<Record<RuleLevel, ResultSummary>>;
  /** Whether reference-level failures count for the verdict (--strict). */
  readonly strict: boolean;
  /** pass when no counted check failed: protocol-level ones, and reference-level ones with --strict. */
  readonly verdict: 'pass' | 'fail';
}

/** Counts passes, failures and skips. */
export function summarize(checks: readonly CheckResult[]): ResultSummary {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const check of checks) {
    if (check.status === 'pass') passed++;
    else if (check.status === 'fail') failed++;
    else skipped++;
  }
  return { passed, failed, skipped };
}

/** Counts per level. */
export function summarizeByLevel(checks: readonly CheckResult[]): Record<RuleLevel, ResultSummary> {
  return Object.fromEntries(
    RULE_LEVELS.map((level) => [level, summarize(checks.filter((c) => c.level === level))]),
  ) as Record<RuleLevel, ResultSummary>;
}

/** Whether a check's failure counts for the verdict: always at protocol level, with --strict at reference level. */
export function counts(check: Pick<CheckResult, 'level'>, strict: boolean): boolean {
  return strict || check.level === 'protocol';
}

/** The verdict of a run: fail when a counted check failed. */
export function verdictOf(checks: readonly CheckResult[], strict: boolean): 'pass' | 'fail' {
  return checks.some((c) => c.status === 'fail' && counts(c, strict)) ? 'fail' : 'pass';
}
