/**
 * Open-model traffic of a phase: the operation rate of every room, and the time-ordered arrivals
 * (Poisson or evenly spaced) that the runner turns into operations. Arrival times never depend on how
 * fast the target answers: that is what keeps latency free of coordinated omission.
 */
import type { RoomPlan } from './membership.js';
import { SeededRandom } from './rng.js';
import type { PhaseSpec, ReconnectStorm, Scenario } from './types.js';

/**
 * Operation rate (per second) of every room during a phase; rooms with rate 0 are left out.
 * - per_room: every planned room gets the rate;
 * - per_client: each client's rate is split evenly over its planned rooms (clients in no planned room send nothing);
 * - total: split across groups by room count, then within a group by popularity weight;
 * then `roomRates` overrides replace the rate of the rooms they name.
 */
export function phaseRoomRates(phase: PhaseSpec, plan: RoomPlan): Map<number, number> {
  const rates = new Map<number, number>();
  const { basis, perSecond } = phase.rate;
  if (perSecond > 0 && plan.rooms.length > 0) {
    if (basis === 'room') {
      for (const room of plan.rooms) rates.set(room.id, perSecond);
    } else if (basis === 'client') {
      for (const room of plan.rooms) {
        let rate = 0;
        for (const client of room.members)
          rate += perSecond / (plan.roomsOfClient[client] as number[]).length;
        rates.set(room.id, rate);
      }
    } else {
      const groupSizes = new Map<string, number>();
      for (const room of plan.rooms) groupSizes.set(room.group, (groupSizes.get(room.group) ?? 0) + 1);
      for (const room of plan.rooms) {
        const groupShare = (groupSizes.get(room.group) as number) / plan.rooms.length;
        rates.set(room.id, perSecond * groupShare * room.weight);
      }
    }
  }
  for (const override of phase.roomRates) {
    for (const room of plan.resolve(override.room)) rates.set(room.id, override.perSecond);
  }
  for (const [id, rate] of rates) if (!(rate > 0)) rates.delete(id);
  return rates;
}

/** One scheduled operation: when (epoch ms) and in which room. */
export interface Arrival {
  atMs: number;
  roomId: number;
}

/**
 * Merges per-room open-model arrival processes into one time-ordered stream over [startMs, endMs).
 * Deterministic for a given rng: every worker that builds it with the same inputs sees the same arrivals
 * (workers keep the ones whose chosen sender they own).
 */
export class ArrivalSchedule {
  private readonly heap: Arrival[] = [];
  private readonly gapMean = new Map<number, number>();

  constructor(
    rates: ReadonlyMap<number, number>,
    private readonly options: {
      process: Scenario['arrival'];
      rng: SeededRandom;
      startMs: number;
      endMs: number;
    },
  ) {
    // Rooms are visited in id order so the draws do not depend on Map insertion order.
    for (const roomId of [...rates.keys()].sort((a, b) => a - b)) {
      const gap = 1000 / (rates.get(roomId) as number);
      this.gapMean.set(roomId, gap);
      // Constant processes start at a random phase so rooms do not all fire in the same millisecond.
      const first =
        options.startMs + (options.process === 'constant' ? options.rng.next() * gap : this.gap(gap));
      if (first < options.endMs) this.push({ atMs: first, roomId });
    }
  }

  /** The next arrival in time order, or undefined when the phase has no more. */
  next(): Arrival | undefined {
    const arrival = this.pop();
    if (!arrival) return undefined;
    const following = arrival.atMs + this.gap(this.gapMean.get(arrival.roomId) as number);
    if (following < this.options.endMs) this.push({ atMs: following, roomId: arrival.roomId });
    return arrival;
  }

  /** Time of the next arrival without consuming it. */
  peekTime(): number | undefined {
    return this.heap[0]?.atMs;
  }

  private gap(mean: number): number {
    return this.options.process === 'constant' ? mean : this.options.rng.exponential(mean);
  }

  private push(item: Arrival): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as Arrival)) break;
      heap[i] = heap[parent] as Arrival;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): Arrival | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as Arrival, heap[left] as Arrival) ? right : left;
      if (!before(heap[child] as Arrival, last)) break;
      heap[i] = heap[child] as Arrival;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Arrival, b: Arrival): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.roomId < b.roomId);
}

/** One client's part in a reconnect storm (epoch ms). */
export interface StormDisconnect {
  client: number;
  disconnectAtMs: number;
  reconnectAtMs: number;
}

/** Which clients a storm disconnects and when (evenly spread over the storm's window), deterministically. */
export function planStorm(
  storm: ReconnectStorm,
  phaseStartMs: number,
  clientCount: number,
  rng: SeededRandom,
): StormDisconnect[] {
  const victims = rng.sampleDistinct(clientCount, Math.max(1, Math.round(storm.fraction * clientCount)));
  const step = victims.length > 1 ? storm.spreadMs / (victims.length - 1) : 0;
  return victims.map((client, i) => {
    const disconnectAtMs = phaseStartMs + storm.atMs + i * step;
    return { client, disconnectAtMs, reconnectAtMs: disconnectAtMs + storm.downtimeMs };
  });
}

/** Stream labels of the scenario's random draws, shared by every worker so they draw the same numbers. */
export const RANDOM_STREAMS = {
  arrivals: (phase: string) => `arrivals:${phase}`,
  senders: (phase: string) => `senders:${phase}`,
  actions: (phase: string) => `actions:${phase}`,
  sizes: (phase: string) => `sizes:${phase}`,
  storm: (phase: string, index: number) => `storm:${phase}:${index}`,
} as const;

/** Convenience: a seeded generator for one of the `RANDOM_STREAMS`. */
export function streamRandom(scenario: Pick<Scenario, 'seed'>, label: string): SeededRandom {
  return SeededRandom.derive(scenario.seed, label);
}
