/**
 * Scenario data as written in the YAML file, after JSON Schema validation (field names as in the file, quantities
 * as written). normalize.ts turns it into the resolved Scenario of types.ts.
 */
import type { ActionName } from './types.js';

/** A rate as written: a number per second or a string such as "5/s". */
export type Rate = number | string;
/** A byte size as written: a number or a string such as "4KiB". */
export type ByteSize = number | string;
/** A size distribution as written. */
export type RawSize = { fixed?: ByteSize; uniform?: { min: ByteSize; max: ByteSize }; normal?: RawNormal };
/** A normal size distribution as written. */
export type RawNormal = { mean: ByteSize; stddev: ByteSize; min?: ByteSize; max?: ByteSize };
/** An action mix as written (weights by action). */
export type RawMix = Partial<Record<ActionName, number>>;

/** Scenario data as written in YAML, after schema validation (field names as in the file). */
export interface RawScenario {
  name: string;
  description?: string;
  seed?: number;
  target?: string;
  server?: {
    num_shards?: number;
    hot_rooms?: {
      promote_rate?: Rate;
      demote_rate?: Rate;
      cool_down?: string;
      rate_window?: string;
      max_hot_rooms?: number;
    };
  };
  clients: {
    count: number;
    connect_rate?: Rate;
    max_connecting?: number;
    username?: string;
    reconnect_on_drop?: boolean;
    reconnect_backoff?: string;
    reconnect_backoff_max?: string;
    auth?: {
      method: 'username' | 'token';
      secret?: string;
      secret_env?: string;
      ttl?: string;
      audience?: string;
      issuer?: string;
    };
  };
  rooms?: Array<{
    name: string;
    count?: number;
    id?: number;
    ids?: number[];
    first_id?: number;
    members?: 'all';
    size?: number;
    rooms_per_client?: number;
    popularity?: 'uniform' | { zipf: number };
  }>;
  arrival?: 'poisson' | 'constant';
  mix?: RawMix;
  message_size?: RawSize;
  actions?: {
    upload?: { size?: ByteSize | RawSize; chunk_size?: ByteSize };
    join_leave?: { rejoin_after?: string };
    reconnect?: { downtime?: string };
    receipts?: { delivered?: number; read?: number; read_delay?: string };
  };
  correctness?: { grace?: string; max_drain?: string };
  phases: Array<{
    name: string;
    duration: string;
    rate?: { per_room?: Rate; per_client?: Rate; total?: Rate };
    rooms?: Record<string, Rate>;
    mix?: RawMix;
    message_size?: RawSize;
    storms?: Array<{ at: string; fraction: number; spread?: string; downtime?: string }>;
  }>;
  expectations?: Array<{ room: string; event: 'promoted' | 'demoted'; during?: string; within?: string }>;
  thresholds?: string[];
  /** Read by `garou-bench compare` (harness/compare/budgets.ts), not by the run. */
  budgets?: Record<string, string | number>;
}
