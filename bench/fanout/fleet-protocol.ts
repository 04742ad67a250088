/**
 * Messages between the fan-out bench (parent: the servers) and its client fleet (child process: every receiving
 * client and the senders). Plain JSON over the fork IPC channel; each command gets exactly one reply with its id.
 */

/** SendMessage content of the load (~70 B): RoomMessage frames then weigh ~250 B, like the baseline's frame. */
export const LOAD_CONTENT = 'fan-out bench message: encoded once, the same bytes go to every member';

/** What the parent asks the fleet to do. */
export type FleetCommand =
  /** Connects `count` more garou clients (Hello, Auth, auto-join of General) and waits until General has settled. */
  | { op: 'connect-members'; count: number; host: string; port: number }
  /** Connects `count` plain transport connections to the baseline server. */
  | { op: 'connect-raw'; count: number; host: string; port: number }
  /** The first `members` garou clients join `roomId`; waits for every RoomInit and RoomUserJoined. */
  | { op: 'join-room'; roomId: number; members: number }
  /**
   * Starts the closed-loop load: the first `senders` members post SendMessage to `roomId` while fewer than
   * `windowMessages` messages are not yet delivered to all `members`.
   */
  | { op: 'start-load'; roomId: number; members: number; senders: number; windowMessages: number }
  /**
   * Changes how the running load tops up its window: 1 = one message as soon as one is fully delivered (per-ack),
   * k > 1 = k messages at once, only when k are fully delivered (bursty arrivals at the server).
   */
  | { op: 'set-top-up'; messages: number }
  /** Stops posting, waits until every message reached every member, and checks exactly-once counts. */
  | { op: 'stop-load' }
  /** Waits until no baseline frame arrived for a while (the raw server stopped writing). */
  | { op: 'wait-quiet'; quietMs: number }
  /** Counters and CPU time now. */
  | { op: 'snapshot' };

/** A command with its request id. */
export type FleetRequest = FleetCommand & { id: number };

/** Counters of the fleet at one instant (its own clock). */
export interface FleetSnapshot {
  /** performance.now() in the fleet process. */
  atMs: number;
  /** RoomMessage frames of the current load room decoded by its members. */
  roomDeliveries: number;
  /** RoomMessage frames decoded on baseline connections. */
  rawDeliveries: number;
  /** SendMessage frames posted by the current load. */
  sent: number;
  /** process.cpuUsage() of the fleet, user + system, microseconds. */
  cpuMicros: number;
  /** UDP packets the fleet's endpoint has sent so far (to the servers: mostly ACKs). */
  packetsSent: number;
}

/** Outcome of stop-load. */
export interface LoadSummary {
  sent: number;
  deliveries: number;
  /**
   * False when some members were still short of messages at the drain deadline: under heavy loopback loss a QUIC
   * connection can sit in loss-recovery backoff for tens of seconds. Their deliveries are then left uncounted.
   */
  drained: boolean;
  /** Members with fewer RoomMessage frames than `sent` (only when not drained). */
  shortMembers: number;
  /** Members whose count is wrong for certain: more than `sent`, or fewer although the load drained. */
  mismatchedMembers: number;
  /** MessageAck frames received by the senders. */
  acks: number;
  /** Error / AuthFailed frames and decode errors seen by any client since the fleet started. */
  errors: number;
}

/** The fleet's answer to one request. */
export type FleetReply =
  | { id: number; ok: true; snapshot?: FleetSnapshot; summary?: LoadSummary; info?: string }
  | { id: number; ok: false; error: string };
