/** Public API of the scenario layer: loading, validation, the resolved model and the deterministic plan. */
export { loadScenario, parseScenario } from './load.js';
export { ScenarioError, formatIssue, type ScenarioIssue } from './scenario-error.js';
export { SCENARIO_SCHEMA, validateScenarioSchema } from './schema.js';
export { parseTarget, DEFAULT_HOT_ROOMS } from './normalize.js';
export {
  parseDuration,
  parseRate,
  parseByteSize,
  formatDuration,
  QuantitySyntaxError,
} from './quantities.js';
export {
  parseThreshold,
  formatMetricRef,
  metricUnit,
  compare,
  ThresholdSyntaxError,
  type Threshold,
  type MetricRef,
  type LatencyStat,
  type ComparisonOp,
} from './threshold.js';
export { SeededRandom } from './rng.js';
export { ActionPicker, WeightedChoice, popularityWeights, sampleSize } from './samplers.js';
export { buildRoomPlan, type PlannedRoom, type RoomPlan } from './membership.js';
export {
  phaseRoomRates,
  ArrivalSchedule,
  planStorm,
  RANDOM_STREAMS,
  streamRandom,
  type Arrival,
  type StormDisconnect,
} from './traffic.js';
export { formatUsername, MAX_USERNAME_LENGTH } from './username.js';
export * from './types.js';
