/**
 * The outcomes of a run's checks as summary.json holds them: each threshold and each hot-room expectation of the
 * scenario, passed or not, with what was measured. Only shapes: the run result, the evaluators and the verdict
 * all refer to them without referring to each other.
 */
import type { ComparisonOp } from '../scenario/threshold.js';

/** Outcome of one threshold. `expected` and `actual` are in `unit` (ms, /s, ratio, or "" for counts). */
export interface ThresholdResult {
  expression: string;
  /** Canonical metric name, e.g. "deliver.p99@surge". */
  metric: string;
  op: ComparisonOp;
  expected: number;
  /** null when the metric has no data (e.g. no samples): the threshold then fails. */
  actual: number | null;
  unit: 'ms' | '/s' | '' | 'ratio';
  passed: boolean;
  /** Why `actual` is null, or a caveat. */
  note: string | null;
  /** Line of the threshold in the scenario file, when known. */
  line: number | null;
}

/** Outcome of one expectation. */
export interface ExpectationResult {
  /** The expectation, e.g. "viral promoted during surge within 5s". */
  text: string;
  passed: boolean;
  /** What was observed, e.g. "promoted at +34.2s (4.2s into surge)". */
  actual: string;
  /** Offset (since run start) of the matching event; null when none matched. */
  atOffsetMs: number | null;
  line: number | null;
}
