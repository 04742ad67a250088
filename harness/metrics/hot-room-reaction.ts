/**
 * Reference timing for promotion and demotion reaction times. It replays the server's rate rule
 * (PROTOCOL.md section 10) on the messages the harness saw accepted, to know WHEN the server should have
 * promoted a room (rate reached promote_rate) or could first demote it (rate below demote_rate for
 * cool_down, and hot for at least cool_down). The reaction time is the observed RoomPromoted/RoomDemoted
 * time minus that moment. Send times stand in for the server's accept times, so figures include one
 * client-to-server transit (sub-millisecond on loopback).
 */
import type { HotRoomOptions } from '../scenario/types.js';

/**
 * Reaction time recorded for an event observed at `observedAtMs` whose reference (due) time is `referenceAtMs`,
 * clamped at 0. The reference is estimated from client send times, which lag the server's accept times by one
 * client-to-server transit, and merged workers' clocks differ slightly; so a server that reacted on time can appear
 * to have reacted before it was due (e.g. -29 ms). A negative figure would be an artefact of the estimate, not an
 * early reaction, and would be dropped by the latency histograms; 0 says "no measurable delay".
 */
export function reactionTimeMs(observedAtMs: number, referenceAtMs: number): number {
  return Math.max(0, observedAtMs - referenceAtMs);
}

interface RoomRate {
  /** Send times inside the current window, oldest first (a ring buffer would save shifts; windows are small). */
  times: number[];
  head: number;
  /** When the rate first reached promote_rate since the room was last cold. */
  crossedAtMs: number | undefined;
  /** Since when the rate has been continuously below demote_rate (undefined = not below now). */
  belowSinceMs: number | undefined;
  /** When the room was observed promoted (undefined = not hot). */
  promotedAtMs: number | undefined;
}

/** Computes when each room should have been promoted or could have been demoted. */
export class HotRoomReactionTracker {
  private readonly rooms = new Map<number, RoomRate>();
  private readonly promoteCount: number;
  private readonly demoteCount: number;

  constructor(private readonly options: HotRoomOptions) {
    // rate >= promote_rate  <=>  count in window >= promote_rate * window_seconds
    this.promoteCount = (options.promoteRate * options.rateWindowMs) / 1000;
    this.demoteCount = (options.demoteRate * options.rateWindowMs) / 1000;
  }

  /** Records a message accepted into `roomId` (call with its send time, for every acked message of the run). */
  recordAccepted(roomId: number, atMs: number): void {
    const room = this.room(roomId, atMs);
    this.slide(room, atMs);
    // Relayed acks (other workers) can arrive slightly out of order: insert in time order.
    let i = room.times.length;
    while (i > room.head && (room.times[i - 1] as number) > atMs) i--;
    room.times.splice(i, 0, atMs);
    const count = room.times.length - room.head;
    if (count >= this.promoteCount && room.crossedAtMs === undefined && room.promotedAtMs === undefined) {
      room.crossedAtMs = atMs;
    }
    if (count >= this.demoteCount) room.belowSinceMs = undefined;
  }

  /** A RoomPromoted was observed: returns the reference time (rate crossing), or undefined if unknown. */
  promoted(roomId: number, atMs: number): number | undefined {
    const room = this.room(roomId, atMs);
    this.slide(room, atMs);
    const reference = room.crossedAtMs;
    if (room.promotedAtMs === undefined) room.promotedAtMs = atMs;
    room.crossedAtMs = undefined;
    return reference;
  }

  /** A RoomDemoted was observed: returns the earliest time the server was allowed to demote, or undefined. */
  demoted(roomId: number, atMs: number): number | undefined {
    const room = this.room(roomId, atMs);
    this.slide(room, atMs);
    const { promotedAtMs, belowSinceMs } = room;
    room.promotedAtMs = undefined;
    room.crossedAtMs = undefined;
    if (promotedAtMs === undefined || belowSinceMs === undefined) return undefined;
    return Math.max(belowSinceMs + this.options.coolDownMs, promotedAtMs + this.options.coolDownMs);
  }

  /** Current windowed rate of a room (messages per second) at `atMs`. */
  rate(roomId: number, atMs: number): number {
    const room = this.room(roomId, atMs);
    this.slide(room, atMs);
    return ((room.times.length - room.head) * 1000) / this.options.rateWindowMs;
  }

  private room(roomId: number, atMs: number): RoomRate {
    let room = this.rooms.get(roomId);
    if (!room) {
      // A room nobody has written to yet has been quiet "forever"; the first observation anchors it.
      room = { times: [], head: 0, crossedAtMs: undefined, belowSinceMs: atMs, promotedAtMs: undefined };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  /** Drops sends older than the window, noting exactly when the rate fell below demote_rate. */
  private slide(room: RoomRate, nowMs: number): void {
    const window = this.options.rateWindowMs;
    while (room.head < room.times.length && (room.times[room.head] as number) <= nowMs - window) {
      const leftAt = (room.times[room.head] as number) + window;
      room.head++;
      if (room.times.length - room.head < this.demoteCount && room.belowSinceMs === undefined) {
        room.belowSinceMs = leftAt;
      }
    }
    if (room.head > 1024 && room.head * 2 > room.times.length) {
      room.times = room.times.slice(room.head);
      room.head = 0;
    }
  }
}
