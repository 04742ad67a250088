import { describe, expect, it } from 'vitest';
import { applyScenarioOverrides } from '../../../harness/runner/scenario-overrides.js';
import { parseScenario } from '../../../harness/scenario/load.js';

const SCENARIO = `
name: scale
seed: 3
clients: { count: 10, connect_rate: 10 }
phases:
  - { name: a, duration: 10s, rate: { per_room: 1 } }
  - name: b
    duration: 20s
    rate: { per_room: 1 }
    storms: [{ at: 4s, fraction: 0.5, spread: 2s, downtime: 1s }]
`;

describe('applyScenarioOverrides', () => {
  it('scales phase durations, offsets and storm timing, and replaces the seed', () => {
    const scenario = parseScenario(SCENARIO, 's.yaml');
    const scaled = applyScenarioOverrides(scenario, { durationScale: 0.5, seed: 77 });
    expect(scaled.seed).toBe(77);
    expect(scaled.phases.map((p) => [p.startOffsetMs, p.durationMs])).toEqual([
      [0, 5000],
      [5000, 10000],
    ]);
    expect(scaled.phases[1]!.storms[0]).toMatchObject({ atMs: 2000, spreadMs: 1000, downtimeMs: 500 });
    expect(scaled.totalDurationMs).toBe(15000);
    expect(scenario.phases[0]!.durationMs).toBe(10000); // input untouched
  });

  it('keeps the scenario as it is without overrides', () => {
    const scenario = parseScenario(SCENARIO, 's.yaml');
    expect(applyScenarioOverrides(scenario, {})).toEqual(scenario);
  });

  it('rejects a scale that is not above 0', () => {
    const scenario = parseScenario(SCENARIO, 's.yaml');
    expect(() => applyScenarioOverrides(scenario, { durationScale: 0 })).toThrow(/duration scale/);
    expect(() => applyScenarioOverrides(scenario, { durationScale: Number.NaN })).toThrow(/duration scale/);
  });
});
