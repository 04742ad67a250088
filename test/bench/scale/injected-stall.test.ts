import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStall, scheduleStall } from '../../../bench/scale/injected-stall.js';

describe('parseStall', () => {
  it('reads who, seconds into the phase and milliseconds', () => {
    expect(parseStall('harness:5:1000')).toEqual({ who: 'harness', afterS: 5, ms: 1000 });
    expect(parseStall('server:0.5:300')).toEqual({ who: 'server', afterS: 0.5, ms: 300 });
  });

  it.each(['client:5:1000', 'harness:5', 'harness:-1:100', 'harness:5:0', 'server:x:100'])(
    'refuses %s',
    (text) => {
      expect(() => parseStall(text)).toThrow(/--stall/);
    },
  );
});

describe('scheduleStall', () => {
  let dir = '';
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('blocks this thread for the stall, only once a phase sample is in the events file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stall-test-'));
    const events = join(dir, 'events.ndjson');
    const lines: string[] = [];
    const cancel = scheduleStall({ who: 'harness', afterS: 0, ms: 300 }, events, 0, (l) => lines.push(l));
    await writeFile(events, '{"phase":null}\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(lines).toEqual([]);
    await writeFile(events, '{"phase":null}\n{"phase":"steady"}\n');
    const before = performance.now();
    let longestGapMs = 0;
    let last = before;
    while (performance.now() - before < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      longestGapMs = Math.max(longestGapMs, performance.now() - last);
      last = performance.now();
    }
    cancel();
    expect(lines).toHaveLength(1);
    expect(longestGapMs).toBeGreaterThanOrEqual(290);
  });
});
