/**
 * Hot-room promotions and demotions seen by a worker's clients, held back before they are recorded: the
 * reaction-time reference needs the acks of the messages that triggered them, which arrive after
 * RoomPromoted (and from other workers after a relay). The observed time is kept as it was.
 */

/** A promotion or demotion as one client saw it. */
export interface RoomRankEvent {
  type: 'promoted' | 'demoted';
  roomId: number;
  atMs: number;
}

/** Room events in the order they were seen, released once they are old enough. */
export class DeferredRoomEvents {
  private events: RoomRankEvent[] = [];

  /** Holds an event back. */
  push(event: RoomRankEvent): void {
    this.events.push(event);
  }

  /** Hands the events seen before `beforeMs` to `record`, in the order they were seen, and forgets them. */
  release(beforeMs: number, record: (event: RoomRankEvent) => void): void {
    const events = this.events;
    let i = 0;
    for (; i < events.length && (events[i] as RoomRankEvent).atMs < beforeMs; i++) {
      record(events[i] as RoomRankEvent);
    }
    if (i > 0) this.events = events.slice(i);
  }
}
