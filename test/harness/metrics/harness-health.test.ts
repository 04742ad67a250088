/** The load-generator health criteria (harness-health.ts) on synthetic samples, and the sampler on a blocked loop. */
import { describe, expect, it } from 'vitest';
import {
  HEALTH_LIMITS,
  HealthSampler,
  judgeWindowHealth,
  type HealthSample,
} from '../../../harness/metrics/harness-health.js';

function samples(n: number, over: Partial<HealthSample> = {}, from = 1000): HealthSample[] {
  return Array.from({ length: n }, (_, i) => ({
    atMs: from + (i + 1) * 1000,
    loopP99Ms: 2,
    loopMaxMs: 5,
    cpu: 0.3,
    machineBusy: 0.4,
    sendBacklogBytes: 0,
    ...over,
  }));
}

const WINDOW = { name: 'chat', startMs: 1000, endMs: 11_000, scheduleLagP99Ms: 3 };

describe('judgeWindowHealth', () => {
  it('finds a quiet worker healthy', () => {
    const health = judgeWindowHealth(WINDOW, [samples(10)]);
    expect(health.healthy).toBe(true);
    expect(health.seconds).toBe(10);
  });

  it('flags each criterion past its limit', () => {
    const late = samples(10);
    late[2] = { ...(late[2] as HealthSample), loopP99Ms: HEALTH_LIMITS.LOOP_DELAY_LIMIT_MS + 1 };
    late[5] = { ...(late[5] as HealthSample), loopP99Ms: 400 };
    expect(judgeWindowHealth(WINDOW, [late]).reasons.join()).toMatch(/event loop late.*20%.*worst 400 ms/);
    // One late second in ten is within the share limit (a GC pause is not saturation).
    const once = samples(10);
    once[0] = { ...(once[0] as HealthSample), loopP99Ms: 400 };
    expect(judgeWindowHealth(WINDOW, [once]).healthy).toBe(true);
    expect(judgeWindowHealth({ ...WINDOW, scheduleLagP99Ms: 80 }, [samples(10)]).reasons.join()).toMatch(
      /scheduling lag p99 80 ms/,
    );
    expect(judgeWindowHealth(WINDOW, [samples(10, { cpu: 0.97 })]).reasons.join()).toMatch(/harness CPU/);
    expect(judgeWindowHealth(WINDOW, [samples(10, { machineBusy: 0.99 })]).reasons.join()).toMatch(
      /machine saturated/,
    );
    expect(judgeWindowHealth({ ...WINDOW, socketDrops: 12 }, [samples(10)]).reasons.join()).toMatch(
      /12 packets/,
    );
  });

  it('is unhealthy when any one worker is, and ignores samples outside the window', () => {
    const outside = samples(5, { loopP99Ms: 900 }, 20_000);
    expect(judgeWindowHealth(WINDOW, [samples(10), [...samples(10), ...outside]]).healthy).toBe(true);
    expect(judgeWindowHealth(WINDOW, [samples(10), samples(10, { cpu: 1 })]).healthy).toBe(false);
  });
});

describe('HealthSampler', () => {
  it('sees a blocked event loop', async () => {
    const sampler = new HealthSampler();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const until = performance.now() + 80;
      while (performance.now() < until) {
        // busy: the event loop is blocked
      }
    }
    sampler.sample(Date.now(), 123);
    const [sample] = sampler.stop();
    expect(sample?.loopMaxMs).toBeGreaterThan(60);
    // Busy for most of the second, though other processes may take the core meanwhile.
    expect(sample?.cpu).toBeGreaterThan(0.02);
    expect(sample?.sendBacklogBytes).toBe(123);
  });
});
