/**
 * Frees rooms nobody is in (PROTOCOL.md 7/persistence, 17/room-retention, our decision).
 *
 * A room other than General whose last member left is freed, with its history, once it has stayed empty for the
 * retention time; joining it again before then keeps it. So memory follows the rooms in use, and reaching
 * max_rooms once is no permanent lock-out.
 */
import type { U64 } from '../spec/index.js';
import type { RoomRegistry } from './rooms.js';

/** Empty rooms with the time each became empty, oldest first. */
export class EmptyRoomReaper {
  private readonly emptySince = new Map<U64, number>();

  constructor(
    private readonly rooms: RoomRegistry,
    /** How long a room stays empty before it is freed (> 0). */
    private readonly retentionMs: number,
  ) {}

  /** Notes the rooms that became empty since the last call, then frees those empty for the retention time. */
  tick(now: number): U64[] {
    for (const roomId of this.rooms.takeNewlyEmpty()) {
      // Re-inserted at the end: the map stays ordered by the time each room became empty.
      this.emptySince.delete(roomId);
      this.emptySince.set(roomId, now);
    }
    const freed: U64[] = [];
    for (const [roomId, since] of this.emptySince) {
      const room = this.rooms.get(roomId);
      if (room && room.members.size > 0) {
        this.emptySince.delete(roomId); // rejoined: noted again if it empties again
        continue;
      }
      if (now - since < this.retentionMs) break;
      this.emptySince.delete(roomId);
      if (room && this.rooms.removeRoom(roomId)) freed.push(roomId);
    }
    return freed;
  }
}
