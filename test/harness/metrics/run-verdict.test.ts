/** The verdict rules (run-verdict.ts) on synthetic checks and health windows. */
import { describe, expect, it } from 'vitest';
import type { WindowHealth } from '../../../harness/metrics/harness-health.js';
import { decideVerdict } from '../../../harness/metrics/run-verdict.js';
import type { ThresholdResult } from '../../../harness/metrics/threshold-evaluation.js';

function threshold(expression: string, metric: string, passed: boolean): ThresholdResult {
  return { expression, metric, op: '<', expected: 0, actual: 1, unit: '', passed, note: null, line: null };
}

function window(name: string, healthy: boolean): WindowHealth {
  return {
    name,
    healthy,
    reasons: healthy ? [] : ['event loop late'],
    seconds: 10,
    loopP99MaxMs: healthy ? 2 : 300,
    loopMaxMs: healthy ? 5 : 400,
    scheduleLagP99Ms: healthy ? 1 : 200,
    cpuMax: 0.5,
    machineBusyMean: 0.5,
    sendBacklogMaxBytes: 0,
    socketDrops: null,
  };
}

const base = { expectations: [], confirmedLoss: 0, workers: 1 };

describe('decideVerdict', () => {
  it('passes when every check passes, however unhealthy the harness', () => {
    const v = decideVerdict({
      ...base,
      thresholds: [threshold('loss == 0', 'loss', true)],
      health: [window('a', false)],
    });
    expect(v.status).toBe('PASS');
  });

  it('fails a check measured while the harness was healthy', () => {
    const v = decideVerdict({
      ...base,
      thresholds: [threshold('deliver.p99 < 1ms', 'deliver.p99', false)],
      health: [window('a', true)],
    });
    expect(v.status).toBe('FAIL');
  });

  it('is inconclusive when a failed check was measured while the harness was unhealthy', () => {
    const v = decideVerdict({
      ...base,
      thresholds: [
        threshold('deliver.p99 < 1ms', 'deliver.p99', false),
        threshold('loss == 0', 'loss', false),
      ],
      health: [window('a', true), window('b', false)],
    });
    expect(v.status).toBe('INCONCLUSIVE');
    expect(v.reasons.join('\n')).toMatch(/b: event loop late/);
    expect(v.reasons).toContain(
      'loss == 0: measured while the harness was unhealthy (b); none of the lost pairs confirmed',
    );
    expect(v.reasons).toContain('deliver.p99 < 1ms: measured while the harness was unhealthy (b)');
    expect(v.advice[0]).toMatch(/--workers 2/);
  });

  it('does not advise more worker processes when every core of the machine was busy', () => {
    const saturated = { ...window('b', false), reasons: ['machine saturated: all cores at least 95% busy'] };
    const v = decideVerdict({
      ...base,
      thresholds: [threshold('deliver.p99 < 1ms', 'deliver.p99', false)],
      health: [window('a', true), saturated],
    });
    expect(v.status).toBe('INCONCLUSIVE');
    expect(v.advice.join('\n')).not.toMatch(/--workers|more worker processes than/);
    expect(v.advice[0]).toMatch(/every core of the machine was busy/);
  });

  it('judges a phase threshold by the health of its phase only', () => {
    const input = {
      ...base,
      thresholds: [threshold('deliver.p99@a < 1ms', 'deliver.p99@a', false)],
    };
    expect(decideVerdict({ ...input, health: [window('a', true), window('b', false)] }).status).toBe('FAIL');
    expect(decideVerdict({ ...input, health: [window('a', false), window('b', true)] }).status).toBe(
      'INCONCLUSIVE',
    );
  });

  it('never excuses confirmed loss; reorders and duplicates only while unhealthy', () => {
    const unhealthy = [window('a', false)];
    const dup = [threshold('duplicates == 0', 'duplicates', false)];
    expect(decideVerdict({ ...base, thresholds: dup, health: unhealthy }).status).toBe('INCONCLUSIVE');
    const reorders = [threshold('reorders == 0', 'reorders', false)];
    expect(decideVerdict({ ...base, thresholds: reorders, health: unhealthy }).status).toBe('INCONCLUSIVE');
    expect(decideVerdict({ ...base, thresholds: reorders, health: [window('a', true)] }).status).toBe('FAIL');
    const loss = decideVerdict({
      ...base,
      confirmedLoss: 3,
      thresholds: [threshold('loss == 0', 'loss', false)],
      health: unhealthy,
    });
    expect(loss.status).toBe('FAIL');
    expect(loss.reasons[0]).toMatch(/3 lost pair\(s\) confirmed/);
  });
});
