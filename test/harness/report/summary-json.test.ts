import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../harness/metrics/latency-recorder.js';
import { LATENCY_METRICS } from '../../../harness/metrics/metric-names.js';
import {
  loadResult,
  parseResult,
  ResultFormatError,
  resultHistogram,
  serializeResult,
} from '../../../harness/report/summary-json.js';
import { sampleRun } from '../metrics/sample-run.js';

describe('summary.json', () => {
  const { result } = sampleRun();

  it('round-trips a result: same figures, same histograms bucket for bucket', () => {
    const back = parseResult(serializeResult(result));
    expect(back).toEqual(result);
    for (const metric of LATENCY_METRICS) {
      expect(resultHistogram(back, metric).buckets()).toEqual(
        LatencyRecorder.decode(result.histograms[metric]).buckets(),
      );
    }
    expect(resultHistogram(back, 'deliver', 'surge').count).toBe(result.phases[1]!.latency.deliver.count);
  });

  it('is versioned and pretty-printed', () => {
    const text = serializeResult(result);
    expect(text.startsWith('{\n  "schemaVersion": 1,')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('loads from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'garou-summary-'));
    const file = join(dir, 'summary.json');
    await writeFile(file, serializeResult(result));
    expect((await loadResult(file)).counters).toEqual(result.counters);
  });

  it.each([
    ['not json', /invalid JSON/],
    ['[1]', /schemaVersion undefined is not supported/],
    ['{"schemaVersion": 2}', /schemaVersion 2 is not supported \(expected 1\)/],
    ['{"schemaVersion": 1, "scenario": {}}', /missing field "latency"/],
  ])('rejects %s', (text, message) => {
    expect(() => parseResult(text, 'x/summary.json')).toThrow(ResultFormatError);
    expect(() => parseResult(text, 'x/summary.json')).toThrow(message);
    expect(() => parseResult(text, 'x/summary.json')).toThrow(/^x\/summary\.json: /);
  });

  it('names a missing phase', () => {
    expect(() => resultHistogram(result, 'deliver', 'nope')).toThrow(/no phase "nope"/);
  });
});
