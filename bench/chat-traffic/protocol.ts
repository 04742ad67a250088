/**
 * Messages between the chat-traffic bench (parent), its server child (server-process.ts: the reference server or
 * the plain-transport baseline) and its client fleet child (chat-fleet.ts). Plain JSON over the fork IPC channel;
 * each command gets exactly one reply with its id, and each child first sends `{ id: 0, ok: true }`.
 */

/** What the parent asks the fleet to do. */
export type ChatFleetCommand =
  /**
   * Connects `count` more chat clients (Hello, Auth, auto-join of General) to `host`:`port` as member group
   * `group`, and waits until General has settled (every RoomInit and announced RoomUserJoined arrived); `before`
   * members of the group (other fleets') are in General already.
   */
  | { op: 'connect'; group: string; count: number; before: number; host: string; port: number }
  /** The first `members` clients of `group` join `roomId`; waits for every RoomInit and RoomUserJoined. */
  | { op: 'join'; group: string; roomId: number; members: number; before: number }
  /**
   * Starts chat traffic on `roomId`, whose members here are the first `members` clients of `group`: each acks
   * every RoomMessage with MessageDelivered; with `rate` > 0 the first of them also sends one SendMessage every
   * 1/`rate` s (one fleet sends, the others only receive).
   */
  | { op: 'start'; group: string; roomId: number; members: number; rate: number }
  /** Stops sending; replies with `sent`, the messages sent by this fleet. */
  | { op: 'halt' }
  /** Waits until each member got `sent` messages, checks exactly-once, returns the load's summary. */
  | { op: 'stop'; sent: number }
  /** Counters and CPU time now. */
  | { op: 'snapshot' };

/** Counters of the fleet at one instant (its own clock). */
export interface ChatFleetSnapshot {
  /** performance.now() in the fleet process. */
  atMs: number;
  /** RoomMessage frames of the current load decoded by its members. */
  deliveries: number;
  /** process.cpuUsage() of the fleet, user + system, microseconds. */
  cpuMicros: number;
  /** UDP packets the fleet's endpoint sent (= the server's received, on loopback) so far. */
  packetsSent: number;
  /** UDP packets the fleet's endpoint received (= the server's sent) so far. */
  packetsReceived: number;
}

/** Outcome of one load in one fleet, from `stop`. */
export interface ChatLoadSummary {
  deliveries: number;
  /** Members with more or (after the drain) fewer RoomMessage frames than messages sent. */
  mismatchedMembers: number;
  /** False when some members were still short at the drain deadline (a starved machine); they are not verified. */
  drained: boolean;
  /** Members still short at the drain deadline (only when not drained). */
  shortMembers: number;
  /** MessageAck frames the sender received (0 in fleets that did not send). */
  acks: number;
  /** Send-to-receive time of each delivery, ms, to 0.01 ms (clocks are the machine's, shared by the fleets). */
  latenciesMs: number[];
  /** Error / AuthFailed frames, decode errors and closed connections since the fleet started. */
  errors: number;
  firstError: string | null;
}

/** The fleet's answer to one request. */
export type ChatFleetReply =
  | {
      id: number;
      ok: true;
      snapshot?: ChatFleetSnapshot;
      summary?: ChatLoadSummary;
      sent?: number;
      info?: string;
    }
  | { id: number; ok: false; error: string };

/** What the parent asks a server child. */
export type ServerCommand = { op: 'address' };

/** A server child's answer. */
export type ServerReply =
  { id: number; ok: true; host?: string; port?: number } | { id: number; ok: false; error: string };
