import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  HarnessProcessTally,
  childPids,
  runsThisNode,
  type ProcessFigures,
} from '../../../bench/scale/harness-processes.js';

/** A tally over a fake process table that the test changes between samples. */
function fakeTally(excluded: number[]) {
  const table = new Map<number, ProcessFigures>();
  let self: ProcessFigures = { cpuUs: 100, rssBytes: 1000 };
  const tally = new HarnessProcessTally(
    { self: () => self, children: () => [...table.keys()], read: (pid) => table.get(pid) ?? null },
    new Set(excluded),
  );
  return {
    tally,
    table,
    setSelf: (figures: ProcessFigures) => (self = figures),
  };
}

describe('HarnessProcessTally', () => {
  it('sums this process and every child but the excluded server', () => {
    const { tally, table } = fakeTally([7]);
    table.set(7, { cpuUs: 5000, rssBytes: 90_000 }); // the server
    table.set(11, { cpuUs: 20, rssBytes: 300 });
    table.set(12, { cpuUs: 30, rssBytes: 400 });
    expect(tally.sample()).toEqual({ cpuUs: 150, rssBytes: 1700 });
  });

  it("keeps an ended worker's last CPU time (the sum never goes back) but not its memory", () => {
    const { tally, table, setSelf } = fakeTally([]);
    table.set(11, { cpuUs: 20, rssBytes: 300 });
    table.set(12, { cpuUs: 30, rssBytes: 400 });
    tally.sample();
    table.set(11, { cpuUs: 60, rssBytes: 350 });
    table.delete(12);
    setSelf({ cpuUs: 110, rssBytes: 1000 });
    expect(tally.sample()).toEqual({ cpuUs: 110 + 60 + 30, rssBytes: 1350 });
  });

  it('counts a child listed twice (by two threads) once', () => {
    const table = new Map([[11, { cpuUs: 20, rssBytes: 300 }]]);
    const tally = new HarnessProcessTally(
      {
        self: () => ({ cpuUs: 0, rssBytes: 0 }),
        children: () => [11, 11],
        read: (pid) => table.get(pid) ?? null,
      },
      new Set(),
    );
    expect(tally.sample()).toEqual({ cpuUs: 20, rssBytes: 300 });
  });
});

describe('childPids', () => {
  it('lists a child this process spawned, and not after it ended', async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(childPids(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(childPids(process.pid)).not.toContain(child.pid);
  });
});

describe('runsThisNode', () => {
  it('is true for a node child and false for another program', async () => {
    const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
    const other = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await Promise.all([node, other].map((child) => new Promise((resolve) => child.once('spawn', resolve))));
      // exec happens right after the spawn event; give the kernel a moment to swap the image.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(runsThisNode(node.pid as number)).toBe(true);
      expect(runsThisNode(other.pid as number)).toBe(false);
    } finally {
      for (const child of [node, other]) child.kill();
    }
  });
});
