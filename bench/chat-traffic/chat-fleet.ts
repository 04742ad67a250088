/**
 * The chat-traffic bench's client side, run as a child process (bench/chat-traffic/main.ts forks it) so that the
 * server under test has a core of its own. Every client is a ChatMember that acks each RoomMessage with
 * MessageDelivered, as a real chat client does; members of the reference server and of the baseline are two
 * groups on one client endpoint. The load is open-loop: one sender posts single messages at a fixed rate.
 */
import { encodeFrame, type PayloadFor, type U64 } from '../../spec/index.js';
import { QuicEndpoint } from '../../transport/index.js';
import { ChatMember, type MemberListener } from '../fanout/chat-member.js';
import { LOAD_CONTENT } from '../fanout/fleet-protocol.js';
import { serveParent } from '../fanout/serve-parent.js';
import type { ChatFleetCommand, ChatFleetReply, ChatFleetSnapshot, ChatLoadSummary } from './protocol.js';

const CLIENT_OPTIONS = { insecure: true };
/** Members connected at once (one wave) before waiting for General to settle. */
const CONNECT_WAVE = 50;
const SETTLE_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 60_000;

/** This fleet's number (argv), part of its usernames: they must differ between fleets. */
const FLEET_INDEX = process.argv[2] ?? '0';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Load {
  roomId: number;
  members: ChatMember[];
  sender: ChatMember;
  /** Messages per second (0: this fleet only receives). */
  rate: number;
  startedAt: number;
  sent: number;
  deliveries: number;
  acks: number;
  /** Send-to-receive ms of every delivery. */
  latencies: number[];
  timer: NodeJS.Timeout | null;
}

/** Milliseconds on the machine's clock: comparable between the fleet processes. */
const machineNow = (): number => performance.timeOrigin + performance.now();

/** One group of members: the clients of one server. */
class MemberGroup implements MemberListener {
  readonly members: ChatMember[] = [];
  /** The server's large-room threshold from HelloAck (0: none). */
  private threshold = 0;
  private readonly joined = new Map<U64, number>();
  private readonly inits = new Map<U64, number>();

  constructor(private readonly fleet: ChatFleet) {}

  roomMessage(member: ChatMember, message: PayloadFor<'RoomMessage'>): void {
    this.fleet.roomMessage(member, message);
  }

  roomInit(_member: ChatMember, roomId: U64): void {
    this.inits.set(roomId, (this.inits.get(roomId) ?? 0) + 1);
  }

  userJoined(roomId: U64): void {
    this.joined.set(roomId, (this.joined.get(roomId) ?? 0) + 1);
  }

  messageAck(): void {
    this.fleet.messageAck();
  }

  failure(source: string, what: string): void {
    this.fleet.failure(source, what);
  }

  afterData(): void {}

  largeRoomThreshold(threshold: number | null): void {
    this.threshold = threshold ?? 0;
  }

  /**
   * Whether this group's `members` members of `roomId` got RoomInit, and every RoomUserJoined among them that the
   * server announces: the rooms already had `before` members (other fleets'), and a join is announced only while
   * the room stays under the large-room threshold (PROTOCOL.md 16.2).
   */
  settled(roomId: U64, members: number, before: number): boolean {
    const announced =
      this.threshold > 0 ? Math.min(members, Math.max(0, this.threshold - 1 - before)) : members;
    return (
      (this.inits.get(roomId) ?? 0) >= members &&
      (this.joined.get(roomId) ?? 0) >= (announced * (announced - 1)) / 2
    );
  }
}

/** The member groups, the running load and its counters. */
class ChatFleet {
  private readonly groups = new Map<string, MemberGroup>();
  private load: Load | null = null;
  private errors = 0;
  private firstError: string | null = null;

  constructor(private readonly endpoint: QuicEndpoint) {}

  roomMessage(member: ChatMember, message: PayloadFor<'RoomMessage'>): void {
    const load = this.load;
    if (load === null || message.room_id !== load.roomId) return;
    member.loadCount++;
    load.deliveries++;
    // The nonce is "sequence@send time": the send time travels with the message to the other fleets.
    const at = message.nonce === null ? -1 : message.nonce.indexOf('@');
    if (at > 0)
      load.latencies.push(Math.round((machineNow() - Number(message.nonce!.slice(at + 1))) * 100) / 100);
  }

  messageAck(): void {
    if (this.load !== null) this.load.acks++;
  }

  failure(source: string, what: string): void {
    this.errors++;
    this.firstError ??= `${source}: ${what}`;
  }

  async connect(group: string, count: number, before: number, host: string, port: number): Promise<string> {
    const members = this.group(group);
    const target = members.members.length + count;
    while (members.members.length < target) {
      const start = members.members.length;
      const wave = Math.min(CONNECT_WAVE, target - start);
      const connected = await Promise.all(
        Array.from({ length: wave }, async (_, i) => {
          const connection = this.endpoint.connect(host, port, CLIENT_OPTIONS);
          await connection.whenEstablished();
          const username = `chat-${FLEET_INDEX}-${String(start + i).padStart(5, '0')}`;
          const member = new ChatMember(connection, username, members);
          member.acksDeliveries = true;
          return member;
        }),
      );
      members.members.push(...connected);
      const total = members.members.length;
      await this.until(
        () => members.settled(1, total, before),
        `General to settle with ${total} ${group} members`,
      );
    }
    return `${members.members.length} ${group} members in General`;
  }

  async join(group: string, roomId: number, count: number, before: number): Promise<string> {
    const members = this.group(group);
    if (count > members.members.length) throw new Error(`only ${members.members.length} ${group} members`);
    const join = encodeFrame('JoinRoom', { room_id: roomId });
    for (let i = 0; i < count; i++) members.members[i]!.command(join);
    await this.until(
      () => members.settled(roomId, count, before),
      `room ${roomId} to settle with ${count} members`,
    );
    return `${count} ${group} members in room ${roomId}`;
  }

  start(group: string, roomId: number, count: number, rate: number): string {
    if (this.load !== null) throw new Error('a load is already running');
    if (!(rate >= 0)) throw new Error(`rate must be >= 0 msg/s, got ${rate}`);
    const members = this.group(group).members.slice(0, count);
    if (members.length < count) throw new Error(`only ${members.length} ${group} members`);
    for (const member of members) {
      if (!member.rooms.has(roomId)) throw new Error(`${member.username} is not in room ${roomId}`);
      member.loadCount = 0;
    }
    const load: Load = {
      roomId,
      members,
      sender: members[0]!,
      rate,
      startedAt: performance.now(),
      sent: 0,
      deliveries: 0,
      acks: 0,
      latencies: [],
      timer: null,
    };
    this.load = load;
    if (rate > 0) this.post(load);
    return `${rate} msg/s to room ${roomId} (${count} members here)`;
  }

  halt(): number {
    const load = this.load;
    if (load === null) throw new Error('no load running');
    if (load.timer !== null) clearTimeout(load.timer);
    load.timer = null;
    return load.sent;
  }

  async stop(sent: number): Promise<ChatLoadSummary> {
    const load = this.load;
    if (load === null) throw new Error('no load running');
    this.halt();
    const expected = sent * load.members.length;
    let drained = true;
    try {
      await this.until(
        () => load.deliveries >= expected && load.acks >= load.sent,
        'the load to drain',
        DRAIN_TIMEOUT_MS,
      );
    } catch {
      drained = false;
    }
    this.load = null;
    let mismatchedMembers = 0;
    let shortMembers = 0;
    for (const member of load.members) {
      if (member.loadCount > sent || (drained && member.loadCount < sent)) mismatchedMembers++;
      else if (member.loadCount < sent) shortMembers++;
    }
    return {
      deliveries: load.deliveries,
      mismatchedMembers,
      drained,
      shortMembers,
      acks: load.acks,
      latenciesMs: load.latencies,
      errors: this.errors,
      firstError: this.firstError,
    };
  }

  snapshot(): ChatFleetSnapshot {
    const cpu = process.cpuUsage();
    const stats = this.endpoint.stats();
    return {
      atMs: performance.now(),
      deliveries: this.load?.deliveries ?? 0,
      cpuMicros: cpu.user + cpu.system,
      packetsSent: stats.packetsSent,
      packetsReceived: stats.packetsReceived,
    };
  }

  /** Sends the messages due by now (one per 1/rate s since the start), then sleeps until the next is due. */
  private post(load: Load): void {
    const now = performance.now();
    const due = Math.floor(((now - load.startedAt) * load.rate) / 1000) + 1;
    while (load.sent < due) {
      const frame = encodeFrame('SendMessage', {
        room_id: load.roomId,
        content: LOAD_CONTENT,
        nonce: `${load.sent}@${machineNow().toFixed(3)}`,
        reply_to: null,
        attachments: [],
      });
      if (!load.sender.canCommand(frame.length)) break;
      load.sender.command(frame);
      load.sent++;
    }
    const nextAt = load.startedAt + (load.sent * 1000) / load.rate;
    load.timer = setTimeout(() => this.post(load), Math.max(0, nextAt - performance.now()));
  }

  private group(name: string): MemberGroup {
    let group = this.groups.get(name);
    if (group === undefined) this.groups.set(name, (group = new MemberGroup(this)));
    return group;
  }

  private async until(condition: () => boolean, what: string, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (this.errors > 0) throw new Error(`${this.errors} client errors, first: ${this.firstError}`);
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }
}

async function run(
  fleet: ChatFleet,
  command: ChatFleetCommand,
): Promise<Omit<ChatFleetReply & { ok: true }, 'id' | 'ok'>> {
  switch (command.op) {
    case 'connect':
      return {
        info: await fleet.connect(command.group, command.count, command.before, command.host, command.port),
      };
    case 'join':
      return { info: await fleet.join(command.group, command.roomId, command.members, command.before) };
    case 'start':
      return { info: fleet.start(command.group, command.roomId, command.members, command.rate) };
    case 'halt':
      return { sent: fleet.halt() };
    case 'stop':
      return { summary: await fleet.stop(command.sent) };
    case 'snapshot':
      return { snapshot: fleet.snapshot() };
  }
}

const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1' });
const fleet = new ChatFleet(endpoint);
endpoint.onError = (error) => fleet.failure('transport', String(error));
serveParent<ChatFleetCommand>('chat-fleet.ts', (command) => run(fleet, command));
