/** Public API of the presentation layer: every function only reads a RunResult. */
export {
  serializeResult,
  parseResult,
  loadResult,
  resultHistogram,
  ResultFormatError,
} from './summary-json.js';
export { formatHgrm, hgrmFiles } from './hgrm.js';
export { percentileSeries, type PercentilePoint } from './percentile-series.js';
export {
  renderHtmlReport,
  chartData,
  loadChartJsSource,
  escapeHtml,
  type ReportChartData,
} from './html-report.js';
export { formatSummaryTable } from './console-summary.js';
export {
  formatProgressLine,
  renderProgress,
  CLEAR_PROGRESS_LINE,
  type ProgressRenderOptions,
} from './progress-line.js';
export { writeReport, fileSafeTimestamp, fileSafeName, type ReportPaths } from './report-writer.js';
export { formatMs, formatCount, formatRate, formatThresholdValue, formatOffset } from './format.js';
