/**
 * JSON report of a run: the SuiteResult as is (stable field names), with bigints never present (all numbers).
 */
import type { SuiteResult } from '../results.js';

/** Schema version of the JSON report. */
export const CONFORMANCE_JSON_VERSION = 1;

/** The JSON text of a run's result. */
export function formatJsonReport(result: SuiteResult): string {
  return `${JSON.stringify({ version: CONFORMANCE_JSON_VERSION, ...result }, null, 2)}\n`;
}
