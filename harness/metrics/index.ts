/** Public API of the measurement layer: recorders, worker results, exact merge, the run result and its checks. */
export * from './metric-names.js';
export { epochNowMs } from './clock.js';
export {
  LatencyRecorder,
  SIGNIFICANT_DIGITS,
  UNITS_PER_MS,
  type LatencySummary,
  type HistogramBuckets,
} from './latency-recorder.js';
export {
  DeliveryTracker,
  mergeDeliveryStates,
  deliveryTotals,
  zeroDeliveryCounts,
  addDeliveryCounts,
  type DeliveryCounts,
  type DeliveryState,
  type DeliveryVerdict,
  type AckedMessage,
} from './delivery-tracker.js';
export { HotRoomReactionTracker } from './hot-room-reaction.js';
export { encodeSendStamp, decodeSendStamp, type SendStamp } from './send-stamp.js';
export { RunRecorder, type RunRecorderOptions, type ProgressSnapshot } from './run-recorder.js';
export * from './worker-result.js';
export { mergeResults, mergeEncodedHistograms, mergeTimelines, mergeRoomEvents } from './merge-results.js';
export { mergeProgress } from './progress.js';
export * from './run-result.js';
export { buildRunResult, type RunMeta } from './run-result-builder.js';
export { evaluateThresholds, metricValue, type ThresholdResult } from './threshold-evaluation.js';
export { evaluateExpectations, type ExpectationResult } from './expectation-evaluation.js';
