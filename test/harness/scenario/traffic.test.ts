import { describe, expect, it } from 'vitest';
import { buildRoomPlan } from '../../../harness/scenario/membership.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';
import { ActionPicker, sampleSize } from '../../../harness/scenario/samplers.js';
import {
  ArrivalSchedule,
  phaseRoomRates,
  planStorm,
  type Arrival,
} from '../../../harness/scenario/traffic.js';
import type { PhaseSpec, RoomGroupSpec } from '../../../harness/scenario/types.js';

const rooms: RoomGroupSpec[] = [
  { name: 'viral', count: 1, ids: [5000], membership: { kind: 'all' }, popularity: { kind: 'uniform' } },
  {
    name: 'side',
    count: 4,
    ids: [10, 11, 12, 13],
    membership: { kind: 'size', size: 5 },
    popularity: { kind: 'zipf', exponent: 1 },
  },
];
const plan = buildRoomPlan({
  seed: 1,
  clients: {
    count: 10,
    connectRate: 10,
    maxConnecting: null,
    usernamePattern: 'u{i}',
    dropReconnect: { enabled: true, backoffMs: 1000, backoffMaxMs: 30_000 },
  },
  rooms,
});

function phase(rate: PhaseSpec['rate'], roomRates: PhaseSpec['roomRates'] = []): PhaseSpec {
  return {
    name: 'p',
    index: 0,
    startOffsetMs: 0,
    durationMs: 1000,
    rate,
    roomRates,
    mix: [{ action: 'send', weight: 1 }],
    messageSize: { kind: 'fixed', bytes: 10 },
    storms: [],
  };
}

describe('phaseRoomRates', () => {
  it('per_room gives every room the rate', () => {
    expect([...phaseRoomRates(phase({ basis: 'room', perSecond: 2 }), plan)]).toEqual([
      [5000, 2],
      [10, 2],
      [11, 2],
      [12, 2],
      [13, 2],
    ]);
  });

  it('per_client splits each client rate over its rooms (total = clients x rate)', () => {
    const rates = phaseRoomRates(phase({ basis: 'client', perSecond: 1 }), plan);
    const total = [...rates.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(10, 9);
    // Every client is in viral plus 2 side rooms (4 rooms x 5 seats / 10 clients): viral gets 10 x 1/3.
    expect(rates.get(5000)).toBeCloseTo(10 / 3, 9);
  });

  it('total splits by group size, then by popularity within the group', () => {
    const rates = phaseRoomRates(phase({ basis: 'total', perSecond: 100 }), plan);
    expect(rates.get(5000)).toBeCloseTo(20, 9); // 1 of 5 rooms
    const h = 1 + 1 / 2 + 1 / 3 + 1 / 4;
    expect(rates.get(10)).toBeCloseTo((80 * 1) / h, 9);
    expect(rates.get(13)).toBeCloseTo((80 * (1 / 4)) / h, 9);
  });

  it('overrides replace the rate of the rooms they name; zero-rate rooms are dropped', () => {
    const rates = phaseRoomRates(
      phase({ basis: 'room', perSecond: 2 }, [
        { room: { group: 'viral', index: undefined, text: 'viral' }, perSecond: 150 },
        { room: { group: 'side', index: 1, text: 'side#1' }, perSecond: 0 },
      ]),
      plan,
    );
    expect(rates.get(5000)).toBe(150);
    expect(rates.has(11)).toBe(false);
    expect(rates.get(10)).toBe(2);
  });
});

function drain(schedule: ArrivalSchedule): Arrival[] {
  const out: Arrival[] = [];
  for (let a = schedule.next(); a; a = schedule.next()) out.push(a);
  return out;
}

describe('ArrivalSchedule', () => {
  const rates = new Map([
    [1, 150],
    [2, 2],
    [3, 20],
  ]);

  it('poisson: time-ordered, inside the window, counts match the rates', () => {
    const arrivals = drain(
      new ArrivalSchedule(rates, {
        process: 'poisson',
        rng: new SeededRandom(5, 'a'),
        startMs: 1000,
        endMs: 61_000,
      }),
    );
    for (let i = 1; i < arrivals.length; i++)
      expect(arrivals[i]!.atMs).toBeGreaterThanOrEqual(arrivals[i - 1]!.atMs);
    expect(arrivals.every((a) => a.atMs >= 1000 && a.atMs < 61_000)).toBe(true);
    for (const [room, rate] of rates) {
      const n = arrivals.filter((a) => a.roomId === room).length;
      const mean = rate * 60;
      expect(Math.abs(n - mean)).toBeLessThan(5 * Math.sqrt(mean)); // Poisson: 5 standard deviations
    }
  });

  it('constant: evenly spaced gaps of 1/rate', () => {
    const arrivals = drain(
      new ArrivalSchedule(new Map([[7, 100]]), {
        process: 'constant',
        rng: new SeededRandom(5, 'c'),
        startMs: 0,
        endMs: 1000,
      }),
    );
    expect(arrivals).toHaveLength(100);
    for (let i = 1; i < arrivals.length; i++)
      expect(arrivals[i]!.atMs - arrivals[i - 1]!.atMs).toBeCloseTo(10, 6);
  });

  it('is deterministic for the same seed', () => {
    const make = (seed: number) =>
      drain(
        new ArrivalSchedule(rates, {
          process: 'poisson',
          rng: new SeededRandom(seed, 'x'),
          startMs: 0,
          endMs: 5000,
        }),
      );
    expect(make(1)).toEqual(make(1));
    expect(make(1)).not.toEqual(make(2));
  });
});

describe('samplers', () => {
  it('sampleSize stays within each distribution', () => {
    const rng = new SeededRandom(3);
    for (let i = 0; i < 1000; i++) {
      expect(sampleSize({ kind: 'fixed', bytes: 64 }, rng)).toBe(64);
      const u = sampleSize({ kind: 'uniform', min: 20, max: 30 }, rng);
      expect(u >= 20 && u <= 30 && Number.isInteger(u)).toBe(true);
      const n = sampleSize({ kind: 'normal', mean: 100, stddev: 50, min: 1, max: 150 }, rng);
      expect(n >= 1 && n <= 150 && Number.isInteger(n)).toBe(true);
    }
  });

  it('ActionPicker follows the mix weights', () => {
    const picker = new ActionPicker([
      { action: 'send', weight: 0.8 },
      { action: 'typing', weight: 0.2 },
    ]);
    const rng = new SeededRandom(4);
    let typing = 0;
    for (let i = 0; i < 10_000; i++) if (picker.pick(rng) === 'typing') typing++;
    expect(typing).toBeGreaterThan(1800);
    expect(typing).toBeLessThan(2200);
  });
});

describe('planStorm', () => {
  it('disconnects the fraction of clients evenly over the spread, each back after the downtime', () => {
    const plan = planStorm(
      { atMs: 2000, fraction: 0.5, spreadMs: 1000, downtimeMs: 3000 },
      10_000,
      100,
      new SeededRandom(1),
    );
    expect(plan).toHaveLength(50);
    expect(new Set(plan.map((d) => d.client)).size).toBe(50);
    expect(plan[0]!.disconnectAtMs).toBe(12_000);
    expect(plan[49]!.disconnectAtMs).toBeCloseTo(13_000, 6);
    expect(plan.every((d) => d.reconnectAtMs - d.disconnectAtMs === 3000)).toBe(true);
  });
});
