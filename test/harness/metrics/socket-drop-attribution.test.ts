/**
 * Receive-socket drops count in the health window of the second they happened in (issue 15): a burst of drops in
 * one phase must not be claimed for every phase, drops after the last phase get a window of their own, and drops
 * known only as a run total are not claimed for any phase.
 */
import { describe, expect, it } from 'vitest';
import { HealthSampler, type HealthSample } from '../../../harness/metrics/harness-health.js';
import { AFTER_PHASES, buildRunResult } from '../../../harness/metrics/run-result-builder.js';
import type { WorkerResult } from '../../../harness/metrics/worker-result.js';
import { SAMPLE_START, sampleRun } from './sample-run.js';

/** One healthy sample per second of the sample run (connect 0-1 s, warm 1-3, surge 3-6, cool 6-9, then drain). */
function quietSamples(drops: (second: number) => number | null | undefined): HealthSample[] {
  return Array.from({ length: 12 }, (_, i) => {
    const sample: HealthSample = {
      atMs: SAMPLE_START + (i + 1) * 1000,
      loopP99Ms: 2,
      loopMaxMs: 4,
      cpu: 0.2,
      machineBusy: 0.3,
      sendBacklogBytes: 0,
    };
    const d = drops(i + 1);
    return d === undefined ? sample : { ...sample, socketDrops: d };
  });
}

function healthOf(merged: WorkerResult) {
  const { meta } = sampleRun();
  const verdict = buildRunResult(merged, meta).verdict;
  if (verdict === undefined) throw new Error('no verdict');
  return verdict;
}

describe('socket drop attribution', () => {
  const { merged } = sampleRun();

  it('counts a burst of drops in its own phase only', () => {
    // 1749 drops in the second ending at +5 s (surge), one worker; a second worker without drops.
    const verdict = healthOf({
      ...merged,
      healthByWorker: [quietSamples((s) => (s === 5 ? 1749 : 0)), quietSamples(() => 0)],
      clientSockets: { sockets: 2, receiveBufferBytes: 1, rmemMax: 1, socketsRead: 2, drops: 1749 },
    });
    const byName = new Map(verdict.health.map((w) => [w.name, w]));
    expect([...byName.keys()]).toEqual(['connect', 'warm', 'surge', 'cool']);
    expect(byName.get('surge')?.socketDrops).toBe(1749);
    expect(byName.get('surge')?.reasons).toEqual(['1749 packets dropped by the receive sockets']);
    for (const name of ['connect', 'warm', 'cool']) {
      expect(byName.get(name)?.socketDrops).toBe(0);
      expect(byName.get(name)?.healthy).toBe(true);
    }
    expect(verdict.reasons.filter((r) => /1749/.test(r))).toEqual([
      'surge: 1749 packets dropped by the receive sockets',
    ]);
  });

  it('adds up the workers and gives drops after the last phase a window of their own', () => {
    const verdict = healthOf({
      ...merged,
      healthByWorker: [
        quietSamples((s) => (s === 2 ? 3 : s === 11 ? 40 : 0)),
        quietSamples((s) => (s === 2 ? 4 : 0)),
      ],
    });
    expect(verdict.health.find((w) => w.name === 'warm')?.socketDrops).toBe(7);
    expect(verdict.health.find((w) => w.name === 'surge')?.socketDrops).toBe(0);
    const drain = verdict.health.find((w) => w.name === AFTER_PHASES);
    expect(drain?.socketDrops).toBe(40);
    expect(drain?.healthy).toBe(false);
  });

  it('does not claim drops known only as a run total for any phase', () => {
    const verdict = healthOf({
      ...merged,
      healthByWorker: [quietSamples(() => undefined)],
      clientSockets: { sockets: 1, receiveBufferBytes: 1, rmemMax: 1, socketsRead: 1, drops: 1749 },
    });
    const claiming = verdict.health.filter((w) => (w.socketDrops ?? 0) > 0);
    expect(claiming.map((w) => w.name)).toEqual(['run (time of the drops unknown)']);
    for (const w of verdict.health.filter((h) => h !== claiming[0])) expect(w.socketDrops).toBeNull();
    expect(verdict.reasons.filter((r) => /1749/.test(r))).toHaveLength(1);
  });

  it('finds no drops when none happened', () => {
    const verdict = healthOf({ ...merged, healthByWorker: [quietSamples(() => 0)] });
    expect(verdict.health.every((w) => w.healthy && w.socketDrops === 0)).toBe(true);
  });
});

describe('HealthSampler drop counter', () => {
  it('records the drops of each second, skips unreadable seconds and keeps the tail', () => {
    const readings: Array<number | null> = [5, 5, 12, null, 20, 26];
    const sampler = new HealthSampler(() => (readings.shift() ?? null) as number | null);
    for (let i = 1; i <= 4; i++) sampler.sample(SAMPLE_START + i * 1000, 0);
    const samples = sampler.stop();
    // Baseline 5; then 0, 7, unreadable, 8 (since the last reading, 12); the 6 after the last sample join it.
    expect(samples.map((s) => s.socketDrops)).toEqual([0, 7, null, 14]);
  });

  it('reports no drops without a counter', () => {
    const sampler = new HealthSampler();
    sampler.sample(SAMPLE_START + 1000, 0);
    expect(sampler.stop()[0]?.socketDrops).toBeNull();
  });
});
