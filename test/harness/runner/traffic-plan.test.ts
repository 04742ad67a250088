import { describe, expect, it } from 'vitest';
import {
  dropReconnectWaitMs,
  phaseWindows,
  plannedStorms,
  TrafficPlan,
  type PlannedOperation,
} from '../../../harness/runner/traffic-plan.js';
import { buildRoomPlan } from '../../../harness/scenario/membership.js';
import { parseScenario } from '../../../harness/scenario/load.js';

const SCENARIO = `
name: plan
seed: 9
clients: { count: 30, connect_rate: 100 }
rooms:
  - { name: lobby, id: 100, members: all }
  - { name: pods, count: 5, size: 6 }
mix: { send: 70, react: 10, upload: 10, typing: 10 }
phases:
  - { name: one, duration: 2s, rate: { per_room: 5 } }
  - name: two
    duration: 1s
    rate: { per_client: 0.5 }
    storms: [{ at: 200ms, fraction: 0.5, spread: 100ms, downtime: 300ms }]
`;

function allOps(): PlannedOperation[] {
  const scenario = parseScenario(SCENARIO, 'plan.yaml');
  const plan = new TrafficPlan(scenario, buildRoomPlan(scenario), phaseWindows(scenario, 1_000_000));
  const ops: PlannedOperation[] = [];
  for (let op = plan.next(); op !== undefined; op = plan.next()) ops.push(op);
  return ops;
}

describe('TrafficPlan', () => {
  it('is deterministic: every worker draws the same operations', () => {
    expect(allOps()).toEqual(allOps());
  });

  it('yields operations in time order inside their phase windows, senders being room members', () => {
    const scenario = parseScenario(SCENARIO, 'plan.yaml');
    const rooms = buildRoomPlan(scenario);
    const windows = phaseWindows(scenario, 1_000_000);
    const ops = allOps();
    expect(ops.length).toBeGreaterThan(20);
    for (let i = 1; i < ops.length; i++) expect(ops[i]!.atMs).toBeGreaterThanOrEqual(ops[i - 1]!.atMs);
    for (const op of ops) {
      const window = windows.find((w) => w.name === op.phase)!;
      expect(op.atMs).toBeGreaterThanOrEqual(window.startMs);
      expect(op.atMs).toBeLessThan(window.endMs);
      expect(rooms.byId.get(op.roomId)!.members).toContain(op.sender);
      expect(op.uploadSize > 0).toBe(op.action === 'upload');
    }
    expect(new Set(ops.map((o) => o.action))).toEqual(new Set(['send', 'react', 'upload', 'typing']));
  });

  it('splitting by sender over two workers gives exactly the single-worker operations', () => {
    const ops = allOps();
    const byWorker = [0, 1].map((w) => ops.filter((op) => op.sender % 2 === w));
    expect(byWorker[0]!.length + byWorker[1]!.length).toBe(ops.length);
    expect([...byWorker[0]!, ...byWorker[1]!].sort((a, b) => a.atMs - b.atMs)).toEqual(ops);
  });

  it('plans reconnect storms inside their phase, with the downtime between disconnect and reconnect', () => {
    const scenario = parseScenario(SCENARIO, 'plan.yaml');
    const windows = phaseWindows(scenario, 1_000_000);
    const storms = plannedStorms(scenario, windows);
    expect(storms).toHaveLength(15);
    for (const s of storms) {
      expect(s.disconnectAtMs).toBeGreaterThanOrEqual(windows[1]!.startMs + 200);
      expect(s.disconnectAtMs).toBeLessThanOrEqual(windows[1]!.startMs + 300);
      expect(s.reconnectAtMs - s.disconnectAtMs).toBe(300);
    }
    expect(plannedStorms(scenario, windows)).toEqual(storms);
  });
});

describe('dropReconnectWaitMs', () => {
  const scenario = parseScenario(
    SCENARIO.replace(
      'connect_rate: 100 }',
      'connect_rate: 100, reconnect_backoff: 1s, reconnect_backoff_max: 5s }',
    ),
    'plan.yaml',
  );

  it('doubles the backoff per failed attempt up to the cap, jittered between half and all of it', () => {
    for (const [attempt, ceiling] of [
      [0, 1000],
      [1, 2000],
      [2, 4000],
      [3, 5000],
      [40, 5000],
    ] as const) {
      for (let serial = 0; serial < 50; serial++) {
        const wait = dropReconnectWaitMs(scenario, 7, attempt, serial);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('draws its jitter from the seed, the client and the attempt serial', () => {
    expect(dropReconnectWaitMs(scenario, 7, 0, 3)).toBe(dropReconnectWaitMs(scenario, 7, 0, 3));
    const waits = new Set([0, 1, 2, 3].map((client) => dropReconnectWaitMs(scenario, client, 0, 0)));
    expect(waits.size).toBe(4);
    expect(dropReconnectWaitMs({ ...scenario, seed: 10 }, 7, 0, 3)).not.toBe(
      dropReconnectWaitMs(scenario, 7, 0, 3),
    );
  });
});
