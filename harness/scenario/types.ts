/**
 * The resolved scenario: what `loadScenario` returns after parsing, schema validation, semantic checks
 * and defaults. All durations are milliseconds, rates are per second, sizes are bytes.
 */
import type { Threshold } from './threshold.js';

/** Position in a scenario file (1-based line and column). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** Where the load goes: the embedded reference server (child process) or a running server. */
export type TargetSpec = { kind: 'embedded' } | { kind: 'remote'; host: string; port: number };

/** Hot-room parameters (PROTOCOL.md section 10), as configured for the embedded server. */
export interface HotRoomOptions {
  /** Promote when the room's rate reaches this many messages per second. */
  promoteRate: number;
  /** Demote when the rate stays below this many messages per second for `coolDownMs`. */
  demoteRate: number;
  coolDownMs: number;
  /** Sliding window over which the rate is measured. */
  rateWindowMs: number;
  maxHotRooms: number;
}

/** Options passed to the embedded reference server. */
export interface ServerOptions {
  numShards: number;
  hotRooms: HotRoomOptions;
}

/** Simulated clients. */
export interface ClientOptions {
  count: number;
  /** New connections per second. */
  connectRate: number;
  /** Most first connects in flight (connect to AuthOk or failure) at once, the whole fleet; null = no bound. */
  maxConnecting: number | null;
  /** Username pattern with `{i}` = client index (see `formatUsername`). */
  usernamePattern: string;
  /** What a client does when its connection drops without the harness asking for it. */
  dropReconnect: DropReconnectOptions;
  /** How clients authenticate (`clients.auth`); absent means by username. */
  auth?: ClientAuth;
}

/** Auth method of the simulated clients: their username, or an HS256 JWT per client (PROTOCOL.md 6.3/token). */
export type ClientAuth =
  | { method: 'username' }
  | { method: 'token'; secret: string; ttlMs: number; audience: string | null; issuer: string | null };

/**
 * Automatic reconnect after a drop (connection lost, or closed by the server): wait `backoffMs`, doubled after
 * each failed attempt up to `backoffMaxMs`, every wait jittered from the seed; the client rejoins its rooms.
 */
export interface DropReconnectOptions {
  enabled: boolean;
  backoffMs: number;
  backoffMaxMs: number;
}

/** How the rooms of a group get their members. */
export type MembershipSpec =
  | { kind: 'all' }
  /** Each room gets `size` distinct members, dealt at random so every client is in about as many rooms. */
  | { kind: 'size'; size: number }
  /** Each client joins `roomsPerClient` distinct rooms of the group drawn by popularity. */
  | { kind: 'per_client'; roomsPerClient: number };

/** Popularity of the rooms of a group by rank (rank 1 = first room of the group). */
export type PopularitySpec = { kind: 'uniform' } | { kind: 'zipf'; exponent: number };

/** A group of rooms sharing membership and popularity rules. */
export interface RoomGroupSpec {
  /** Label used in overrides and expectations. */
  name: string;
  count: number;
  /** Room ids, one per room, in rank order (explicit, from `first_id`, or allocated from 1000 up). */
  ids: number[];
  membership: MembershipSpec;
  popularity: PopularitySpec;
}

/** Reference to one room or a whole group: "viral" or "side#3" (0-based index in the group). */
export interface RoomRef {
  group: string;
  /** Index within the group; undefined = every room of the group. */
  index: number | undefined;
  /** As written. */
  text: string;
}

/** Actions an open-model operation can perform. */
export const ACTIONS = [
  'send',
  'edit',
  'delete',
  'react',
  'typing',
  'join_leave',
  'upload',
  'reconnect',
] as const;

/** Name of an action. */
export type ActionName = (typeof ACTIONS)[number];

/** Action weights, normalized to sum to 1; only actions with a positive weight are listed. */
export type ActionMix = ReadonlyArray<{ action: ActionName; weight: number }>;

/** Distribution of a size in bytes. Samples are integers clamped to [min, max] for `normal`. */
export type SizeDistribution =
  | { kind: 'fixed'; bytes: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stddev: number; min: number; max: number };

/** Basis of a phase's open-model rate. */
export type RateBasis = 'room' | 'client' | 'total';

/** A phase's base operation rate: per room, per client, or in total. */
export interface RateSpec {
  basis: RateBasis;
  perSecond: number;
}

/** A per-room rate override in a phase (replaces the base rate for that room or group). */
export interface RoomRateOverride {
  room: RoomRef;
  perSecond: number;
}

/** A reconnect storm inside a phase. */
export interface ReconnectStorm {
  /** Offset from the phase start. */
  atMs: number;
  /** Fraction of all clients that disconnect (0..1]. */
  fraction: number;
  /** Disconnects are spread evenly over this window. */
  spreadMs: number;
  /** Each client reconnects this long after its disconnect. */
  downtimeMs: number;
}

/** One phase of the run. */
export interface PhaseSpec {
  name: string;
  index: number;
  /** Offset of the phase start from the start of the first phase. */
  startOffsetMs: number;
  durationMs: number;
  rate: RateSpec;
  roomRates: RoomRateOverride[];
  mix: ActionMix;
  messageSize: SizeDistribution;
  storms: ReconnectStorm[];
}

/** Parameters of the non-send actions. */
export interface ActionOptions {
  upload: { size: SizeDistribution; chunkSize: number };
  joinLeave: { rejoinAfterMs: number };
  reconnect: { downtimeMs: number };
  receipts: ReceiptOptions;
}

/**
 * Receipts (PROTOCOL.md 8/delivered-read) for received RoomMessages. Each delivery draws one seeded number u in
 * [0, 1) from (seed, recipient, message id): MessageDelivered at once when u < delivered, MessageRead `readDelayMs`
 * later when u < read (so with read <= delivered every message read was also acknowledged delivered).
 */
export interface ReceiptOptions {
  /** Fraction 0..1 of received RoomMessages answered with MessageDelivered; 0 = never. */
  delivered: number;
  /** Fraction 0..1 of received RoomMessages answered with MessageRead; 0 = never. */
  read: number;
  readDelayMs: number;
}

/** A hot-room event that must be observed. */
export interface Expectation {
  room: RoomRef;
  event: 'promoted' | 'demoted';
  /** Phase during which it must happen; undefined = any time during the run. */
  phase: string | undefined;
  /** Must happen no later than this after the phase (or run) start. */
  withinMs: number | undefined;
  /** Human-readable text, e.g. "viral promoted during surge within 5s". */
  text: string;
  source: SourcePosition;
}

/** A threshold together with where it was written. */
export interface ScenarioThreshold extends Threshold {
  source: SourcePosition | undefined;
}

/** A fully resolved, validated scenario. */
export interface Scenario {
  /** File it was loaded from (as given to the loader). */
  file: string;
  name: string;
  description: string;
  seed: number;
  target: TargetSpec;
  server: ServerOptions;
  clients: ClientOptions;
  rooms: RoomGroupSpec[];
  arrival: 'poisson' | 'constant';
  phases: PhaseSpec[];
  actions: ActionOptions;
  /**
   * graceMs: a delivery later than this after its send is missing (lost unless it arrives later: late).
   * maxDrainMs: the longest the run waits after its last phase, grace included, while missing deliveries still
   * arrive (see runner/end-drain.ts).
   */
  correctness: { graceMs: number; maxDrainMs: number };
  expectations: Expectation[];
  thresholds: ScenarioThreshold[];
  /** Sum of the phase durations. */
  totalDurationMs: number;
}
