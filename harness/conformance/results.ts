/**
 * The result of a conformance run as plain data: produced by the runner, read by the console, JSON and JUnit
 * writers (measuring and presenting never mix).
 */
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
  readonly status: CheckStatus;
  readonly durationMs: number;
  /** On failure: what the spec requires. */
  readonly expected?: string;
  /** On failure: what the server did. */
  readonly actual?: string;
  /** On skip: why. */
  readonly reason?: string;
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
  readonly summary: ResultSummary;
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
