/**
 * Reference-server configuration: defaults, the field table every source (flags, file) derives from, and validation.
 *
 * One table (`CONFIG_FIELDS`) lists each setting once with its flag name, file key, type, bounds and default, so the
 * commander options, the config-file reader and the validator cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  HARDENING_DEFAULTS,
  HARDENING_FIELDS,
  checkHardeningRules,
  type HardeningConfig,
} from './hardening-config.js';
import type { ConfigField as ConfigFieldOf } from './config-field.js';

export type { ConfigFieldKind } from './config-field.js';

/** Log levels accepted by pino that we expose. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of the accepted log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Validated reference-server configuration (all durations in milliseconds, sizes in bytes). */
export interface ServerConfig extends HardeningConfig {
  host: string;
  port: number;
  numShards: number;
  promoteRate: number;
  demoteRate: number;
  coolDownMs: number;
  rateWindowMs: number;
  maxHotRooms: number;
  maxConnections: number;
  idleTimeoutMs: number;
  pingIntervalMs: number;
  historySize: number;
  maxRoomMembers: number;
  /**
   * Member count from which a room is large: no RoomUserJoined/RoomUserLeft or presence fan-out through it, and an
   * empty RoomInit.members (PROTOCOL.md 16.2). 0 turns large rooms off (every room behaves as in section 7).
   */
  largeRoomThreshold: number;
  /** Rooms the server keeps (General included) before JoinRoom/CreateRoom of a new room fails with ROOM_FULL. */
  maxRooms: number;
  /** Largest SendMessage/EditMessage content, in UTF-8 bytes. */
  maxContentBytes: number;
  maxUploadBytes: number;
  maxUploadsPerConnection: number;
  /** Bytes a connection may have waiting for QUIC flow control before it is closed as a slow consumer. */
  maxSendBacklogBytes: number;
  /** Upload directory; null means "create a fresh temporary directory at startup". */
  dataDir: string | null;
  /** HMAC secret for token auth; null means "generate a random one at startup" (tokens then live with the process). */
  tokenSecret: string | null;
  /** Chat commands per second allowed per connection; 0 disables the limiter. */
  rateLimitPerSec: number;
  /** Token-bucket capacity (burst) of the per-connection limiter. */
  rateLimitBurst: number;
  logLevel: LogLevel;
  /** Port for the Prometheus /metrics endpoint; null disables it. */
  metricsPort: number | null;
  /** PEM certificate path; null means a self-signed certificate generated in memory. */
  certPath: string | null;
  /** PEM private key path; null means a self-signed certificate generated in memory. */
  keyPath: string | null;
  /** PEM public key (SPKI) file trusted for RS256/ES256 tokens; null: none. */
  tokenPublicKey: string | null;
  /** JWKS file trusted for RS256/ES256 tokens; null: none. */
  tokenJwks: string | null;
  /** Required token `aud`; null: not checked. */
  tokenAudience: string | null;
  /** Required token `iss`; null: not checked. */
  tokenIssuer: string | null;
}

/** Description of one configuration field of ServerConfig (config-field.ts). */
export type ConfigField = ConfigFieldOf<keyof ServerConfig>;

const MiB = 1024 * 1024;

/** Default configuration (matches the original garou defaults where it has one). */
export const DEFAULT_CONFIG: Readonly<ServerConfig> = Object.freeze({
  // Loopback by default: a reference server started by a harness should not be reachable from the network.
  host: '127.0.0.1',
  port: 4433,
  numShards: 8,
  promoteRate: 100,
  demoteRate: 20,
  coolDownMs: 60_000,
  rateWindowMs: 10_000,
  maxHotRooms: 10,
  maxConnections: 10_000,
  idleTimeoutMs: 300_000,
  pingIntervalMs: 30_000,
  historySize: 50,
  maxRoomMembers: 10_000,
  // Announcing each join to every member costs O(n^2) frames as a room fills up (PROTOCOL.md 16.2).
  largeRoomThreshold: 50,
  // Rooms are never deleted (PROTOCOL.md 7/persistence), so this bounds the memory a client can make us spend.
  maxRooms: 100_000,
  maxContentBytes: 65_536,
  maxUploadBytes: 64 * MiB,
  maxUploadsPerConnection: 4,
  maxSendBacklogBytes: 64 * MiB,
  dataDir: null,
  tokenSecret: null,
  // Generous: the reference server is what load tests measure against, so the limiter must not shape their traffic.
  rateLimitPerSec: 1000,
  rateLimitBurst: 2000,
  logLevel: 'info',
  metricsPort: null,
  certPath: null,
  keyPath: null,
  ...HARDENING_DEFAULTS,
  tokenPublicKey: null,
  tokenJwks: null,
  tokenAudience: null,
  tokenIssuer: null,
});

/** Every configuration field, once. */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'host', flag: 'host', fileKey: 'host', kind: 'string', description: 'address to bind' },
  {
    key: 'port',
    flag: 'port',
    fileKey: 'port',
    kind: 'int',
    min: 0,
    max: 65535,
    description: 'UDP port (0 = any)',
  },
  {
    key: 'numShards',
    flag: 'num-shards',
    fileKey: 'num_shards',
    kind: 'int',
    min: 1,
    max: 255,
    description: 'shard streams per connection',
  },
  {
    key: 'promoteRate',
    flag: 'promote-rate',
    fileKey: 'promote_rate',
    kind: 'number',
    min: 0,
    description: 'msgs/s at which a room is promoted to a hot stream',
  },
  {
    key: 'demoteRate',
    flag: 'demote-rate',
    fileKey: 'demote_rate',
    kind: 'number',
    min: 0,
    description: 'msgs/s below which a hot room is demoted after the cool-down',
  },
  {
    key: 'coolDownMs',
    flag: 'cool-down-ms',
    fileKey: 'cool_down_ms',
    kind: 'int',
    min: 0,
    description: 'cool-down before demotion (ms)',
  },
  {
    key: 'rateWindowMs',
    flag: 'rate-window-ms',
    fileKey: 'rate_window_ms',
    kind: 'int',
    min: 100,
    max: 3_600_000,
    description: 'sliding window for room rates (ms)',
  },
  {
    key: 'maxHotRooms',
    flag: 'max-hot-rooms',
    fileKey: 'max_hot_rooms',
    kind: 'int',
    min: 0,
    description: 'maximum simultaneously hot rooms',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    fileKey: 'max_connections',
    kind: 'int',
    min: 1,
    description: 'maximum simultaneous connections',
  },
  {
    key: 'idleTimeoutMs',
    flag: 'idle-timeout-ms',
    fileKey: 'idle_timeout_ms',
    kind: 'int',
    min: 1000,
    description: 'QUIC idle timeout (ms)',
  },
  {
    key: 'pingIntervalMs',
    flag: 'ping-interval-ms',
    fileKey: 'ping_interval_ms',
    kind: 'int',
    min: 100,
    description: 'server Ping interval (ms)',
  },
  {
    key: 'historySize',
    flag: 'history-size',
    fileKey: 'history_size',
    kind: 'int',
    min: 0,
    max: 100_000,
    description: 'recent messages kept per room',
  },
  {
    key: 'maxRoomMembers',
    flag: 'max-room-members',
    fileKey: 'max_room_members',
    kind: 'int',
    min: 1,
    description: 'members per room before ROOM_FULL',
  },
  {
    key: 'largeRoomThreshold',
    flag: 'large-room-threshold',
    fileKey: 'large_room_threshold',
    kind: 'int',
    min: 0,
    max: 0xffff_ffff,
    description: 'members from which a room is large: no join/leave/presence fan-out (0 = never)',
  },
  {
    key: 'maxRooms',
    flag: 'max-rooms',
    fileKey: 'max_rooms',
    kind: 'int',
    min: 1,
    max: 100_000_000,
    description: 'rooms kept (General included) before creating one fails with ROOM_FULL',
  },
  {
    key: 'maxContentBytes',
    flag: 'max-content-bytes',
    fileKey: 'max_content_bytes',
    kind: 'int',
    min: 0,
    max: 16 * MiB,
    description: 'maximum message content (UTF-8 bytes)',
  },
  {
    key: 'maxUploadBytes',
    flag: 'max-upload-bytes',
    fileKey: 'max_upload_bytes',
    kind: 'int',
    min: 0,
    description: 'maximum upload size (bytes)',
  },
  {
    key: 'maxUploadsPerConnection',
    flag: 'max-uploads-per-connection',
    fileKey: 'max_uploads_per_connection',
    kind: 'int',
    min: 1,
    description: 'concurrent unfinished uploads per connection',
  },
  {
    key: 'maxSendBacklogBytes',
    flag: 'max-send-backlog-bytes',
    fileKey: 'max_send_backlog_bytes',
    kind: 'int',
    min: 1,
    description: 'unsent bytes per connection before it is closed as a slow consumer',
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    fileKey: 'data_dir',
    kind: 'nullable-string',
    description: 'upload directory (default: fresh temp dir)',
  },
  {
    key: 'tokenSecret',
    flag: 'token-secret',
    fileKey: 'token_secret',
    kind: 'nullable-string',
    description: 'HS256 secret of JWTs for token auth (default: random per process)',
  },
  {
    key: 'rateLimitPerSec',
    flag: 'rate-limit',
    fileKey: 'rate_limit',
    kind: 'number',
    min: 0,
    description: 'chat commands/s per connection (0 = unlimited)',
  },
  {
    key: 'rateLimitBurst',
    flag: 'rate-limit-burst',
    fileKey: 'rate_limit_burst',
    kind: 'int',
    min: 1,
    description: 'burst size of the per-connection limiter',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    fileKey: 'log_level',
    kind: 'log-level',
    description: 'pino log level',
  },
  {
    key: 'metricsPort',
    flag: 'metrics-port',
    fileKey: 'metrics_port',
    kind: 'nullable-port',
    description: 'Prometheus metrics HTTP port (default: off)',
  },
  {
    key: 'certPath',
    flag: 'cert',
    fileKey: 'cert',
    kind: 'nullable-string',
    description: 'TLS certificate (PEM)',
  },
  {
    key: 'keyPath',
    flag: 'key',
    fileKey: 'key',
    kind: 'nullable-string',
    description: 'TLS private key (PEM)',
  },
  ...HARDENING_FIELDS,
  {
    key: 'tokenPublicKey',
    flag: 'token-public-key',
    fileKey: 'token_public_key',
    kind: 'nullable-string',
    description: 'PEM public key file trusted for RS256/ES256 JWTs (Auth method "token")',
  },
  {
    key: 'tokenJwks',
    flag: 'token-jwks',
    fileKey: 'token_jwks',
    kind: 'nullable-string',
    description: 'JWKS file trusted for RS256/ES256 JWTs',
  },
  {
    key: 'tokenAudience',
    flag: 'token-audience',
    fileKey: 'token_audience',
    kind: 'nullable-string',
    description: 'required JWT aud (default: not checked)',
  },
  {
    key: 'tokenIssuer',
    flag: 'token-issuer',
    fileKey: 'token_issuer',
    kind: 'nullable-string',
    description: 'required JWT iss (default: not checked)',
  },
];

/** A configuration problem, naming the field and the source it came from. */
export class ConfigError extends Error {
  constructor(
    /** Field name as the user wrote it (file key or flag). */
    readonly field: string,
    message: string,
  ) {
    super(`config ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Where a raw value came from, for error messages. */
type Source = 'file' | 'flag';

function fieldLabel(field: ConfigField, source: Source): string {
  return source === 'flag' ? `--${field.flag}` : field.fileKey;
}

/** Converts one raw value (string from a flag, any JSON/YAML value from a file) into the field's type. */
function coerceField(field: ConfigField, raw: unknown, source: Source): ServerConfig[keyof ServerConfig] {
  const label = fieldLabel(field, source);
  switch (field.kind) {
    case 'int':
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw new ConfigError(label, `expected a number, got ${show(raw)}`);
      if (field.kind === 'int' && !Number.isSafeInteger(n))
        throw new ConfigError(label, `expected an integer, got ${show(raw)}`);
      if (field.min !== undefined && n < field.min)
        throw new ConfigError(label, `must be >= ${field.min}, got ${n}`);
      if (field.max !== undefined && n > field.max)
        throw new ConfigError(label, `must be <= ${field.max}, got ${n}`);
      return n;
    }
    case 'string': {
      if (typeof raw !== 'string' || raw.trim() === '')
        throw new ConfigError(label, `expected a non-empty string, got ${show(raw)}`);
      return raw;
    }
    case 'nullable-string': {
      if (raw === null) return null;
      if (typeof raw !== 'string' || raw === '')
        throw new ConfigError(label, `expected a string, got ${show(raw)}`);
      return raw;
    }
    case 'nullable-port': {
      if (raw === null) return null;
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535)
        throw new ConfigError(label, `expected a port 0-65535, got ${show(raw)}`);
      return n;
    }
    case 'log-level': {
      if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw))
        throw new ConfigError(label, `expected one of ${LOG_LEVELS.join(', ')}, got ${show(raw)}`);
      return raw as LogLevel;
    }
  }
}

function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw);
  if (typeof raw === 'bigint') return `${raw}`;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

const FIELD_BY_FILE_KEY = new Map(CONFIG_FIELDS.map((f) => [f.fileKey, f]));
const FIELD_BY_KEY = new Map(CONFIG_FIELDS.map((f) => [f.key, f]));

/** Parses config-file text (JSON when `format` is "json", YAML otherwise; YAML is a superset of JSON). */
export function parseConfigText(
  text: string,
  format: 'json' | 'yaml',
  fileName = 'config',
): Record<string, unknown> {
  let data: unknown;
  try {
    data = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(fileName, `cannot parse ${format.toUpperCase()}: ${(err as Error).message}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError(fileName, 'top level must be a mapping of settings');
  return data as Record<string, unknown>;
}

/** Reads and parses a config file; the format follows the extension (.json, otherwise YAML). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, `cannot read config file: ${(err as Error).message}`);
  }
  return parseConfigText(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', path);
}

/**
 * Builds a validated configuration: defaults, then the file's settings (by file key), then flags (by config key).
 * Unknown file keys are errors, so a typo does not silently fall back to a default.
 */
export function resolveConfig(
  fileSettings: Record<string, unknown> = {},
  flagSettings: Partial<Record<keyof ServerConfig, unknown>> = {},
): ServerConfig {
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  const assign = <K extends keyof ServerConfig>(key: K, value: ServerConfig[keyof ServerConfig]): void => {
    config[key] = value as ServerConfig[K];
  };
  for (const [fileKey, raw] of Object.entries(fileSettings)) {
    const field = FIELD_BY_FILE_KEY.get(fileKey);
    if (!field)
      throw new ConfigError(fileKey, `unknown setting (known: ${[...FIELD_BY_FILE_KEY.keys()].join(', ')})`);
    assign(field.key, coerceField(field, raw, 'file'));
  }
  for (const [key, raw] of Object.entries(flagSettings)) {
    if (raw === undefined) continue;
    const field = FIELD_BY_KEY.get(key as keyof ServerConfig);
    if (!field) throw new ConfigError(key, 'unknown setting');
    assign(field.key, coerceField(field, raw, 'flag'));
  }
  checkCrossFieldRules(config);
  return config;
}

/** Rules that involve two fields; named after the field a user would change. */
function checkCrossFieldRules(config: ServerConfig): void {
  if (config.demoteRate > config.promoteRate)
    throw new ConfigError(
      'demote_rate',
      `must not exceed promote_rate (${config.demoteRate} > ${config.promoteRate}); a room would flap`,
    );
  // Shard streams plus hot-room streams must fit the 100 uni streams a client grants (PROTOCOL.md 9/num-shards).
  if (config.numShards > 100 - config.maxHotRooms)
    throw new ConfigError(
      'num_shards',
      `must be at most 100 - max_hot_rooms = ${100 - config.maxHotRooms}, got ${config.numShards}`,
    );
  if ((config.certPath === null) !== (config.keyPath === null))
    throw new ConfigError(config.certPath === null ? 'cert' : 'key', 'cert and key must be given together');
  if (config.rateLimitPerSec > 0 && config.rateLimitBurst < 1)
    throw new ConfigError('rate_limit_burst', 'must be >= 1 when rate_limit is on');
  const hardening = checkHardeningRules(config);
  if (hardening) throw new ConfigError(hardening.field, hardening.message);
}
