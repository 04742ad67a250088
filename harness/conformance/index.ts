/**
 * Public surface of the conformance suite: the checks, the runner, the probe, and the report writers.
 */
export { ALL_CHECKS } from './checks/index.js';
export { CheckFailed, CheckSkipped, sectionOf, topSectionOf, type ConformanceCheck } from './check.js';
export { CheckContext } from './check-context.js';
export {
  ProbeConnection,
  ProbeConnectError,
  describeReceived,
  type ProbeTarget,
  type ReceivedFrame,
  type StreamRef,
  type StreamSelector,
} from './probe-connection.js';
export { ServerFrameReader, decodeServerDatagram, type RawServerFrame } from './server-frame-reader.js';
export { matchesPattern, selectChecks, splitPatterns, type Selection } from './selection.js';
export {
  summarize,
  type CheckResult,
  type CheckStatus,
  type ResultSummary,
  type SuiteResult,
} from './results.js';
export {
  DEFAULT_HOT_ROOM_PARAMS,
  SuiteEnvironment,
  type HotRoomParams,
  type RunSettings,
  type TargetParams,
} from './suite-environment.js';
export {
  TargetUnreachableError,
  discoverTarget,
  runCheck,
  runSuite,
  type SuiteRunOptions,
} from './suite-runner.js';
export {
  ResolvedTarget,
  TargetSyntaxError,
  parseHostPort,
  type ClientPolicy,
  type HostAndPort,
} from './target.js';
export { EMBEDDED_HOT_ROOM_SETTINGS, startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
export {
  ConformanceUsageError,
  runConformance,
  type ConformanceConfig,
  type ConformanceOutcome,
  type ConformanceOutput,
} from './conformance-run.js';
export { formatCheckList, formatConsoleReport, summaryLine } from './report/console-report.js';
export { formatJsonReport } from './report/json-report.js';
export { formatJunitReport } from './report/junit-report.js';
