import { describe, expect, it } from 'vitest';
import { formatHgrm, hgrmFiles } from '../../../harness/report/hgrm.js';
import { percentileSeries } from '../../../harness/report/percentile-series.js';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { sampleRun } from '../metrics/sample-run.js';

describe('.hgrm output', () => {
  const { result } = sampleRun();

  it('writes one file per latency metric with samples', () => {
    const files = hgrmFiles(result);
    expect(files.map((f) => f.fileName)).toEqual([
      'deliver.hgrm',
      'ack.hgrm',
      'connect.hgrm',
      'handshake.hgrm',
      'schedule_lag.hgrm',
      'promotion.hgrm',
      'demotion.hgrm',
    ]);
  });

  it('is the HdrHistogram percentile distribution in milliseconds', () => {
    const text = formatHgrm(result.histograms.deliver);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s+Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)$/);
    const rows = lines
      .filter((l) => /^\s+[0-9.]+\s+[0-9.]+\s+\d+/.test(l))
      .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
    expect(rows.length).toBeGreaterThan(5);
    // Values in ms (deliveries take 2..6 ms), percentiles ascend to 1, counts to the total.
    expect(rows[0]![0]).toBeCloseTo(2, 3);
    expect(rows.at(-1)![1]).toBe(1);
    expect(rows.at(-1)![2]).toBe(result.latency.deliver.count);
    for (let i = 1; i < rows.length; i++) expect(rows[i]![0]).toBeGreaterThanOrEqual(rows[i - 1]![0]);
    expect(text).toMatch(
      new RegExp(
        `#\\[Max\\s+=\\s+${result.latency.deliver.max.toFixed(3)}, Total count\\s+=\\s+${result.latency.deliver.count}\\]`,
      ),
    );
  });
});

describe('percentileSeries', () => {
  it('spaces points on 1/(1-p) up to the sample count, ending at the maximum', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 10_000; i++) r.recordMs(i / 10);
    const points = percentileSeries(r.encode());
    expect(points[0]).toEqual({ percentile: 0, x: 1, valueMs: expect.closeTo(0.1, 3) });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
      expect(points[i]!.valueMs).toBeGreaterThanOrEqual(points[i - 1]!.valueMs);
    }
    expect(points.at(-2)!.x).toBeLessThanOrEqual(10_000);
    expect(points.at(-1)).toMatchObject({ percentile: 100, valueMs: r.summary().max });
    const p99 = points.find((p) => Math.abs(p.percentile - 99) < 0.2);
    expect(p99?.valueMs).toBeCloseTo(990, -1);
  });

  it('is empty for an empty histogram', () => {
    expect(percentileSeries(new LatencyRecorder().encode())).toEqual([]);
  });
});
