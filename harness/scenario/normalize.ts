/**
 * Turns schema-valid raw scenario data into a resolved `Scenario`: applies defaults, converts quantities,
 * allocates room ids and runs the semantic checks a JSON Schema cannot express (unknown phase or room
 * references, inconsistent room groups, threshold expressions...), each reported with its source position.
 */
import { parseByteSize, parseDuration, parseRate, QuantitySyntaxError } from './quantities.js';
import { formatFieldPath, type ScenarioIssue } from './scenario-error.js';
import type { PositionTarget, YamlSourceMap } from './source-map.js';
import { closestName } from './suggest.js';
import { parseThreshold, ThresholdSyntaxError } from './threshold.js';
import {
  ACTIONS,
  type ActionMix,
  type ClientAuth,
  type Expectation,
  type HotRoomOptions,
  type MembershipSpec,
  type PhaseSpec,
  type PopularitySpec,
  type RateSpec,
  type ReconnectStorm,
  type RoomGroupSpec,
  type RoomRateOverride,
  type RoomRef,
  type Scenario,
  type ScenarioThreshold,
  type SizeDistribution,
  type TargetSpec,
} from './types.js';
import { formatUsername, MAX_USERNAME_LENGTH } from './username.js';
import type { ByteSize, Rate, RawMix, RawNormal, RawScenario, RawSize } from './raw-scenario.js';

export type { RawScenario } from './raw-scenario.js';

/** Defaults of the hot-room parameters (wire-facts.md / decisions.md, section 10). */
export const DEFAULT_HOT_ROOMS: Readonly<HotRoomOptions> = {
  promoteRate: 100,
  demoteRate: 20,
  coolDownMs: 60_000,
  rateWindowMs: 10_000,
  maxHotRooms: 10,
};

/** First id given to rooms without an explicit id. */
export const FIRST_ALLOCATED_ROOM_ID = 1000;
/** Largest chunk an UploadChunk may carry (decisions.md, section 13). */
export const MAX_UPLOAD_CHUNK = 1024 * 1024;
/** Largest upload the reference server accepts by default. */
export const MAX_UPLOAD_SIZE = 64 * 1024 * 1024;
/** Largest message content that fits comfortably in one frame (16 MiB payload minus JSON envelope). */
export const MAX_MESSAGE_SIZE = 16 * 1024 * 1024 - 64 * 1024;
/** Default `correctness.max_drain`, in grace periods (a collapsed server's backlog takes seconds to come through). */
export const DEFAULT_MAX_DRAIN_GRACES = 4;

const ROOM_REF_RE = /^([A-Za-z][A-Za-z0-9_-]*)(?:#([0-9]+))?$/;

type Path = Array<string | number>;

/** Resolves raw data into a Scenario; returns the issues instead when any semantic check fails. */
export function normalizeScenario(
  raw: RawScenario,
  sourceMap: YamlSourceMap,
): { scenario: Scenario; issues: [] } | { scenario: undefined; issues: ScenarioIssue[] } {
  const issues: ScenarioIssue[] = [];
  const report = (path: Path, message: string, target: PositionTarget = 'value'): void => {
    issues.push({ ...sourceMap.position(path, target), path: formatFieldPath(path), message });
  };
  // Quantities were shape-checked by the schema; these guards only matter for values the schema lets through.
  const quantity = <T>(path: Path, parse: (v: unknown) => T, value: unknown, fallback: T): T => {
    if (value === undefined) return fallback;
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof QuantitySyntaxError)) throw error;
      report(path, error.message);
      return fallback;
    }
  };
  const duration = (path: Path, value: string | undefined, fallback: number): number =>
    quantity(path, parseDuration, value, fallback);
  const rate = (path: Path, value: Rate | undefined, fallback: number): number =>
    quantity(path, parseRate, value, fallback);
  const bytes = (path: Path, value: ByteSize | undefined, fallback: number): number =>
    quantity(path, parseByteSize, value, fallback);

  const target = resolveTarget(raw.target, report);
  const server = {
    numShards: raw.server?.num_shards ?? 8,
    hotRooms: resolveHotRooms(raw.server?.hot_rooms, report, rate, duration),
  };

  const clients = {
    count: raw.clients.count,
    connectRate: rate(['clients', 'connect_rate'], raw.clients.connect_rate, 100),
    maxConnecting: raw.clients.max_connecting ?? null,
    usernamePattern: raw.clients.username ?? 'user-{i}',
    dropReconnect: {
      enabled: raw.clients.reconnect_on_drop ?? true,
      backoffMs: duration(['clients', 'reconnect_backoff'], raw.clients.reconnect_backoff, 1000),
      backoffMaxMs: duration(['clients', 'reconnect_backoff_max'], raw.clients.reconnect_backoff_max, 30_000),
    },
    // Absent: log in by username (the default, as before clients.auth existed).
    ...(raw.clients.auth === undefined ? {} : { auth: clientAuth(raw.clients.auth, report, duration) }),
  };
  if (clients.connectRate <= 0) report(['clients', 'connect_rate'], 'expected a connect rate above 0');
  const backoff = clients.dropReconnect;
  if (backoff.backoffMs <= 0) report(['clients', 'reconnect_backoff'], 'expected a backoff above 0');
  if (backoff.backoffMaxMs < backoff.backoffMs) {
    report(
      [
        'clients',
        raw.clients.reconnect_backoff_max === undefined ? 'reconnect_backoff' : 'reconnect_backoff_max',
      ],
      `reconnect_backoff_max (${backoff.backoffMaxMs} ms) must be at least reconnect_backoff (${backoff.backoffMs} ms)`,
    );
  }
  const longest = formatUsername(clients.usernamePattern, clients.count - 1).trim();
  if (longest.length > MAX_USERNAME_LENGTH || longest.length === 0) {
    report(
      ['clients', 'username'],
      `usernames must be 1 to ${MAX_USERNAME_LENGTH} characters; "${longest}" (client ${clients.count - 1}) has ${longest.length}`,
    );
  }

  const rooms = resolveRooms(raw, report);
  const roomRef = (path: Path, text: string, target: PositionTarget, single: boolean): RoomRef | undefined =>
    resolveRoomRef(text, rooms, single, (message) => report(path, message, target));

  const sizeDistribution = (
    path: Path,
    value: RawSize | undefined,
    fallback: SizeDistribution,
  ): SizeDistribution => {
    if (value === undefined) return fallback;
    const dist = resolveSize(path, value, bytes, report);
    const max = dist.kind === 'fixed' ? dist.bytes : dist.max;
    if (max > MAX_MESSAGE_SIZE && path.at(-1) === 'message_size') {
      report(path, `message sizes must stay below ${MAX_MESSAGE_SIZE} bytes (one frame); this allows ${max}`);
    }
    return dist;
  };
  const mix = (path: Path, value: RawMix | undefined, fallback: ActionMix): ActionMix => {
    if (value === undefined) return fallback;
    const entries = ACTIONS.map((action) => ({ action, weight: value[action] ?? 0 })).filter(
      (e) => e.weight > 0,
    );
    const total = entries.reduce((sum, e) => sum + e.weight, 0);
    if (total <= 0) {
      report(path, 'expected at least one action with a weight above 0');
      return fallback;
    }
    return entries.map((e) => ({ action: e.action, weight: e.weight / total }));
  };

  const defaultMix = mix(['mix'], raw.mix, [{ action: 'send', weight: 1 }]);
  const defaultSize = sizeDistribution(['message_size'], raw.message_size, {
    kind: 'uniform',
    min: 16,
    max: 256,
  });
  const actions = resolveActions(raw, report, duration, bytes, sizeDistribution);
  const graceMs = duration(['correctness', 'grace'], raw.correctness?.grace, 5000);
  const maxDrainMs = duration(
    ['correctness', 'max_drain'],
    raw.correctness?.max_drain,
    DEFAULT_MAX_DRAIN_GRACES * graceMs,
  );
  if (maxDrainMs < graceMs)
    report(
      ['correctness', 'max_drain'],
      `expected at least the grace period (${graceMs} ms): the run always waits the grace after its last phase`,
    );

  const phases: PhaseSpec[] = [];
  const phaseNames = new Set<string>();
  let offset = 0;
  raw.phases.forEach((rawPhase, index) => {
    const path: Path = ['phases', index];
    if (phaseNames.has(rawPhase.name)) report([...path, 'name'], `duplicate phase name "${rawPhase.name}"`);
    phaseNames.add(rawPhase.name);
    const durationMs = duration([...path, 'duration'], rawPhase.duration, 0);
    if (durationMs <= 0) report([...path, 'duration'], 'expected a duration above 0');
    const phaseRate = resolvePhaseRate(rawPhase.rate, [...path, 'rate'], rate);
    const roomRates: RoomRateOverride[] = [];
    for (const [label, value] of Object.entries(rawPhase.rooms ?? {})) {
      const ref = roomRef([...path, 'rooms', label], label, 'key', false);
      const perSecond = rate([...path, 'rooms', label], value, 0);
      if (ref) roomRates.push({ room: ref, perSecond });
    }
    const storms: ReconnectStorm[] = (rawPhase.storms ?? []).map((storm, s) => {
      const stormPath: Path = [...path, 'storms', s];
      const atMs = duration([...stormPath, 'at'], storm.at, 0);
      if (atMs >= durationMs && durationMs > 0) {
        report(
          [...stormPath, 'at'],
          `storm starts at ${storm.at}, after the phase ends (${rawPhase.duration})`,
        );
      }
      return {
        atMs,
        fraction: storm.fraction,
        spreadMs: duration([...stormPath, 'spread'], storm.spread, 0),
        downtimeMs: duration([...stormPath, 'downtime'], storm.downtime, actions.reconnect.downtimeMs),
      };
    });
    const usesRooms = phaseRate.perSecond > 0 || roomRates.some((r) => r.perSecond > 0);
    if (usesRooms && rooms.every((g) => g.count === 0))
      report(path, 'this phase sends traffic but no rooms are defined');
    phases.push({
      name: rawPhase.name,
      index,
      startOffsetMs: offset,
      durationMs,
      rate: phaseRate,
      roomRates,
      mix: mix([...path, 'mix'], rawPhase.mix, defaultMix),
      messageSize: sizeDistribution([...path, 'message_size'], rawPhase.message_size, defaultSize),
      storms,
    });
    offset += durationMs;
  });
  const phaseList = [...phaseNames];

  const expectations: Expectation[] = [];
  (raw.expectations ?? []).forEach((rawExpectation, index) => {
    const path: Path = ['expectations', index];
    const ref = roomRef([...path, 'room'], rawExpectation.room, 'value', true);
    if (rawExpectation.during !== undefined && !phaseNames.has(rawExpectation.during)) {
      const hint = closestName(rawExpectation.during, phaseList);
      report(
        [...path, 'during'],
        `unknown phase "${rawExpectation.during}"${hint ? ` (did you mean "${hint}"?)` : ''}; phases: ${phaseList.join(', ')}`,
      );
    }
    const withinMs =
      rawExpectation.within === undefined
        ? undefined
        : duration([...path, 'within'], rawExpectation.within, 0);
    if (ref) {
      expectations.push({
        room: ref,
        event: rawExpectation.event,
        phase: rawExpectation.during,
        withinMs,
        text:
          `${ref.text} ${rawExpectation.event}` +
          (rawExpectation.during ? ` during ${rawExpectation.during}` : '') +
          (rawExpectation.within ? ` within ${rawExpectation.within}` : ''),
        source: sourceMap.position(path),
      });
    }
  });

  const thresholds: ScenarioThreshold[] = [];
  (raw.thresholds ?? []).forEach((expression, index) => {
    try {
      thresholds.push({
        ...parseThreshold(expression, phaseList),
        source: sourceMap.position(['thresholds', index]),
      });
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError)) throw error;
      report(['thresholds', index], error.message);
    }
  });

  if (issues.length) return { scenario: undefined, issues };
  return {
    issues: [],
    scenario: {
      file: sourceMap.file,
      name: raw.name,
      description: raw.description ?? '',
      seed: raw.seed ?? 1,
      target,
      server,
      clients,
      rooms,
      arrival: raw.arrival ?? 'poisson',
      phases,
      actions,
      correctness: { graceMs, maxDrainMs },
      expectations,
      thresholds,
      totalDurationMs: offset,
    },
  };
}

type Report = (path: Path, message: string, target?: PositionTarget) => void;

/** Parses a target string: "embedded" or "host:port" (IPv6 in brackets). */
export function parseTarget(text: string): TargetSpec | undefined {
  if (text === 'embedded') return { kind: 'embedded' };
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { kind: 'remote', host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
}

function resolveTarget(text: string | undefined, report: Report): TargetSpec {
  if (text === undefined) return { kind: 'embedded' };
  const target = parseTarget(text);
  if (!target) {
    report(
      ['target'],
      `expected "embedded" or "host:port" with a port from 1 to 65535, got ${JSON.stringify(text)}`,
    );
    return { kind: 'embedded' };
  }
  return target;
}

function resolveHotRooms(
  raw: NonNullable<RawScenario['server']>['hot_rooms'],
  report: Report,
  rate: (path: Path, value: Rate | undefined, fallback: number) => number,
  duration: (path: Path, value: string | undefined, fallback: number) => number,
): HotRoomOptions {
  const path: Path = ['server', 'hot_rooms'];
  const hot: HotRoomOptions = {
    promoteRate: rate([...path, 'promote_rate'], raw?.promote_rate, DEFAULT_HOT_ROOMS.promoteRate),
    demoteRate: rate([...path, 'demote_rate'], raw?.demote_rate, DEFAULT_HOT_ROOMS.demoteRate),
    coolDownMs: duration([...path, 'cool_down'], raw?.cool_down, DEFAULT_HOT_ROOMS.coolDownMs),
    rateWindowMs: duration([...path, 'rate_window'], raw?.rate_window, DEFAULT_HOT_ROOMS.rateWindowMs),
    maxHotRooms: raw?.max_hot_rooms ?? DEFAULT_HOT_ROOMS.maxHotRooms,
  };
  if (hot.demoteRate >= hot.promoteRate) {
    report(
      [...path, raw?.demote_rate !== undefined ? 'demote_rate' : 'promote_rate'],
      `demote_rate (${hot.demoteRate}/s) must be below promote_rate (${hot.promoteRate}/s), or rooms would flap`,
    );
  }
  if (hot.rateWindowMs <= 0) report([...path, 'rate_window'], 'expected a window above 0');
  return hot;
}

function resolveRooms(raw: RawScenario, report: Report): RoomGroupSpec[] {
  // Without `rooms`, traffic goes to room 1 (General), which every client joins after AuthOk.
  const rawRooms = raw.rooms ?? [{ name: 'general', id: 1, members: 'all' as const }];
  const groups: Array<RoomGroupSpec & { explicit: boolean }> = [];
  const names = new Set<string>();
  const usedIds = new Map<number, string>();
  rawRooms.forEach((group, index) => {
    const path: Path = ['rooms', index];
    if (names.has(group.name)) report([...path, 'name'], `duplicate room group name "${group.name}"`);
    names.add(group.name);

    const ways = [
      group.members !== undefined,
      group.size !== undefined,
      group.rooms_per_client !== undefined,
    ];
    if (ways.filter(Boolean).length !== 1) {
      report(path, 'expected exactly one of "members: all", "size" or "rooms_per_client"');
    }
    const idWays = [group.id !== undefined, group.ids !== undefined, group.first_id !== undefined].filter(
      Boolean,
    ).length;
    if (idWays > 1) report(path, 'use only one of "id", "ids" or "first_id"');

    let count = group.count ?? (group.ids ? group.ids.length : 1);
    if (group.id !== undefined && count !== 1) {
      report([...path, 'count'], `"id" names a single room but count is ${count}; use "ids" or "first_id"`);
      count = 1;
    }
    if (group.ids !== undefined && group.ids.length !== count) {
      report([...path, 'ids'], `expected ${count} ids (count), got ${group.ids.length}`);
      count = group.ids.length;
    }
    let ids: number[] = [];
    if (group.id !== undefined) ids = [group.id];
    else if (group.ids !== undefined) ids = [...group.ids];
    else if (group.first_id !== undefined)
      ids = Array.from({ length: count }, (_, i) => (group.first_id as number) + i);
    ids.forEach((id, i) => {
      const other = usedIds.get(id);
      if (other !== undefined) {
        const where = group.ids
          ? [...path, 'ids', i]
          : group.id !== undefined
            ? [...path, 'id']
            : [...path, 'first_id'];
        report(where, `room id ${id} is already used by room group "${other}"`);
      }
      usedIds.set(id, group.name);
    });

    let membership: MembershipSpec = { kind: 'all' };
    if (group.size !== undefined) {
      membership = { kind: 'size', size: group.size };
      if (group.size > raw.clients.count) {
        report(
          [...path, 'size'],
          `rooms of ${group.size} members need at least that many clients (clients.count is ${raw.clients.count})`,
        );
      }
    } else if (group.rooms_per_client !== undefined) {
      membership = { kind: 'per_client', roomsPerClient: group.rooms_per_client };
      if (group.rooms_per_client > count) {
        report(
          [...path, 'rooms_per_client'],
          `each client cannot join ${group.rooms_per_client} of only ${count} rooms`,
        );
      }
    }
    const popularity: PopularitySpec =
      group.popularity === undefined || group.popularity === 'uniform'
        ? { kind: 'uniform' }
        : { kind: 'zipf', exponent: group.popularity.zipf };
    groups.push({ name: group.name, count, ids, membership, popularity, explicit: ids.length > 0 });
  });
  // Allocate ids for groups without explicit ones, after every explicit id is known.
  let next = FIRST_ALLOCATED_ROOM_ID;
  for (const group of groups) {
    if (group.explicit) continue;
    for (let i = 0; i < group.count; i++) {
      while (usedIds.has(next)) next++;
      group.ids.push(next);
      usedIds.set(next, group.name);
    }
  }
  return groups.map(({ explicit: _explicit, ...group }) => group);
}

/** Parses and checks a room reference ("label" or "label#i") against the room groups. */
export function resolveRoomRef(
  text: string,
  groups: readonly RoomGroupSpec[],
  singleRoom: boolean,
  fail: (message: string) => void,
): RoomRef | undefined {
  const match = ROOM_REF_RE.exec(text);
  if (!match) {
    fail(`expected a room label like "viral" or "side#3", got ${JSON.stringify(text)}`);
    return undefined;
  }
  const groupName = match[1] as string;
  const group = groups.find((g) => g.name === groupName);
  if (!group) {
    const hint = closestName(
      groupName,
      groups.map((g) => g.name),
    );
    fail(
      `unknown room "${groupName}"${hint ? ` (did you mean "${hint}"?)` : ''}; rooms: ${groups.map((g) => g.name).join(', ') || '(none)'}`,
    );
    return undefined;
  }
  const index = match[2] === undefined ? undefined : Number(match[2]);
  if (index !== undefined && index >= group.count) {
    fail(
      `room "${text}" does not exist: group "${groupName}" has ${group.count} room(s), indexes 0..${group.count - 1}`,
    );
    return undefined;
  }
  if (singleRoom && index === undefined && group.count !== 1) {
    fail(`"${groupName}" has ${group.count} rooms; name one of them, e.g. "${groupName}#0"`);
    return undefined;
  }
  return { group: groupName, index, text };
}

function resolvePhaseRate(
  raw: { per_room?: Rate; per_client?: Rate; total?: Rate } | undefined,
  path: Path,
  rate: (path: Path, value: Rate | undefined, fallback: number) => number,
): RateSpec {
  if (raw?.per_room !== undefined)
    return { basis: 'room', perSecond: rate([...path, 'per_room'], raw.per_room, 0) };
  if (raw?.per_client !== undefined)
    return { basis: 'client', perSecond: rate([...path, 'per_client'], raw.per_client, 0) };
  if (raw?.total !== undefined) return { basis: 'total', perSecond: rate([...path, 'total'], raw.total, 0) };
  return { basis: 'total', perSecond: 0 };
}

function resolveSize(
  path: Path,
  raw: RawSize,
  bytes: (path: Path, value: ByteSize | undefined, fallback: number) => number,
  report: Report,
): SizeDistribution {
  if (raw.fixed !== undefined) return { kind: 'fixed', bytes: bytes([...path, 'fixed'], raw.fixed, 0) };
  if (raw.uniform !== undefined) {
    const min = bytes([...path, 'uniform', 'min'], raw.uniform.min, 0);
    const max = bytes([...path, 'uniform', 'max'], raw.uniform.max, 0);
    if (min > max) report([...path, 'uniform', 'max'], `max (${max}) must be at least min (${min})`);
    return { kind: 'uniform', min, max };
  }
  const normal = raw.normal as RawNormal;
  const mean = bytes([...path, 'normal', 'mean'], normal.mean, 0);
  const stddev = bytes([...path, 'normal', 'stddev'], normal.stddev, 0);
  const min = bytes([...path, 'normal', 'min'], normal.min, 0);
  const max = bytes([...path, 'normal', 'max'], normal.max, Math.ceil(mean + 6 * stddev));
  if (min > max) report([...path, 'normal', 'max'], `max (${max}) must be at least min (${min})`);
  return { kind: 'normal', mean, stddev, min, max };
}

function resolveActions(
  raw: RawScenario,
  report: Report,
  duration: (path: Path, value: string | undefined, fallback: number) => number,
  bytes: (path: Path, value: ByteSize | undefined, fallback: number) => number,
  sizeDistribution: (path: Path, value: RawSize | undefined, fallback: SizeDistribution) => SizeDistribution,
): Scenario['actions'] {
  const upload = raw.actions?.upload;
  const sizePath: Path = ['actions', 'upload', 'size'];
  const size: SizeDistribution =
    upload?.size === undefined
      ? { kind: 'fixed', bytes: 64 * 1024 }
      : typeof upload.size === 'object'
        ? sizeDistribution(sizePath, upload.size, { kind: 'fixed', bytes: 64 * 1024 })
        : { kind: 'fixed', bytes: bytes(sizePath, upload.size, 64 * 1024) };
  const largest = size.kind === 'fixed' ? size.bytes : size.max;
  if (largest > MAX_UPLOAD_SIZE)
    report(sizePath, `uploads may be at most ${MAX_UPLOAD_SIZE} bytes (64 MiB); this allows ${largest}`);
  const chunkSize = bytes(['actions', 'upload', 'chunk_size'], upload?.chunk_size, 64 * 1024);
  if (chunkSize < 1 || chunkSize > MAX_UPLOAD_CHUNK) {
    report(
      ['actions', 'upload', 'chunk_size'],
      `expected a chunk size from 1 byte to 1MiB (${MAX_UPLOAD_CHUNK}), got ${chunkSize}`,
    );
  }
  return {
    upload: { size, chunkSize },
    joinLeave: {
      rejoinAfterMs: duration(
        ['actions', 'join_leave', 'rejoin_after'],
        raw.actions?.join_leave?.rejoin_after,
        1000,
      ),
    },
    reconnect: {
      downtimeMs: duration(['actions', 'reconnect', 'downtime'], raw.actions?.reconnect?.downtime, 500),
    },
    receipts: {
      // Off unless asked for: the schema bounds both fractions to [0, 1].
      delivered: raw.actions?.receipts?.delivered ?? 0,
      read: raw.actions?.receipts?.read ?? 0,
      readDelayMs: duration(['actions', 'receipts', 'read_delay'], raw.actions?.receipts?.read_delay, 1000),
    },
  };
}

/** `clients.auth`: the secret comes from the file or (better) from the environment variable it names. */
function clientAuth(
  raw: NonNullable<RawScenario['clients']['auth']>,
  report: (path: Path, message: string) => void,
  duration: (path: Path, value: string | undefined, fallback: number) => number,
): ClientAuth {
  if (raw.method === 'username') return { method: 'username' };
  const path = ['clients', 'auth'];
  let secret = raw.secret ?? '';
  if (raw.secret !== undefined && raw.secret_env !== undefined)
    report([...path, 'secret_env'], 'give either secret or secret_env, not both');
  if (raw.secret_env !== undefined) {
    secret = process.env[raw.secret_env] ?? '';
    if (secret === '')
      report([...path, 'secret_env'], `environment variable ${raw.secret_env} is not set or empty`);
  } else if (raw.secret === undefined) {
    report([...path, 'method'], 'method token needs secret or secret_env');
  }
  const ttlMs = duration([...path, 'ttl'], raw.ttl, 3_600_000);
  if (ttlMs < 1000) report([...path, 'ttl'], 'expected a token validity of at least 1s');
  return { method: 'token', secret, ttlMs, audience: raw.audience ?? null, issuer: raw.issuer ?? null };
}
