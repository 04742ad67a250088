/** Errors of scenario loading: every issue names the file, line, column and field path. */
import type { SourcePosition } from './types.js';

/** One problem found in a scenario file. */
export interface ScenarioIssue extends SourcePosition {
  /** Field path, e.g. "phases[1].duration" ("" for the document itself). */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** Formats an issue as "file:line:column: path: message". */
export function formatIssue(issue: ScenarioIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** Thrown by the loader when a scenario is invalid; `issues` lists every problem, sorted by position. */
export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];

  constructor(issues: ScenarioIssue[]) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
    super(
      sorted.length === 1
        ? formatIssue(sorted[0] as ScenarioIssue)
        : `${sorted.length} problems in scenario:\n${sorted.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
    this.name = 'ScenarioError';
    this.issues = sorted;
  }
}

/** Formats a field path from its segments: ["phases", 1, "duration"] -> "phases[1].duration". */
export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
