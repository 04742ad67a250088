/**
 * Events the protocol core reports for metrics. The core calls these hooks; metrics.ts implements them with
 * prom-client. Kept as an interface so the core has no metrics dependency and tests can count events.
 */

/** Hooks for metrics; every method must be cheap (they run on the hot path). */
export interface ServerObserver {
  /** A connection was accepted (`+1`) or went away (`-1`). */
  connectionsChanged(delta: 1 | -1): void;
  /** A frame was received and decoded. */
  frameIn(frameName: string): void;
  /** `count` copies of a frame were queued (one per recipient stream). */
  frameOut(frameName: string, count: number): void;
  /** An Error frame (or AuthFailed) with this code was sent. */
  errorSent(code: number): void;
  /** A room was promoted to hot streams, or demoted back. */
  hotRoomChanged(kind: 'promote' | 'demote'): void;
  /** Current numbers of rooms and hot rooms. */
  roomCounts(rooms: number, hotRooms: number): void;
  /** Time spent encoding and queueing one room frame for all its recipients. */
  fanOut(recipients: number, seconds: number): void;
}

/** An observer that ignores everything. */
export const NULL_OBSERVER: ServerObserver = {
  connectionsChanged: () => {},
  frameIn: () => {},
  frameOut: () => {},
  errorSent: () => {},
  hotRoomChanged: () => {},
  roomCounts: () => {},
  fanOut: () => {},
};
