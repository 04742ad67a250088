/**
 * `--only` / `--skip`: choosing checks by id or section prefix (`10`, `6.2`, `6.2/hello-ack`, `14/unknown-type`).
 * A pattern matches an id equal to it, or an id continuing it at a `/` or `.` boundary, so `1` selects section 1
 * but not 10, and `6` selects 6.2 and 6.5. A pattern ending in `/` or `.` matches any id starting with it.
 */
import type { ConformanceCheck } from './check.js';

/** True when `pattern` selects the check id. */
export function matchesPattern(id: string, pattern: string): boolean {
  const p = pattern.trim();
  if (p === '') return false;
  if (id === p) return true;
  if (p.endsWith('/') || p.endsWith('.')) return id.startsWith(p);
  return id.startsWith(`${p}/`) || id.startsWith(`${p}.`);
}

/** Splits repeated, comma-separated pattern options into single patterns. */
export function splitPatterns(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The result of a selection. */
export interface Selection {
  readonly checks: readonly ConformanceCheck[];
  /** Checks left out, each with the flag that left it out (reported as skipped). */
  readonly notSelected: readonly { readonly check: ConformanceCheck; readonly reason: string }[];
  /** Patterns that select no check at all (a usage error: probably a typo). */
  readonly unmatched: readonly string[];
}

/** Checks selected by `only` (all when empty) minus those matched by `skip`, in run order. */
export function selectChecks(
  all: readonly ConformanceCheck[],
  only: readonly string[],
  skip: readonly string[],
): Selection {
  const unmatched = [...only, ...skip].filter((p) => !all.some((check) => matchesPattern(check.id, p)));
  const checks: ConformanceCheck[] = [];
  const notSelected: { check: ConformanceCheck; reason: string }[] = [];
  for (const check of all) {
    const skippedBy = skip.find((p) => matchesPattern(check.id, p));
    if (only.length > 0 && !only.some((p) => matchesPattern(check.id, p)))
      notSelected.push({ check, reason: `not selected by --only ${only.join(',')}` });
    else if (skippedBy !== undefined) notSelected.push({ check, reason: `skipped by --skip ${skippedBy}` });
    else checks.push(check);
  }
  return { checks, notSelected, unmatched };
}
