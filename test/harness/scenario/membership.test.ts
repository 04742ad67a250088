import { describe, expect, it } from 'vitest';
import { buildRoomPlan } from '../../../harness/scenario/membership.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';
import {
  popularityWeights,
  WeightedChoice,
  weightedSampleDistinct,
} from '../../../harness/scenario/samplers.js';
import type { RoomGroupSpec, Scenario } from '../../../harness/scenario/types.js';

function scenario(
  rooms: RoomGroupSpec[],
  seed = 42,
  count = 200,
): Pick<Scenario, 'seed' | 'clients' | 'rooms'> {
  return {
    seed,
    clients: {
      count,
      connectRate: 100,
      maxConnecting: null,
      usernamePattern: 'u{i}',
      dropReconnect: { enabled: true, backoffMs: 1000, backoffMaxMs: 30_000 },
    },
    rooms,
  };
}

const groups: RoomGroupSpec[] = [
  { name: 'viral', count: 1, ids: [5000], membership: { kind: 'all' }, popularity: { kind: 'uniform' } },
  {
    name: 'side',
    count: 20,
    ids: Array.from({ length: 20 }, (_, i) => 100 + i),
    membership: { kind: 'size', size: 10 },
    popularity: { kind: 'uniform' },
  },
  {
    name: 'chat',
    count: 50,
    ids: Array.from({ length: 50 }, (_, i) => 1000 + i),
    membership: { kind: 'per_client', roomsPerClient: 3 },
    popularity: { kind: 'zipf', exponent: 1.1 },
  },
];

describe('buildRoomPlan', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const a = buildRoomPlan(scenario(groups, 42));
    const b = buildRoomPlan(scenario(groups, 42));
    const c = buildRoomPlan(scenario(groups, 43));
    expect(a.rooms).toEqual(b.rooms);
    expect(a.roomsOfClient).toEqual(b.roomsOfClient);
    expect(a.rooms.map((r) => r.members)).not.toEqual(c.rooms.map((r) => r.members));
  });

  it('labels rooms and resolves references', () => {
    const plan = buildRoomPlan(scenario(groups));
    expect(plan.rooms.map((r) => r.label).slice(0, 3)).toEqual(['viral', 'side#0', 'side#1']);
    expect(plan.resolve({ group: 'side', index: 3, text: 'side#3' }).map((r) => r.id)).toEqual([103]);
    expect(plan.resolve({ group: 'side', index: undefined, text: 'side' })).toHaveLength(20);
    expect(plan.byId.get(5000)?.label).toBe('viral');
  });

  it('members: all puts every client in the room', () => {
    const plan = buildRoomPlan(scenario(groups));
    expect(plan.byId.get(5000)?.members).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('size: k gives each room k distinct members, balanced over clients', () => {
    const plan = buildRoomPlan(scenario(groups));
    const side = plan.rooms.filter((r) => r.group === 'side');
    for (const room of side) {
      expect(new Set(room.members).size).toBe(10);
      expect(room.members.every((m) => m >= 0 && m < 200)).toBe(true);
    }
    // 20 rooms x 10 seats = 200 seats for 200 clients: each client exactly once.
    const seats = side.flatMap((r) => r.members).sort((x, y) => x - y);
    expect(seats).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('rooms_per_client: each client joins that many distinct rooms, popular ranks fill up', () => {
    const plan = buildRoomPlan(scenario(groups, 9, 2000));
    const chat = plan.rooms.filter((r) => r.group === 'chat');
    for (let client = 0; client < 2000; client++) {
      const mine = (plan.roomsOfClient[client] as number[]).filter((id) => id >= 1000 && id < 1050);
      expect(new Set(mine).size).toBe(3);
    }
    const sizes = chat.map((r) => r.members.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6000);
    // Rank 1 is the most popular and far above the least popular ranks.
    expect(sizes[0]).toBe(Math.max(...sizes));
    expect(sizes[0]).toBeGreaterThan(4 * (sizes[49] as number));
    expect(chat.map((r) => r.weight).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('roomsOfClient lists exactly the rooms whose member lists contain the client', () => {
    const plan = buildRoomPlan(scenario(groups));
    for (const room of plan.rooms)
      for (const m of room.members) expect(plan.roomsOfClient[m]).toContain(room.id);
    const total = plan.roomsOfClient.reduce((sum, list) => sum + list.length, 0);
    expect(total).toBe(plan.rooms.reduce((sum, r) => sum + r.members.length, 0));
  });
});

describe('Zipf popularity', () => {
  it('weights rank r as 1/r^s, normalized', () => {
    const w = popularityWeights({ kind: 'zipf', exponent: 1 }, 4);
    const h = 1 + 1 / 2 + 1 / 3 + 1 / 4;
    expect(w.map((x) => x * h)).toEqual([1, 1 / 2, 1 / 3, 1 / 4].map((x) => expect.closeTo(x, 12)));
    expect(popularityWeights({ kind: 'uniform' }, 4)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('sampled rank frequencies follow the law (chi-square sanity test)', () => {
    const exponent = 1.2;
    const n = 20;
    const weights = popularityWeights({ kind: 'zipf', exponent }, n);
    const choice = new WeightedChoice(weights);
    const rng = new SeededRandom(2024, 'zipf-test');
    const draws = 100_000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[choice.pick(rng)]!++;
    let chi2 = 0;
    counts.forEach((observed, i) => {
      const expected = draws * (weights[i] as number);
      chi2 += (observed - expected) ** 2 / expected;
    });
    // 19 degrees of freedom: the 99.9th percentile of chi-square is 43.8.
    expect(chi2).toBeLessThan(43.8);
    // Rank 1 vs rank 2 ratio is 2^s.
    expect((counts[0] as number) / (counts[1] as number)).toBeCloseTo(2 ** exponent, 1);
  });

  it('weighted sampling without replacement returns distinct indexes and favours heavy ones', () => {
    const rng = new SeededRandom(1, 'ws');
    const weights = popularityWeights({ kind: 'zipf', exponent: 2 }, 10);
    let firstChosen = 0;
    for (let i = 0; i < 2000; i++) {
      const pick = weightedSampleDistinct(weights, 3, rng);
      expect(new Set(pick).size).toBe(3);
      if (pick.includes(0)) firstChosen++;
    }
    expect(firstChosen).toBeGreaterThan(1900);
  });
});
