/**
 * What every check of one suite run shares: the target, the run settings, the parameters learnt from the server
 * (shard count, hot-room parameters), fresh names and room ids, the fixtures several checks evaluate, and the
 * list of every probe opened (the frame-placement check reads all their traffic).
 */
import { randomBytes } from 'node:crypto';
import { ProbeConnection, type ProbeTarget } from './probe-connection.js';

/** Hot-room parameters the checks schedule against (PROTOCOL.md 10, 16.1). */
export interface HotRoomParams {
  readonly promoteRate: number;
  readonly demoteRate: number;
  readonly coolDownMs: number;
  readonly rateWindowMs: number;
  readonly maxHotRooms: number;
  /** Where they came from: the server's HelloAck, the command line, or the spec defaults. */
  readonly source: 'advertised' | 'flags' | 'defaults';
}

/** The spec's default hot-room parameters (PROTOCOL.md 10). */
export const DEFAULT_HOT_ROOM_PARAMS: HotRoomParams = {
  promoteRate: 100,
  demoteRate: 20,
  coolDownMs: 60_000,
  rateWindowMs: 10_000,
  maxHotRooms: 10,
  source: 'defaults',
};

/** What the suite learnt about the server before the checks ran. */
export interface TargetParams {
  /** HelloAck.num_shards of the discovery connection (8 if unknown). */
  readonly numShards: number;
  readonly hot: HotRoomParams;
}

/** Settings of a run. */
export interface RunSettings {
  /** Bound of every single wait, ms. */
  readonly timeoutMs: number;
  /** Quiet period used to assert that nothing (else) arrives, ms. */
  readonly settleMs: number;
  /** ALPN offered by probes. */
  readonly alpn: string;
  /** Seed of the hostile-frame generator. */
  readonly seed: number;
  /** Hostile sequences generated per stream kind. */
  readonly hostileRuns: number;
}

/** Waits at least this long are announced (progress output). */
const LONG_WAIT_MS = 3000;

/** Shared state of one suite run. */
export class SuiteEnvironment {
  /** Every probe opened during the run, in order. */
  readonly probes: ProbeConnection[] = [];
  private readonly fixtures = new Map<string, unknown>();
  private readonly runTag = randomBytes(3).toString('hex');
  private names = 0;
  private nextRoom: number;
  /** Id of the check running now (named in progress notes). */
  currentCheckId = '';
  /** Receives long waits (progress output); none by default. */
  onWait: (checkId: string, what: string, waitMs: number) => void = () => undefined;

  constructor(
    readonly target: ProbeTarget,
    readonly settings: RunSettings,
    readonly params: TargetParams,
  ) {
    // Fresh room ids far from the ids servers hand out themselves (CreateRoom counts up from 2).
    this.nextRoom = 1_000_000 + (randomBytes(4).readUInt32BE(0) % 1_000_000_000) * 8;
  }

  /** A username unique to this run (<= 50 characters). */
  username(label: string): string {
    return `cf${this.runTag}-${label.slice(0, 16)}-${++this.names}`;
  }

  /** A room id no one has used in this run. */
  freshRoomId(): number {
    return this.nextRoom++;
  }

  /** A fresh nonce. */
  nonce(label = 'n'): string {
    return `${label}-${this.runTag}-${++this.names}`;
  }

  /** Opens a probe connection (recorded for the placement check). Throws ProbeConnectError. */
  async openProbe(label: string, alpn = this.settings.alpn): Promise<ProbeConnection> {
    const probe = await ProbeConnection.open(this.target, {
      alpn,
      label,
      defaultNumShards: this.params.numShards,
    });
    this.probes.push(probe);
    return probe;
  }

  /** Announces a wait of `waitMs` for `what`, so a long quiet stretch of the run is explained as it starts. */
  announceWait(what: string, waitMs: number): void {
    if (waitMs >= LONG_WAIT_MS) this.onWait(this.currentCheckId, what, waitMs);
  }

  /** A fixture shared by several checks, created on first use. */
  fixture<T>(key: string, create: () => T): T {
    if (!this.fixtures.has(key)) this.fixtures.set(key, create());
    return this.fixtures.get(key) as T;
  }

  /** Closes every probe still open (end of run). */
  closeAll(): void {
    for (const probe of this.probes) probe.close();
  }
}
