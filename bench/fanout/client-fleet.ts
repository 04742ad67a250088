/**
 * The fan-out bench's client side, run as a child process (bench/fanout/main.ts forks it) so that the server under
 * test has a core of its own. All garou members, the senders and the baseline's plain receivers share one client
 * endpoint (one UDP socket); every frame they receive is decoded with the spec's FrameDecoder.
 *
 * The load is a closed loop: senders post SendMessage only while fewer than `windowMessages` messages have not yet
 * reached every member, so the bench measures sustainable fan-out capacity with bounded buffering, not how fast
 * the server can pile up backlog.
 */
import { FrameDecoder, encodeFrame, type Frame, type PayloadFor, type U64 } from '../../spec/index.js';
import { QuicEndpoint, type QuicConnection } from '../../transport/index.js';
import { ChatMember, type MemberListener } from './chat-member.js';
import { serveParent } from './serve-parent.js';
import {
  LOAD_CONTENT,
  type FleetCommand,
  type FleetReply,
  type FleetRequest,
  type FleetSnapshot,
  type LoadSummary,
} from './fleet-protocol.js';

const CLIENT_OPTIONS = { insecure: true };
/** Members connected at once (one wave) before waiting for General to settle. */
const CONNECT_WAVE = 50;
const SETTLE_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Load {
  roomId: number;
  /** The first `members` members are in the room. */
  members: number;
  senders: ChatMember[];
  windowMessages: number;
  /** Messages posted at once when topping up (1: per ack). */
  topUp: number;
  sent: number;
  deliveries: number;
  acks: number;
  posting: boolean;
}

/** Receiving clients, senders and counters of one bench run. */
class ClientFleet implements MemberListener {
  readonly members: ChatMember[] = [];
  private readonly raw: QuicConnection[] = [];
  private rawDeliveries = 0;
  private errors = 0;
  private firstError: string | null = null;
  private load: Load | null = null;
  private nextSender = 0;
  private readonly joinedByRoom = new Map<U64, number>();
  private readonly initsByRoom = new Map<U64, number>();
  /** The server's large-room threshold (0: none): joins into a room of that size are silent (PROTOCOL.md 16.2). */
  private threshold = 0;

  constructor(private readonly endpoint: QuicEndpoint) {}

  roomMessage(member: ChatMember, message: PayloadFor<'RoomMessage'>): void {
    const load = this.load;
    if (load !== null && message.room_id === load.roomId) {
      member.loadCount++;
      load.deliveries++;
    }
  }

  roomInit(_member: ChatMember, roomId: U64): void {
    this.initsByRoom.set(roomId, (this.initsByRoom.get(roomId) ?? 0) + 1);
  }

  largeRoomThreshold(threshold: number | null): void {
    this.threshold = threshold ?? 0;
  }

  /** RoomUserJoined frames that n joins of an empty room produce: the k-th join tells k-1 members while small. */
  private announcedJoins(n: number): number {
    const small = this.threshold > 0 ? Math.min(n, this.threshold - 1) : n;
    return (small * (small - 1)) / 2;
  }

  userJoined(roomId: U64): void {
    this.joinedByRoom.set(roomId, (this.joinedByRoom.get(roomId) ?? 0) + 1);
  }

  messageAck(): void {
    if (this.load !== null) this.load.acks++;
  }

  failure(source: string, what: string): void {
    this.errors++;
    this.firstError ??= `${source}: ${what}`;
  }

  afterData(): void {
    if (this.load?.posting) this.post(this.load);
  }

  /**
   * Connects members in waves: every join of General tells every earlier member (RoomUserJoined and a presence
   * datagram), n(n-1)/2 of each for n members, so each wave waits for the previous one's flood to be delivered
   * before starting new handshakes into it.
   */
  async connectMembers(count: number, host: string, port: number): Promise<string> {
    const target = this.members.length + count;
    while (this.members.length < target) {
      const start = this.members.length;
      const wave = Math.min(CONNECT_WAVE, target - start);
      const connected = await Promise.all(
        Array.from({ length: wave }, async (_, i) => {
          const connection = this.endpoint.connect(host, port, CLIENT_OPTIONS);
          await connection.whenEstablished();
          return new ChatMember(connection, `bench-${String(start + i).padStart(5, '0')}`, this);
        }),
      );
      this.members.push(...connected);
      const total = this.members.length;
      await this.until(
        () =>
          (this.initsByRoom.get(1) ?? 0) >= total &&
          (this.joinedByRoom.get(1) ?? 0) >= this.announcedJoins(total),
        `General to settle with ${total} members`,
      );
    }
    return `${this.members.length} members in General`;
  }

  async connectRaw(count: number, host: string, port: number): Promise<string> {
    const connections = Array.from({ length: count }, () => {
      const connection = this.endpoint.connect(host, port, CLIENT_OPTIONS);
      // One decoder per stream: each baseline run opens a new stream, and a stopped run leaves a partial frame.
      const decoders = new Map<number, FrameDecoder>();
      connection.onData = (streamId, data) => {
        let decoder = decoders.get(streamId);
        if (decoder === undefined) decoders.set(streamId, (decoder = new FrameDecoder()));
        decoder.push(data);
        for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) this.countRaw(frame);
      };
      return connection;
    });
    await Promise.all(connections.map((c) => c.whenEstablished()));
    this.raw.push(...connections);
    return `${this.raw.length} baseline connections`;
  }

  async joinRoom(roomId: number, members: number): Promise<string> {
    if (members > this.members.length) throw new Error(`only ${this.members.length} members connected`);
    const join = encodeFrame('JoinRoom', { room_id: roomId });
    for (let i = 0; i < members; i++) this.members[i]!.command(join);
    await this.until(
      () =>
        (this.initsByRoom.get(roomId) ?? 0) >= members &&
        (this.joinedByRoom.get(roomId) ?? 0) >= this.announcedJoins(members),
      `room ${roomId} to settle with ${members} members`,
    );
    return `${members} members in room ${roomId}`;
  }

  startLoad(roomId: number, members: number, senders: number, windowMessages: number): string {
    if (this.load !== null) throw new Error('a load is already running');
    for (let i = 0; i < members; i++) {
      const member = this.members[i]!;
      if (!member.rooms.has(roomId)) throw new Error(`${member.username} is not in room ${roomId}`);
      member.loadCount = 0;
    }
    this.load = {
      roomId,
      members,
      senders: this.members.slice(0, senders),
      windowMessages,
      topUp: 1,
      sent: 0,
      deliveries: 0,
      acks: 0,
      posting: true,
    };
    this.post(this.load);
    return `load on room ${roomId}`;
  }

  setTopUp(messages: number): string {
    if (this.load === null) throw new Error('no load running');
    if (!Number.isInteger(messages) || messages < 1 || messages > this.load.windowMessages)
      throw new Error(`top-up must be 1-${this.load.windowMessages} messages, got ${messages}`);
    this.load.topUp = messages;
    return `top-up ${messages}`;
  }

  async stopLoad(): Promise<LoadSummary> {
    const load = this.load;
    if (load === null) throw new Error('no load running');
    load.posting = false;
    let drained = true;
    try {
      await this.until(
        () => load.deliveries >= load.sent * load.members && load.acks >= load.sent,
        'the load to drain',
        DRAIN_TIMEOUT_MS,
      );
    } catch (error) {
      if (this.errors > 0) throw error;
      drained = false;
    }
    // Frames still on their way after this are not counted: the next load uses another room.
    this.load = null;
    let shortMembers = 0;
    let mismatchedMembers = 0;
    for (let i = 0; i < load.members; i++) {
      const count = this.members[i]!.loadCount;
      if (count > load.sent || (drained && count < load.sent)) mismatchedMembers++;
      else if (count < load.sent) shortMembers++;
    }
    return {
      sent: load.sent,
      deliveries: load.deliveries,
      drained,
      shortMembers,
      mismatchedMembers,
      acks: load.acks,
      errors: this.errors,
    };
  }

  async waitQuiet(quietMs: number): Promise<string> {
    let last = -1;
    while (last !== this.rawDeliveries) {
      last = this.rawDeliveries;
      await sleep(quietMs);
    }
    return `baseline quiet at ${this.rawDeliveries} frames`;
  }

  snapshot(): FleetSnapshot {
    const cpu = process.cpuUsage();
    return {
      atMs: performance.now(),
      roomDeliveries: this.load?.deliveries ?? 0,
      rawDeliveries: this.rawDeliveries,
      sent: this.load?.sent ?? 0,
      cpuMicros: cpu.user + cpu.system,
      packetsSent: this.endpoint.stats().packetsSent,
    };
  }

  /** The first error any client saw, for the parent's report. */
  describeErrors(): string | undefined {
    return this.firstError === null ? undefined : `${this.errors} client errors, first: ${this.firstError}`;
  }

  /**
   * Tops up the window: one encoded SendMessage per message, round-robin over the senders, once at least `topUp`
   * messages fit. A sender whose command stream is full waits for its drain (which calls afterData again).
   */
  private post(load: Load): void {
    const outstanding = load.sent * load.members - load.deliveries;
    if (load.topUp > 1 && outstanding > (load.windowMessages - load.topUp) * load.members) return;
    while (load.sent * load.members - load.deliveries < load.windowMessages * load.members) {
      const sender = load.senders[this.nextSender % load.senders.length]!;
      const frame = encodeFrame('SendMessage', {
        room_id: load.roomId,
        content: LOAD_CONTENT,
        nonce: `m${load.sent}`,
        reply_to: null,
        attachments: [],
      });
      if (!sender.canCommand(frame.length)) return;
      sender.command(frame);
      this.nextSender++;
      load.sent++;
    }
  }

  private countRaw(frame: Frame): void {
    if (frame.name === 'RoomMessage') this.rawDeliveries++;
  }

  private async until(condition: () => boolean, what: string, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (this.errors > 0) throw new Error(this.describeErrors());
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }
}

async function run(
  fleet: ClientFleet,
  command: FleetCommand,
): Promise<Omit<FleetReply & { ok: true }, 'id' | 'ok'>> {
  switch (command.op) {
    case 'connect-members':
      return { info: await fleet.connectMembers(command.count, command.host, command.port) };
    case 'connect-raw':
      return { info: await fleet.connectRaw(command.count, command.host, command.port) };
    case 'join-room':
      return { info: await fleet.joinRoom(command.roomId, command.members) };
    case 'start-load':
      return {
        info: fleet.startLoad(command.roomId, command.members, command.senders, command.windowMessages),
      };
    case 'set-top-up':
      return { info: fleet.setTopUp(command.messages) };
    case 'stop-load':
      return { summary: await fleet.stopLoad() };
    case 'wait-quiet':
      return { info: await fleet.waitQuiet(command.quietMs) };
    case 'snapshot':
      return { snapshot: fleet.snapshot() };
  }
}

const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1' });
const fleet = new ClientFleet(endpoint);
// A throwing callback is a bench bug: report it instead of crashing mid-measurement.
endpoint.onError = (error) => fleet.failure('transport', String(error));
serveParent<FleetRequest>('client-fleet.ts', (command) => run(fleet, command));
