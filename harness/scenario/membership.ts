/**
 * Room membership plan: which client (by index) is a member of which room, derived deterministically
 * from the scenario's room groups and seed.
 */
import { SeededRandom } from './rng.js';
import { popularityWeights, weightedSampleDistinct } from './samplers.js';
import type { RoomRef, Scenario } from './types.js';

/** One room of the plan. */
export interface PlannedRoom {
  id: number;
  /** "viral" for a single-room group, "side#3" for the 4th room of group "side". */
  label: string;
  group: string;
  /** Rank within the group (0 = most popular). */
  index: number;
  /** Member client indexes, increasing. */
  members: number[];
  /** Popularity weight within the group (weights of a group sum to 1). */
  weight: number;
}

/** The membership plan of a run. */
export interface RoomPlan {
  rooms: PlannedRoom[];
  /** Rooms by id. */
  byId: ReadonlyMap<number, PlannedRoom>;
  /** Room ids of every client, indexed by client index (increasing ids). */
  roomsOfClient: readonly number[][];
  /** The rooms a reference names (one room, or every room of a group). */
  resolve(ref: RoomRef): PlannedRoom[];
}

/** Builds the membership plan; the same scenario (and seed) always gives the same plan. */
export function buildRoomPlan(scenario: Pick<Scenario, 'seed' | 'clients' | 'rooms'>): RoomPlan {
  const clientCount = scenario.clients.count;
  const rooms: PlannedRoom[] = [];
  const roomsOfClient: number[][] = Array.from({ length: clientCount }, () => []);
  const byGroup = new Map<string, PlannedRoom[]>();

  for (const group of scenario.rooms) {
    const rng = SeededRandom.derive(scenario.seed, `membership:${group.name}`);
    const weights = popularityWeights(group.popularity, group.count);
    const groupRooms: PlannedRoom[] = group.ids.map((id, index) => ({
      id,
      label: group.count === 1 ? group.name : `${group.name}#${index}`,
      group: group.name,
      index,
      members: [],
      weight: weights[index] as number,
    }));
    const membership = group.membership;
    if (membership.kind === 'all') {
      const everyone = Array.from({ length: clientCount }, (_, i) => i);
      for (const room of groupRooms) room.members = everyone;
    } else if (membership.kind === 'size') {
      dealMembers(groupRooms, clientCount, membership.size, rng);
    } else {
      for (let client = 0; client < clientCount; client++) {
        for (const index of weightedSampleDistinct(weights, membership.roomsPerClient, rng)) {
          (groupRooms[index] as PlannedRoom).members.push(client);
        }
      }
    }
    for (const room of groupRooms) {
      for (const client of room.members) (roomsOfClient[client] as number[]).push(room.id);
    }
    rooms.push(...groupRooms);
    byGroup.set(group.name, groupRooms);
  }
  // Sorted copies: slice allocates exactly the rooms a client has, where the pushes above reserved 17 slots each
  // (~70 bytes per client of a 50,000-client plan).
  for (let i = 0; i < clientCount; i++) {
    roomsOfClient[i] = (roomsOfClient[i] as number[]).sort((a, b) => a - b).slice();
  }
  const byId = new Map(rooms.map((room) => [room.id, room]));
  return {
    rooms,
    byId,
    roomsOfClient,
    resolve(ref: RoomRef): PlannedRoom[] {
      const groupRooms = byGroup.get(ref.group) ?? [];
      if (ref.index === undefined) return groupRooms;
      const room = groupRooms[ref.index];
      return room ? [room] : [];
    },
  };
}

/**
 * Deals clients into rooms of `size` from shuffled decks, so memberships are random but balanced: every
 * client is in about rooms*size/clients rooms (a client drawn twice for one room is skipped).
 */
function dealMembers(rooms: PlannedRoom[], clientCount: number, size: number, rng: SeededRandom): void {
  const fresh = (): number[] => rng.shuffle(Array.from({ length: clientCount }, (_, i) => i));
  let deck = fresh();
  let next = 0;
  for (const room of rooms) {
    const members = new Set<number>();
    while (members.size < size) {
      if (next === deck.length) {
        deck = fresh();
        next = 0;
      }
      members.add(deck[next++] as number);
    }
    room.members = [...members].sort((a, b) => a - b);
  }
}
