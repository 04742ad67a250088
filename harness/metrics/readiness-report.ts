/**
 * Why clients were not ready when the phases started: the clients still connecting or joining, grouped by
 * what the harness was waiting for and never saw (e.g. "37 clients: no RoomInit for room 5000 after JoinRoom,
 * waited at least 5 s"). Plain data: workers send their groups, the coordinator merges and reports them.
 */

/** What a not-ready client was waiting for. */
export type ReadinessCause =
  | 'not started (connect ramp behind)'
  | 'no QUIC handshake completion'
  | 'no HelloAck after Hello'
  | 'no AuthOk after Auth'
  | 'no RoomInit after JoinRoom'
  | 'no RoomInit for the auto-joined room after AuthOk'
  | 'connection lost while connecting (reconnecting)';

/** Examples kept per cause. */
export const READINESS_EXAMPLES = 3;
/** Rooms named per cause. */
const ROOMS_NAMED = 5;

/** One not-ready client. */
export interface ReadinessExample {
  client: number;
  detail: string;
}

/** Not-ready clients with one cause. */
export interface ReadinessGroup {
  cause: ReadinessCause;
  clients: number;
  /** Rooms waited for (RoomInit causes), the first few distinct ones, ascending. */
  rooms: number[];
  /** The shortest time any of these clients had been waiting (ms). */
  minWaitedMs: number;
  examples: ReadinessExample[];
}

/** The readiness of a run when its phases started (summary.json `readiness`). */
export interface ReadinessReport {
  /** How long the harness waited for every client (ms). */
  waitedMs: number;
  /** Clients not ready (still connecting or joining) when the phases started. */
  notReady: number;
  groups: ReadinessGroup[];
}

/** Collects the not-ready clients of a worker by cause. */
export class ReadinessCollector {
  private readonly groups = new Map<ReadinessCause, ReadinessGroup>();

  /** Adds one client waiting for `cause` since `waitedMs` ago; `room` for the RoomInit causes. */
  add(cause: ReadinessCause, client: number, waitedMs: number, detail: string, room?: number): void {
    let group = this.groups.get(cause);
    if (group === undefined) {
      group = { cause, clients: 0, rooms: [], minWaitedMs: Infinity, examples: [] };
      this.groups.set(cause, group);
    }
    group.clients++;
    group.minWaitedMs = Math.min(group.minWaitedMs, Math.max(0, Math.round(waitedMs)));
    if (room !== undefined) addRoom(group.rooms, room);
    if (group.examples.length < READINESS_EXAMPLES) group.examples.push({ client, detail });
  }

  /** The groups, largest first. */
  groupsBySize(): ReadinessGroup[] {
    return mergeReadinessGroups([[...this.groups.values()]]);
  }
}

function addRoom(rooms: number[], room: number): void {
  if (rooms.includes(room)) return;
  rooms.push(room);
  rooms.sort((a, b) => a - b);
  if (rooms.length > ROOMS_NAMED + 1) rooms.length = ROOMS_NAMED + 1;
}

/** Merges the groups of several workers by cause, largest first. */
export function mergeReadinessGroups(parts: readonly ReadinessGroup[][]): ReadinessGroup[] {
  const merged = new Map<ReadinessCause, ReadinessGroup>();
  for (const part of parts) {
    for (const group of part) {
      const into = merged.get(group.cause);
      if (into === undefined) {
        merged.set(group.cause, {
          ...group,
          rooms: [...group.rooms],
          examples: group.examples.map((e) => ({ ...e })),
        });
        continue;
      }
      into.clients += group.clients;
      into.minWaitedMs = Math.min(into.minWaitedMs, group.minWaitedMs);
      for (const room of group.rooms) addRoom(into.rooms, room);
      for (const example of group.examples)
        if (into.examples.length < READINESS_EXAMPLES) into.examples.push({ ...example });
    }
  }
  return [...merged.values()].sort((a, b) => b.clients - a.clients || a.cause.localeCompare(b.cause));
}

/** One line per group: "37 clients: no RoomInit after JoinRoom for room 5000 (waited at least 5.0 s)". */
export function formatReadinessGroup(group: ReadinessGroup): string {
  let rooms = '';
  if (group.rooms.length === 1) rooms = ` for room ${group.rooms[0]}`;
  else if (group.rooms.length > ROOMS_NAMED)
    rooms = ` for rooms ${group.rooms.slice(0, ROOMS_NAMED).join(', ')}, ...`;
  else if (group.rooms.length > 1) rooms = ` for rooms ${group.rooms.join(', ')}`;
  const waited = Number.isFinite(group.minWaitedMs)
    ? ` (waited at least ${(group.minWaitedMs / 1000).toFixed(1)} s)`
    : '';
  const noun = group.clients === 1 ? 'client' : 'clients';
  return `${group.clients} ${noun}: ${group.cause}${rooms}${waited}; e.g. ${group.examples
    .map((e) => `client ${e.client} (${e.detail})`)
    .join(', ')}`;
}
