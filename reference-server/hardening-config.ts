/**
 * Settings that bound what a hostile client can make the server spend (PROTOCOL.md 17, our decisions): buffered
 * partial frames, the pre-authentication phase, accepted auth methods, upload quotas, retention and datagram rates.
 *
 * Kept apart from config.ts so that the list of defences reads as one table; config.ts spreads it into its own.
 */
import { parseAuthMethods } from './auth-policy.js';
import type { ConfigField } from './config-field.js';

/** The hardening part of ServerConfig (sizes in bytes, durations in milliseconds). */
export interface HardeningConfig {
  /** Bytes of unfinished frames one connection may have buffered, over all its streams. */
  maxPartialFrameBytesPerConnection: number;
  /** Bytes of unfinished frames buffered over all connections. */
  maxPartialFrameBytesTotal: number;
  /** Bytes a connection may have buffered before AuthOk (Hello and Auth are small). */
  maxPreAuthBytes: number;
  /** Hello and Auth must both have succeeded within this time after the connection was established. */
  handshakeDeadlineMs: number;
  /** Connections not yet authenticated, over all addresses; the oldest is evicted to admit a new one. */
  maxUnauthenticated: number;
  /** Connections not yet authenticated from one IP address; the oldest of them is evicted to admit a new one. */
  maxUnauthenticatedPerAddress: number;
  /** Accepted Auth methods, comma-separated; null: "token" with a configured secret, else "username,token". */
  authMethods: string | null;
  /** File holding the token secret (first line); an alternative to token_secret that keeps it out of `ps`. */
  tokenSecretFile: string | null;
  /** Upload bytes one user may have stored (completed or in progress); 0 = unlimited. */
  maxUploadBytesPerUser: number;
  /** Upload bytes the server stores in total; 0 = unlimited. */
  maxUploadBytesTotal: number;
  /** Completed uploads are deleted this long after completion; 0 = kept while the server runs. */
  uploadRetentionMs: number;
  /** A room (other than General) with no member is freed after this time; 0 = rooms are never freed. */
  emptyRoomRetentionMs: number;
  /** Datagrams (Typing, presence) relayed per connection per second; more are dropped. 0 = unlimited. */
  datagramRatePerSec: number;
}

const MiB = 1024 * 1024;

/** Defaults of the hardening settings. */
export const HARDENING_DEFAULTS: Readonly<HardeningConfig> = Object.freeze({
  // Two maximal frames at once (e.g. a 16 MiB message while a 1 MiB upload chunk is in flight) per connection.
  maxPartialFrameBytesPerConnection: 2 * (16 * MiB + 5),
  maxPartialFrameBytesTotal: 256 * MiB,
  maxPreAuthBytes: 64 * 1024,
  handshakeDeadlineMs: 10_000,
  // Generous: a load test ramps thousands of clients from one loopback address; half of max_connections applies too.
  maxUnauthenticated: 10_000,
  maxUnauthenticatedPerAddress: 1024,
  authMethods: null,
  tokenSecretFile: null,
  maxUploadBytesPerUser: 1024 * MiB,
  maxUploadBytesTotal: 10 * 1024 * MiB,
  uploadRetentionMs: 0,
  emptyRoomRetentionMs: 600_000,
  datagramRatePerSec: 20,
});

/** Cross-field and format rules of the hardening settings: the offending file key and why, or null. */
export function checkHardeningRules(config: HardeningConfig): { field: string; message: string } | null {
  if (config.authMethods !== null) {
    const parsed = parseAuthMethods(config.authMethods);
    if (typeof parsed === 'string') return { field: 'auth_methods', message: parsed };
  }
  return null;
}

/** Configuration-table rows of the hardening settings. */
export const HARDENING_FIELDS: readonly ConfigField<keyof HardeningConfig>[] = [
  {
    key: 'maxPartialFrameBytesPerConnection',
    flag: 'max-partial-frame-bytes-per-connection',
    fileKey: 'max_partial_frame_bytes_per_connection',
    kind: 'int',
    min: 16 * MiB + 5,
    description: 'buffered bytes of unfinished frames per connection',
  },
  {
    key: 'maxPartialFrameBytesTotal',
    flag: 'max-partial-frame-bytes-total',
    fileKey: 'max_partial_frame_bytes_total',
    kind: 'int',
    min: 16 * MiB + 5,
    description: 'buffered bytes of unfinished frames over all connections',
  },
  {
    key: 'maxPreAuthBytes',
    flag: 'max-pre-auth-bytes',
    fileKey: 'max_pre_auth_bytes',
    kind: 'int',
    min: 1024,
    max: 16 * MiB + 5,
    description: 'buffered bytes per connection before AuthOk',
  },
  {
    key: 'handshakeDeadlineMs',
    flag: 'handshake-deadline-ms',
    fileKey: 'handshake_deadline_ms',
    kind: 'int',
    min: 100,
    description: 'time for Hello and Auth after connecting (ms)',
  },
  {
    key: 'maxUnauthenticated',
    flag: 'max-unauthenticated',
    fileKey: 'max_unauthenticated',
    kind: 'int',
    min: 1,
    description: 'connections not yet authenticated (oldest evicted)',
  },
  {
    key: 'maxUnauthenticatedPerAddress',
    flag: 'max-unauthenticated-per-address',
    fileKey: 'max_unauthenticated_per_address',
    kind: 'int',
    min: 1,
    description: 'unauthenticated connections per IP address (oldest evicted)',
  },
  {
    key: 'authMethods',
    flag: 'auth-methods',
    fileKey: 'auth_methods',
    kind: 'nullable-string',
    description:
      'accepted Auth methods, e.g. "token" or "username,token" (default: token only with a secret)',
  },
  {
    key: 'tokenSecretFile',
    flag: 'token-secret-file',
    fileKey: 'token_secret_file',
    kind: 'nullable-string',
    description: 'file holding the token secret (or set GAROU_TOKEN_SECRET)',
  },
  {
    key: 'maxUploadBytesPerUser',
    flag: 'max-upload-bytes-per-user',
    fileKey: 'max_upload_bytes_per_user',
    kind: 'int',
    min: 0,
    description: 'upload bytes stored per user (0 = unlimited)',
  },
  {
    key: 'maxUploadBytesTotal',
    flag: 'max-upload-bytes-total',
    fileKey: 'max_upload_bytes_total',
    kind: 'int',
    min: 0,
    description: 'upload bytes stored in total (0 = unlimited)',
  },
  {
    key: 'uploadRetentionMs',
    flag: 'upload-retention-ms',
    fileKey: 'upload_retention_ms',
    kind: 'int',
    min: 0,
    description: 'delete completed uploads after this time (0 = keep)',
  },
  {
    key: 'emptyRoomRetentionMs',
    flag: 'empty-room-retention-ms',
    fileKey: 'empty_room_retention_ms',
    kind: 'int',
    min: 0,
    description: 'free a room nobody is in after this time (0 = never)',
  },
  {
    key: 'datagramRatePerSec',
    flag: 'datagram-rate',
    fileKey: 'datagram_rate',
    kind: 'number',
    min: 0,
    description: 'client datagrams relayed per connection per second (0 = unlimited)',
  },
];
