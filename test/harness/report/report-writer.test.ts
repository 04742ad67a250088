import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSafeName, fileSafeTimestamp, writeReport } from '../../../harness/report/report-writer.js';
import { parseResult } from '../../../harness/report/summary-json.js';
import { sampleRun } from '../metrics/sample-run.js';

describe('writeReport', () => {
  const { result } = sampleRun();

  it('writes summary.json, .hgrm files and report.html under <base>/<scenario>/<timestamp>/', async () => {
    const base = await mkdtemp(join(tmpdir(), 'garou-reports-'));
    const paths = await writeReport(result, { baseDir: base, chartJs: '/* chart */' });
    expect(paths.dir).toBe(join(base, 'sample-run', '2025-01-02T03-04-05Z'));
    expect((await readdir(paths.dir)).sort()).toEqual(
      [
        'ack.hgrm',
        'connect.hgrm',
        'deliver.hgrm',
        'demotion.hgrm',
        'handshake.hgrm',
        'promotion.hgrm',
        'report.html',
        'schedule_lag.hgrm',
        'summary.json',
      ].sort(),
    );
    expect(parseResult(await readFile(paths.summaryJson, 'utf8'))).toEqual(result);
    expect(await readFile(paths.html, 'utf8')).toContain('/* chart */');
    expect(await readFile(paths.hgrm.deliver!, 'utf8')).toMatch(/Percentile/);
    expect(paths.hgrm.upload).toBeUndefined();
  });

  it('never overwrites an earlier report of the same second', async () => {
    const base = await mkdtemp(join(tmpdir(), 'garou-reports-'));
    const first = await writeReport(result, { baseDir: base, chartJs: '' });
    const second = await writeReport(result, { baseDir: base, chartJs: '' });
    expect(second.dir).toBe(`${first.dir}-2`);
  });

  it('makes names safe for file systems', () => {
    expect(fileSafeTimestamp('2025-01-02T03:04:05.678Z')).toBe('2025-01-02T03-04-05Z');
    expect(fileSafeName('../evil name:1')).toBe('__evil_name_1');
    expect(fileSafeName('viral-room')).toBe('viral-room');
  });
});
