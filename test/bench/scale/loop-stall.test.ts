import { describe, expect, it } from 'vitest';
import { phaseLoopMaxMs } from '../../../bench/scale/loop-stall.js';
import { judgeWindowHealth, type HealthSample } from '../../../harness/metrics/harness-health.js';
import { decideVerdict } from '../../../harness/metrics/run-verdict.js';

/** One worker's second ending at `atMs` whose longest loop delay was `loopMaxMs`. */
const second = (atMs: number, loopMaxMs: number): HealthSample => ({
  atMs,
  loopP99Ms: Math.min(loopMaxMs, 20),
  loopMaxMs,
  cpu: 0.5,
  machineBusy: 0.5,
  sendBacklogBytes: 0,
});

describe('phaseLoopMaxMs', () => {
  it("is the longest stall of any worker in the named phase's window, not in another phase", () => {
    const workers = [
      [second(1000, 700), second(2000, 30), second(3000, 40)],
      [second(1000, 20), second(2000, 30), second(3000, 250)],
    ];
    const health = [
      judgeWindowHealth({ name: 'connect', startMs: 0, endMs: 1000, scheduleLagP99Ms: null }, workers),
      judgeWindowHealth({ name: 'steady', startMs: 1000, endMs: 3000, scheduleLagP99Ms: null }, workers),
    ];
    const verdict = decideVerdict({ thresholds: [], expectations: [], health, confirmedLoss: 0, workers: 2 });
    expect(phaseLoopMaxMs({ verdict }, 'steady')).toBe(250);
    expect(phaseLoopMaxMs({ verdict }, 'connect')).toBe(700);
  });

  it('is null for a phase without health or a result without a verdict', () => {
    expect(phaseLoopMaxMs({}, 'steady')).toBeNull();
    const verdict = decideVerdict({
      thresholds: [],
      expectations: [],
      health: [],
      confirmedLoss: 0,
      workers: 1,
    });
    expect(phaseLoopMaxMs({ verdict }, 'steady')).toBeNull();
  });
});
