import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { buildRunResult } from '../../../harness/metrics/run-result-builder.js';
import { sampleRun } from './sample-run.js';

describe('buildRunResult', () => {
  const { result } = sampleRun();

  it('carries identity, times and units', () => {
    expect(result.schemaVersion).toBe(1);
    expect(result.scenario).toEqual({
      name: 'sample-run',
      description: 'Sample <b>run</b> & friends',
      file: 'scenarios/sample-run.yaml',
      seed: 3,
    });
    expect(result.startedAt).toBe('2025-01-02T03:04:05.678Z');
    expect(result.durationMs).toBe(14_000);
    expect(result.units).toEqual({ latency: 'ms', histograms: 'us', significantDigits: 3 });
  });

  it('summarizes latency from the encoded histograms', () => {
    expect(result.latency.deliver.count).toBe(result.counters.delivered);
    // Deliveries take 2..6 ms after the scheduled time.
    expect(result.latency.deliver.min).toBe(2);
    // HdrHistogram reports the highest value equivalent to the maximum (3 significant digits).
    expect(result.latency.deliver.max).toBeGreaterThanOrEqual(6);
    expect(result.latency.deliver.max).toBeLessThanOrEqual(6.006);
    expect(LatencyRecorder.decode(result.histograms.deliver).summary()).toEqual(result.latency.deliver);
    expect(result.schedulingLag).toEqual(result.latency.schedule_lag);
    expect(result.schedulingLag.max).toBeCloseTo(0.2, 3);
  });

  it('computes per-phase figures and throughput over the phase time', () => {
    expect(result.phases.map((p) => [p.name, p.startOffsetMs, p.durationMs])).toEqual([
      ['warm', 1000, 2000],
      ['surge', 3000, 3000],
      ['cool', 6000, 3000],
    ]);
    const surge = result.phases[1]!;
    expect(surge.counters.sent).toBe(90);
    expect(surge.throughput.sends).toBeCloseTo(30, 6);
    expect(surge.throughput.deliveries).toBeCloseTo(120, 6);
    expect(result.throughput.sends).toBeCloseTo(result.counters.sent / 8, 6);
  });

  it('records a reaction estimated as negative as 0, in the event and in the histogram', () => {
    const { merged, meta } = sampleRun();
    const demotion = merged.events.find((e) => e.type === 'demoted')!;
    // The estimated due time lands 29.3 ms after the observed demotion (send times lag the server's clock).
    const early = { ...demotion, referenceAtMs: demotion.atMs + 29.3 };
    const skewed = buildRunResult(
      { ...merged, events: merged.events.map((e) => (e === demotion ? early : e)) },
      meta,
    );
    expect(skewed.events.find((e) => e.type === 'demoted')!.reactionMs).toBe(0);
    expect(skewed.latency.demotion.count).toBe(1);
    expect(skewed.latency.demotion.max).toBe(0);
    expect(skewed.events.find((e) => e.type === 'promoted')!.reactionMs).toBeGreaterThan(0);
  });

  it('reports events with room labels, phases and reaction times', () => {
    expect(result.events.map((e) => [e.type, e.room, e.offsetMs, e.phase, e.observers])).toEqual([
      ['promoted', 'viral', 3900, 'surge', 4],
      ['demoted', 'viral', 8500, 'cool', 4],
    ]);
    // 20 msgs/s over a 1 s window is reached by the 20th surge message, sent 633.53 ms into the surge.
    expect(result.events[0]!.reactionMs).toBeCloseTo(900 - 633.533, 1);
    // Fewer than 5 messages in the window once the 4th-last surge message (sent at +5866.87) has left it,
    // i.e. from +6866.87; demotable one cool_down (1 s) later.
    expect(result.events[1]!.reactionMs).toBeCloseTo(8500 - (6866.867 + 1000), 1);
    expect(result.latency.promotion.count).toBe(1);
    expect(result.latency.demotion.count).toBe(1);
    expect(result.phases[1]!.latency.promotion.count).toBe(1);
  });

  it('builds a per-second timeline with p99 so far', () => {
    expect(result.timeline[0]!.t).toBe(0);
    expect(result.timeline.reduce((sum, s) => sum + s.delivered, 0)).toBe(result.counters.delivered);
    expect(result.timeline.at(-1)!.connected).toBe(4);
    const last = result.timeline.filter((s) => s.p99SoFarMs !== null).at(-1)!;
    expect(Math.abs(last.p99SoFarMs! - result.latency.deliver.p99) / result.latency.deliver.p99).toBeLessThan(
      0.002,
    );
  });

  it('reports correctness per room with labels', () => {
    expect(result.correctness.total).toMatchObject({ loss: 0, duplicates: 0, reorders: 0, unexpected: 0 });
    expect(result.correctness.total.expected).toBe(result.counters.acked * 4);
    expect(result.correctness.rooms).toEqual([
      expect.objectContaining({ roomId: 5000, room: 'viral', loss: 0 }),
    ]);
  });

  it('evaluates thresholds with their actual values', () => {
    const byExpr = Object.fromEntries(result.thresholds.map((t) => [t.expression, t]));
    expect(byExpr['deliver.p99 < 50ms']).toMatchObject({ passed: true, unit: 'ms', expected: 50, line: 20 });
    expect(byExpr['deliver.p99 < 50ms']!.actual).toBeCloseTo(6, 2);
    expect(byExpr['deliver.max < 1ms']).toMatchObject({ passed: false, actual: result.latency.deliver.max });
    expect(byExpr['loss == 0']).toMatchObject({ passed: true, actual: 0 });
    expect(byExpr['throughput.sends@surge >= 20/s']).toMatchObject({
      passed: true,
      metric: 'throughput.sends@surge',
    });
    expect(byExpr['throughput.sends@surge >= 20/s']!.actual).toBeCloseTo(30, 6);
    expect(byExpr['ack.p50@warm < 10ms']!.passed).toBe(true);
    expect(byExpr['loss_rate < 1%']).toMatchObject({ passed: true, actual: 0, unit: 'ratio' });
    expect(byExpr['errors == 0']).toMatchObject({ passed: false, actual: 1 });
    expect(byExpr['upload.p99 < 1s']).toMatchObject({ passed: false, actual: null, note: 'no samples' });
  });

  it('evaluates expectations against the events', () => {
    expect(result.expectations.map((e) => [e.text, e.passed, e.actual])).toEqual([
      ['viral promoted during surge within 2s', true, 'promoted at +3.9s (900ms into surge)'],
      ['viral demoted during cool', true, 'demoted at +8.5s (2.5s into cool)'],
      ['viral demoted during warm', false, 'not demoted during warm (demoted at +8.5s in cool)'],
    ]);
    expect(result.passed).toBe(false);
  });

  it('gives the same figures when recorded by several workers', () => {
    const split = sampleRun(2).result;
    expect(split.counters).toEqual(result.counters);
    expect(LatencyRecorder.decode(split.histograms.deliver).buckets()).toEqual(
      LatencyRecorder.decode(result.histograms.deliver).buckets(),
    );
    expect(split.correctness).toEqual(result.correctness);
    expect(split.events).toEqual(result.events);
    expect(split.timeline.map((s) => s.connected)).toEqual(result.timeline.map((s) => s.connected));
  });
});
