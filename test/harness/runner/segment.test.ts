import { describe, expect, it } from 'vitest';
import {
  parseSegment,
  parseStartAt,
  SegmentSyntaxError,
  segmentOwnsClient,
  workerOwnsClient,
  WHOLE_SCENARIO,
} from '../../../harness/runner/segment.js';
import { phaseWindows, TrafficPlan, type PlannedOperation } from '../../../harness/runner/traffic-plan.js';
import { buildRoomPlan } from '../../../harness/scenario/membership.js';
import { parseScenario } from '../../../harness/scenario/load.js';

const SCENARIO = `
name: slices
seed: 21
clients: { count: 37, connect_rate: 100 }
rooms:
  - { name: lobby, id: 100, members: all }
  - { name: pods, count: 6, size: 7 }
mix: { send: 80, react: 10, typing: 10 }
phases:
  - { name: one, duration: 2s, rate: { per_room: 6 } }
  - { name: two, duration: 1s, rate: { per_client: 0.5 } }
`;

function allOps(): PlannedOperation[] {
  const scenario = parseScenario(SCENARIO, 'slices.yaml');
  const plan = new TrafficPlan(scenario, buildRoomPlan(scenario), phaseWindows(scenario, 2_000_000));
  const ops: PlannedOperation[] = [];
  for (let op = plan.next(); op !== undefined; op = plan.next()) ops.push(op);
  return ops;
}

describe('parseSegment and parseStartAt', () => {
  it('reads i/n and an absolute time (ISO with a zone, or epoch ms)', () => {
    expect(parseSegment('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseSegment('0/1')).toEqual(WHOLE_SCENARIO);
    expect(parseStartAt('2030-01-01T12:00:00Z')).toBe(Date.UTC(2030, 0, 1, 12));
    expect(parseStartAt('2030-01-01T13:00:00+01:00')).toBe(Date.UTC(2030, 0, 1, 12));
    expect(parseStartAt('1893499200000')).toBe(1893499200000);
  });

  it('rejects malformed values with a message naming the value', () => {
    for (const bad of ['4/4', '1', '-1/4', '1/0', 'a/b', '1/99999'])
      expect(() => parseSegment(bad)).toThrow(SegmentSyntaxError);
    expect(() => parseSegment('4/4')).toThrow(/index i must be from 0 to 3/);
    // No zone: each machine would read it in its own local time.
    for (const bad of ['2030-01-01T12:00:00', 'tomorrow', '2030-13-45T99:00:00Z', '12'])
      expect(() => parseStartAt(bad)).toThrow(/--start-at/);
  });
});

describe('the segment partition', () => {
  const clients = 37;

  it('gives every client to exactly one (segment, worker), whatever each segment runs with', () => {
    for (const count of [1, 2, 3, 5]) {
      const owners = new Map<number, string[]>();
      for (let index = 0; index < count; index++) {
        // Segments may use different local worker counts.
        const workers = 1 + (index % 3);
        for (let w = 0; w < workers; w++)
          for (let c = 0; c < clients; c++)
            if (workerOwnsClient({ index, count }, w, workers, c))
              owners.set(c, [...(owners.get(c) ?? []), `${index}.${w}`]);
      }
      for (let c = 0; c < clients; c++) expect(owners.get(c), `client ${c}, n=${count}`).toHaveLength(1);
    }
  });

  it('is the historical --workers rule for the whole scenario (client % workers)', () => {
    for (let c = 0; c < clients; c++)
      for (let w = 0; w < 3; w++) expect(workerOwnsClient(WHOLE_SCENARIO, w, 3, c)).toBe(c % 3 === w);
    expect(segmentOwnsClient({ index: 0, count: 2 }, -1)).toBe(false);
  });

  it('splits the arrivals so that the n slices together are exactly the whole plan', () => {
    const ops = allOps();
    expect(ops.length).toBeGreaterThan(30);
    const count = 3;
    const slices = Array.from({ length: count }, (_, index) =>
      ops.filter((op) => segmentOwnsClient({ index, count }, op.sender)),
    );
    expect(slices.every((slice) => slice.length > 0)).toBe(true);
    expect(slices.flat().sort((a, b) => a.atMs - b.atMs || a.sender - b.sender)).toEqual(
      [...ops].sort((a, b) => a.atMs - b.atMs || a.sender - b.sender),
    );
    // Each segment plans the same operations (same seed): it keeps exactly its own senders'.
    expect(allOps()).toEqual(ops);
  });
});
