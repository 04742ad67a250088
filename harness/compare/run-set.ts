/**
 * The runs on one side of a comparison: a summary.json file, a folder holding summary.json files at any depth
 * (`garou-bench run --repeat N --out <folder>`), or `baseline:<name>` for a baseline saved under reports/baselines/.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunResult } from '../metrics/run-result.js';
import { loadResult } from '../report/summary-json.js';
import { CompareInputError } from './errors.js';

/** Where `baseline save` puts baselines and `baseline:<name>` finds them. */
export const DEFAULT_BASELINES_DIR = 'reports/baselines';

/** Prefix of a saved-baseline reference. */
export const BASELINE_PREFIX = 'baseline:';

/** Runs of one scenario, loaded from their summary.json files. */
export interface RunSet {
  /** As given on the command line (e.g. "baseline:main" or "reports/current"). */
  label: string;
  /** The summary.json files, sorted. */
  files: string[];
  results: RunResult[];
}

/** Name rule of saved baselines (a folder name). */
export const BASELINE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks a baseline name; throws CompareInputError naming the rule. */
export function checkBaselineName(name: string): void {
  if (!BASELINE_NAME_RE.test(name)) {
    throw new CompareInputError(
      `baseline name ${JSON.stringify(name)} is invalid: use letters, digits, ".", "_" or "-" (e.g. "main")`,
    );
  }
}

/** Every summary.json at or under `path` (a file is taken as is), sorted; throws when there is none. */
export async function findSummaryFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CompareInputError(`${path}: no such file or folder`);
  }
  if (info.isFile()) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules') await walk(join(dir, entry.name));
      else if (entry.isFile() && entry.name === 'summary.json') found.push(join(dir, entry.name));
    }
  };
  await walk(path);
  if (found.length === 0) throw new CompareInputError(`${path}: no summary.json in this folder or below it`);
  return found.sort();
}

/** Folder of the saved baseline `name`. */
export function baselineDir(name: string, baselinesDir = DEFAULT_BASELINES_DIR): string {
  return join(baselinesDir, name);
}

/** Loads summary.json files as one run set; every run must come from the same scenario. */
export async function loadRunSetFiles(label: string, files: readonly string[]): Promise<RunSet> {
  const results = await Promise.all(files.map((file) => loadResult(file)));
  const scenarios = [...new Set(results.map((r) => r.scenario.name))];
  if (scenarios.length > 1) {
    const example = files.find((_, i) => results[i]?.scenario.name === scenarios[0]) ?? '';
    throw new CompareInputError(
      `${label} holds runs of ${scenarios.length} scenarios (${scenarios.join(', ')}): point at the runs of one ` +
        `scenario, e.g. the folder of ${relative('.', example)}`,
    );
  }
  return { label, files: [...files], results };
}

/**
 * Resolves a comparison argument: `baseline:<name>`, a summary.json file or a folder of runs.
 * Throws CompareInputError (nothing found, mixed scenarios) or ResultFormatError (a bad summary.json).
 */
export async function loadRunSet(spec: string, options: { baselinesDir?: string } = {}): Promise<RunSet> {
  if (spec.startsWith(BASELINE_PREFIX)) {
    const name = spec.slice(BASELINE_PREFIX.length);
    checkBaselineName(name);
    const dir = baselineDir(name, options.baselinesDir);
    let files: string[];
    try {
      files = await findSummaryFiles(dir);
    } catch (error) {
      if (!(error instanceof CompareInputError)) throw error;
      const saved = await savedBaselineNames(options.baselinesDir);
      throw new CompareInputError(
        `no saved baseline "${name}" in ${options.baselinesDir ?? DEFAULT_BASELINES_DIR} ` +
          `(${saved.length ? `saved: ${saved.join(', ')}` : 'none saved yet'}); ` +
          `save one with: garou-bench baseline save <run folder...> --name ${name}`,
      );
    }
    return loadRunSetFiles(spec, files);
  }
  return loadRunSetFiles(spec, await findSummaryFiles(spec));
}

/** Names of the baselines saved under `baselinesDir` (folders holding a baseline.json). */
export async function savedBaselineNames(baselinesDir = DEFAULT_BASELINES_DIR): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(baselinesDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !BASELINE_NAME_RE.test(entry.name)) continue;
    try {
      await stat(join(baselinesDir, entry.name, 'baseline.json'));
      names.push(entry.name);
    } catch {
      // not a baseline folder
    }
  }
  return names.sort();
}
