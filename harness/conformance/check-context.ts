/**
 * The toolbox a check runs with: fresh connections (closed when the check ends), logins, rooms, messages, the
 * run's timeouts and the server's parameters, and warnings (SHOULD-level findings that never fail a check).
 */
import { compareU64, type PayloadOf, type U64 } from '../../spec/index.js';
import { CheckFailed } from './check-verdict.js';
import { ProbeConnectError, type ProbeConnection } from './probe-connection.js';
import type { HotRoomParams, SuiteEnvironment } from './suite-environment.js';

/** A message a check sent and the server acknowledged. */
export interface SentMessage {
  readonly nonce: string;
  readonly roomId: U64;
  readonly ack: PayloadOf<'MessageAck'>;
}

/** What a context knows of the check it serves (a ConformanceCheck, check.ts). */
export interface CheckIdentity {
  readonly id: string;
  readonly title: string;
  readonly rules: readonly string[];
}

/** Per-check context. */
export class CheckContext {
  /** SHOULD-level findings; reported, never a failure. */
  readonly warnings: string[] = [];
  private readonly opened: ProbeConnection[] = [];
  private disposed = false;

  constructor(
    readonly env: SuiteEnvironment,
    readonly check: CheckIdentity,
  ) {}

  /** Bound of every single wait, ms. */
  get timeoutMs(): number {
    return this.env.settings.timeoutMs;
  }

  /** Quiet period for "nothing (else) arrives", ms. */
  get settleMs(): number {
    return this.env.settings.settleMs;
  }

  /** Hot-room parameters in force. */
  get hot(): HotRoomParams {
    return this.env.params.hot;
  }

  /** Records a warning. */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Opens a fresh connection (QUIC handshake done, nothing sent); closed when the check ends. */
  async connect(label: string, alpn?: string): Promise<ProbeConnection> {
    if (this.disposed) throw new CheckFailed('the check to finish in time', 'the check was abandoned');
    let probe: ProbeConnection;
    try {
      probe = await this.env.openProbe(label, alpn);
    } catch (error) {
      if (error instanceof ProbeConnectError)
        throw new CheckFailed(`a QUIC connection to ${this.env.target.label}`, error.message);
      throw error;
    }
    this.opened.push(probe);
    if (this.disposed) probe.close();
    return probe;
  }

  /** A fresh connection, authenticated with a fresh username (AuthOk received). */
  async login(label: string): Promise<ProbeConnection> {
    const probe = await this.connect(label);
    await probe.login(this.env.username(label), this.timeoutMs);
    return probe;
  }

  /** A room id no one has used in this run. */
  freshRoomId(): number {
    return this.env.freshRoomId();
  }

  /** A fresh nonce. */
  nonce(label?: string): string {
    return this.env.nonce(label);
  }

  /** Sends JoinRoom and waits for the room's RoomInit on any stream. */
  join(probe: ProbeConnection, roomId: U64): Promise<PayloadOf<'RoomInit'>> {
    return probe.joinRoom(roomId, this.timeoutMs);
  }

  /**
   * The prologue of most room checks: a fresh login per label (in order), then a fresh group room created by the
   * first and joined by the others in order. Returns the room id, then the probes in the order of their labels:
   * `const [roomId, owner, member] = await ctx.loginToRoom('owner', 'member')`.
   */
  async loginToRoom<const Labels extends readonly [string, ...string[]]>(
    ...labels: Labels
  ): Promise<[roomId: number, ...probes: { [K in keyof Labels]: ProbeConnection }]> {
    const probes: ProbeConnection[] = [];
    for (const label of labels) probes.push(await this.login(label));
    const [owner, ...members] = probes as [ProbeConnection, ...ProbeConnection[]];
    const roomId = await this.groupRoom(owner, ...members);
    return [roomId, ...(probes as { [K in keyof Labels]: ProbeConnection })];
  }

  /** A fresh group room created by `owner` (JoinRoom of an unknown id) and joined by `members`. */
  async groupRoom(owner: ProbeConnection, ...members: ProbeConnection[]): Promise<number> {
    const roomId = this.freshRoomId();
    await this.join(owner, roomId);
    for (const member of members) await this.join(member, roomId);
    return roomId;
  }

  /** Sends a message on the probe's chat stream and waits for its MessageAck. */
  async sendMessage(probe: ProbeConnection, roomId: U64, content = 'hello'): Promise<SentMessage> {
    const nonce = this.nonce('m');
    const after = probe.mark;
    probe.command('SendMessage', { room_id: roomId, content, nonce, reply_to: null, attachments: [] });
    // The first MessageAck after the send is ours (one message in flight); a wrong nonce echo is reported by
    // 8/message-ack/nonce, not by every check that sends a message.
    const { payload } = await probe.expectFrame('control', 'MessageAck', {
      timeoutMs: this.timeoutMs,
      after,
      what: `MessageAck after SendMessage (nonce "${nonce}") to room ${roomId}`,
    });
    return { nonce, roomId, ack: payload };
  }

  /** Waits until `probe` received the RoomMessage with `messageId` of `roomId` (any stream). */
  async expectRoomMessage(
    probe: ProbeConnection,
    roomId: U64,
    messageId: U64,
  ): Promise<PayloadOf<'RoomMessage'>> {
    const { payload } = await probe.expectFrame('any', 'RoomMessage', {
      timeoutMs: this.timeoutMs,
      what: `${probe.label} to receive RoomMessage ${messageId} of room ${roomId}`,
      match: (p) => compareU64(p.message_id, messageId) === 0 && compareU64(p.room_id, roomId) === 0,
    });
    return payload;
  }

  /** Waits `ms`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Closes every connection the check opened. Idempotent. */
  dispose(): void {
    this.disposed = true;
    for (const probe of this.opened) probe.close();
  }
}
