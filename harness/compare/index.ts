/**
 * Public API of the performance gate: statistics, budgets, run sets, verdicts, their renderings (terminal,
 * Markdown, JUnit), exact merging of run results and saved baselines. `runRepeated` (repeat-runs.ts) is not
 * re-exported here: it pulls in the runner and the QUIC transport, which comparing files never needs.
 */
export { mannWhitneyU, midranks, normalUpperTail, erfc, EXACT_MAX_TOTAL } from './mann-whitney.js';
export type { Alternative, MannWhitneyMethod, MannWhitneyResult } from './mann-whitney.js';
export {
  median,
  ratio,
  bootstrapMedianStatistic,
  bootstrapMedianRatio,
  bootstrapMedianDifference,
  type BootstrapInterval,
  type BootstrapOptions,
} from './bootstrap.js';
export {
  comparedMetric,
  defaultMetrics,
  extractMetric,
  metricDirection,
  parseMetricName,
  type ComparedMetric,
  type Direction,
} from './compared-metrics.js';
export {
  parseBudget,
  parseBudgetEntry,
  budgetsFromYaml,
  mergeBudgets,
  formatBudget,
  BudgetSyntaxError,
  DEFAULT_BUDGETS,
  type Budget,
} from './budgets.js';
export {
  loadRunSet,
  loadRunSetFiles,
  findSummaryFiles,
  savedBaselineNames,
  baselineDir,
  checkBaselineName,
  BASELINE_PREFIX,
  DEFAULT_BASELINES_DIR,
  type RunSet,
} from './run-set.js';
export {
  compareRunSets,
  compareValues,
  metricValues,
  smallestOneSidedP,
  formatChange,
  formatP,
  DEFAULT_COMPARE_OPTIONS,
  UNGATED_NOTICE_CHANGE,
  type CompareMethod,
  type CompareOptions,
  type ComparisonReport,
  type MetricComparison,
  type RunSetSummary,
  type SideValues,
  type Verdict,
} from './comparison.js';
export { formatComparisonTable } from './comparison-table.js';
export { formatComparisonMarkdown, markdownCell } from './markdown-summary.js';
export { formatComparisonJunit } from './junit-xml.js';
export { formatRunSetTable } from './run-set-table.js';
export { mergeRunResults, unionLength, RunMergeError } from './merge-run-results.js';
export {
  saveBaseline,
  readBaselineManifest,
  BASELINE_MANIFEST_VERSION,
  type BaselineManifest,
  type SavedBaseline,
  type SavedRun,
} from './baseline-store.js';
export { CompareInputError } from './errors.js';
