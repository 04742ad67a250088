/** summary.json: serializing a RunResult and loading it back (schema version checked). */
import { readFile } from 'node:fs/promises';
import { LatencyRecorder } from '../metrics/latency-recorder.js';
import type { LatencyMetric } from '../metrics/metric-names.js';
import { RESULT_SCHEMA_VERSION, type RunResult } from '../metrics/run-result.js';

/** Thrown when a summary.json cannot be read as a RunResult. */
export class ResultFormatError extends Error {
  constructor(source: string, reason: string) {
    super(`${source}: not a garou-bench summary.json: ${reason}`);
    this.name = 'ResultFormatError';
  }
}

/**
 * A pretty-printed array of numbers only ("[\n  1,\n  2\n]"). Safe on JSON text: the newline after "[" cannot
 * occur inside a JSON string, so only real arrays match.
 */
const NUMBER_ARRAY = /\[\n\s*(-?\d[\d.eE+-]*(?:,\n\s*-?\d[\d.eE+-]*)*)\n\s*\]/g;

/**
 * The text of summary.json for a result (pretty-printed, trailing newline). Arrays of numbers stay on one line:
 * a segment's ledger holds long ones.
 */
export function serializeResult(result: RunResult): string {
  const text = JSON.stringify(result, null, 2).replace(
    NUMBER_ARRAY,
    (_, numbers: string) => `[${numbers.replace(/,\n\s*/g, ',')}]`,
  );
  return `${text}\n`;
}

/** Parses summary.json text; checks the schema version and the fields readers rely on. */
export function parseResult(text: string, source = 'summary.json'): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultFormatError(source, `invalid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null)
    throw new ResultFormatError(source, 'expected a JSON object');
  const result = data as Partial<RunResult>;
  if (result.schemaVersion !== RESULT_SCHEMA_VERSION) {
    throw new ResultFormatError(
      source,
      `schemaVersion ${JSON.stringify(result.schemaVersion)} is not supported (expected ${RESULT_SCHEMA_VERSION})`,
    );
  }
  for (const field of [
    'scenario',
    'latency',
    'histograms',
    'counters',
    'correctness',
    'phases',
    'timeline',
    'events',
  ] as const) {
    if (result[field] === undefined) throw new ResultFormatError(source, `missing field "${field}"`);
  }
  return result as RunResult;
}

/** Reads and parses a summary.json file. */
export async function loadResult(file: string): Promise<RunResult> {
  return parseResult(await readFile(file, 'utf8'), file);
}

/** Decodes a histogram of a result (whole run, or one phase) for further analysis or merging. */
export function resultHistogram(result: RunResult, metric: LatencyMetric, phase?: string): LatencyRecorder {
  const holder = phase === undefined ? result : result.phases.find((p) => p.name === phase);
  if (!holder) throw new RangeError(`no phase "${phase}" in result`);
  return LatencyRecorder.decode(holder.histograms[metric]);
}
