/** Public API of the runner: run a scenario end to end, and the pieces other tools reuse. */
export { runScenario, type RunOptions, type RunOutcome } from './coordinator.js';
export { RunError } from './run-error.js';
export { applyScenarioOverrides, type ScenarioOverrides } from './scenario-overrides.js';
export { EmbeddedServer, referenceServerEntry, serverFlags, type ServerEntry } from './embedded-server.js';
export { probeTarget, resolveHost, type ProbeResult } from './target.js';
export { TrafficPlan, plannedStorms, phaseWindows, type PlannedOperation } from './traffic-plan.js';
export { recordRoomMessage } from './delivery-recording.js';
export { ProgressPrinter, type ProgressStream } from './progress-printer.js';
export { toolVersion } from './tool-version.js';
