/** Command-line adjustments of a loaded scenario: seed and duration scale. Pure functions of their inputs. */
import type { Scenario } from '../scenario/types.js';

/** What the command line may change in a scenario. */
export interface ScenarioOverrides {
  /** Replaces the scenario's seed. */
  seed?: number;
  /**
   * Multiplies every phase duration and the timing of reconnect storms (at, spread, downtime), e.g. 0.1 for
   * a quick smoke run. Hot-room parameters, grace and expectation deadlines are not scaled.
   */
  durationScale?: number;
}

/** Returns the scenario with the overrides applied (the input is not modified). */
export function applyScenarioOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const scale = overrides.durationScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`duration scale must be > 0, got ${scale}`);
  let offset = 0;
  const phases = scenario.phases.map((phase) => {
    const durationMs = Math.max(1, Math.round(phase.durationMs * scale));
    const scaled = {
      ...phase,
      startOffsetMs: offset,
      durationMs,
      storms: phase.storms.map((storm) => ({
        ...storm,
        atMs: Math.round(storm.atMs * scale),
        spreadMs: Math.round(storm.spreadMs * scale),
        downtimeMs: Math.round(storm.downtimeMs * scale),
      })),
    };
    offset += durationMs;
    return scaled;
  });
  return {
    ...scenario,
    seed: overrides.seed ?? scenario.seed,
    phases,
    totalDurationMs: offset,
  };
}
