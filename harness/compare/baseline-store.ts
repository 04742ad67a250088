/**
 * Saved baselines: copies of chosen runs under reports/baselines/<name>/run-NN/ with a baseline.json manifest,
 * so CI can compare against `baseline:<name>` without re-running the old build.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadResult } from '../report/summary-json.js';
import { CompareInputError } from './errors.js';
import { baselineDir, checkBaselineName, DEFAULT_BASELINES_DIR, findSummaryFiles } from './run-set.js';

/** Version of baseline.json. */
export const BASELINE_MANIFEST_VERSION = 1;

/** One run of a saved baseline. */
export interface SavedRun {
  /** Folder inside the baseline, e.g. "run-01". */
  dir: string;
  /** Folder it was copied from. */
  source: string;
  startedAt: string;
}

/** Contents of baseline.json. */
export interface BaselineManifest {
  version: typeof BASELINE_MANIFEST_VERSION;
  name: string;
  scenario: string;
  savedAt: string;
  runs: SavedRun[];
}

/** Where a baseline was saved. */
export interface SavedBaseline {
  dir: string;
  manifest: BaselineManifest;
  /** An older baseline of the same name was replaced. */
  replaced: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies the files (not sub-folders: they may be other runs) of a run folder. */
async function copyRunFiles(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true }))
    if (entry.isFile()) await copyFile(join(from, entry.name), join(to, entry.name));
}

/**
 * Saves the runs found at `paths` (run folders, summary.json files, or folders of runs) as baseline `name`,
 * replacing a baseline of that name. All runs must be of one scenario. Throws CompareInputError.
 */
export async function saveBaseline(
  paths: readonly string[],
  options: { name: string; baselinesDir?: string; now?: Date },
): Promise<SavedBaseline> {
  checkBaselineName(options.name);
  if (paths.length === 0)
    throw new CompareInputError('baseline save: give at least one run folder or summary.json');
  const baselinesDir = options.baselinesDir ?? DEFAULT_BASELINES_DIR;
  const dest = baselineDir(options.name, baselinesDir);
  const files: string[] = [];
  for (const path of paths)
    for (const file of await findSummaryFiles(path)) if (!files.includes(file)) files.push(file);
  const results = await Promise.all(files.map((file) => loadResult(file)));
  const scenarios = [...new Set(results.map((r) => r.scenario.name))];
  if (scenarios.length > 1)
    throw new CompareInputError(
      `a baseline holds runs of one scenario; these runs are of ${scenarios.join(', ')}`,
    );
  const replaced = await exists(dest);
  if (replaced && !(await exists(join(dest, 'baseline.json')))) {
    throw new CompareInputError(
      `${dest} exists but is not a saved baseline (no baseline.json): remove it or choose another --name`,
    );
  }
  // Copy into a fresh folder first: a source may live inside the baseline being replaced.
  const staging = join(baselinesDir, `.${options.name}.saving-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const width = Math.max(2, String(files.length).length);
  const runs: SavedRun[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const dir = `run-${String(i + 1).padStart(width, '0')}`;
      await copyRunFiles(dirname(file), join(staging, dir));
      runs.push({
        dir,
        source: dirname(resolve(file)),
        startedAt: (results[i] as { startedAt: string }).startedAt,
      });
    }
    const manifest: BaselineManifest = {
      version: BASELINE_MANIFEST_VERSION,
      name: options.name,
      scenario: scenarios[0] as string,
      savedAt: (options.now ?? new Date()).toISOString(),
      runs,
    };
    await writeFile(join(staging, 'baseline.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (replaced) await rm(dest, { recursive: true, force: true });
    await rename(staging, dest);
    return { dir: dest, manifest, replaced };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads a baseline's manifest. Throws CompareInputError when there is no such baseline. */
export async function readBaselineManifest(
  name: string,
  baselinesDir = DEFAULT_BASELINES_DIR,
): Promise<BaselineManifest> {
  checkBaselineName(name);
  const file = join(baselineDir(name, baselinesDir), 'baseline.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CompareInputError(`no saved baseline "${name}" in ${baselinesDir}`);
  }
  try {
    const manifest = JSON.parse(text) as BaselineManifest;
    if (manifest.version !== BASELINE_MANIFEST_VERSION || !Array.isArray(manifest.runs))
      throw new Error('bad layout');
    return manifest;
  } catch {
    throw new CompareInputError(`${file} is not a baseline manifest written by garou-bench baseline save`);
  }
}
