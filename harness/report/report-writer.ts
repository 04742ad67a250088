/** Writes a run's report files to reports/<scenario>/<timestamp>/ and returns their paths. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LatencyMetric } from '../metrics/metric-names.js';
import type { RunResult } from '../metrics/run-result.js';
import { hgrmFiles } from './hgrm.js';
import { renderHtmlReport } from './html-report.js';
import { serializeResult } from './summary-json.js';

/** Paths of the files a report consists of. */
export interface ReportPaths {
  dir: string;
  summaryJson: string;
  html: string;
  /** One .hgrm file per latency metric with samples. */
  hgrm: Partial<Record<LatencyMetric, string>>;
}

/** File-name-safe timestamp of an ISO date: "2025-01-02T03-04-05Z" (UTC, no colons). */
export function fileSafeTimestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** File-name-safe form of a scenario name. */
export function fileSafeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'scenario';
}

/**
 * Writes summary.json, one .hgrm per latency metric and report.html under
 * `<baseDir>/<scenario>/<timestamp of the run start>/` (a "-2", "-3"... suffix avoids overwriting a report).
 */
export async function writeReport(
  result: RunResult,
  options: { baseDir?: string; chartJs?: string } = {},
): Promise<ReportPaths> {
  const parent = join(options.baseDir ?? 'reports', fileSafeName(result.scenario.name));
  await mkdir(parent, { recursive: true });
  const stamp = fileSafeTimestamp(result.startedAt);
  let dir = join(parent, stamp);
  for (let n = 2; ; n++) {
    try {
      await mkdir(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      dir = join(parent, `${stamp}-${n}`);
    }
  }
  const summaryJson = join(dir, 'summary.json');
  await writeFile(summaryJson, serializeResult(result));
  const hgrm: ReportPaths['hgrm'] = {};
  for (const file of hgrmFiles(result)) {
    const path = join(dir, file.fileName);
    await writeFile(path, file.content);
    hgrm[file.metric] = path;
  }
  const html = join(dir, 'report.html');
  await writeFile(
    html,
    renderHtmlReport(result, options.chartJs === undefined ? {} : { chartJs: options.chartJs }),
  );
  return { dir, summaryJson, html, hgrm };
}
