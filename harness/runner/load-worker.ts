/**
 * One load worker: the simulated clients it owns (see segment.ts: i % workerCount == workerIndex for a whole run) on one
 * shared QUIC endpoint, the open-model operations of those clients, and the worker's recording.
 *
 * Lifecycle, driven by the coordinator (worker-protocol.ts): setup -> connect (clients connect at the
 * scenario's connect rate, authenticate and join their planned rooms; `ready` when all did or failed) ->
 * start (phase windows known: recorder attached, traffic runs) -> drain (flush relayed acks) -> finish
 * (correctness finalized, result sent) -> stop (connections closed).
 *
 * Membership as the delivery tracker sees it follows what the client can know: a join is uncertain from
 * JoinRoom sent until RoomInit, a leave from LeaveRoom sent until RoomClose; a deliberate disconnect
 * (reconnect action, storm) first makes the memberships uncertain, waits until what the client is owed has
 * arrived, then closes. General (room 1), joined by the server after AuthOk, is left at once unless the
 * scenario plans it: membership follows the scenario's plan. A connection that drops without the harness asking
 * ends the memberships when it was last known good, and (clients.reconnect_on_drop) reconnects after a seeded
 * backoff and rejoins the planned rooms, as a deliberate reconnect does.
 */
import { epochNowMs } from '../metrics/clock.js';
import type { AckedMessage } from '../metrics/delivery-tracker.js';
import { RunRecorder } from '../metrics/run-recorder.js';
import { encodeSendStamp } from '../metrics/send-stamp.js';
import type { PhaseWindow } from '../metrics/worker-result.js';
import { buildRoomPlan, type RoomPlan } from '../scenario/membership.js';
import { parseScenario } from '../scenario/load.js';
import { hashUnit } from '../scenario/rng.js';
import type { ReceiptOptions, Scenario } from '../scenario/types.js';
import { formatUsername } from '../scenario/username.js';
import type {
  ErrorPayload,
  Frame,
  HelloAck,
  MessageAck,
  RoomClose,
  RoomInit,
  PeekedRoomMessage,
  Throttle,
} from '../../spec/index.js';
import { u64ToNumber } from '../../spec/index.js';
import type { ClientOptions, CloseInfo } from '../../transport/index.js';
import type { ClientEvents } from '../client/client-events.js';
import type { ConnectFailure } from '../client/connect-failure.js';
import { ConnectFailureLog } from '../metrics/connect-failure-log.js';
import { HoldTimer } from '../client/hold-timer.js';
import { SimClient, type ClientContext } from '../client/sim-client.js';
import { createUploadJob, uploadContent, type UploadJob } from '../client/upload-job.js';
import { ClientSockets } from './client-sockets.js';
import { recordRoomMessage } from './delivery-recording.js';
import { collectReadiness } from './readiness.js';
import { segmentOwnsClient, workerOwnsClient } from './segment.js';
import { PendingRecorder } from './pending-recorder.js';
import { applyScenarioOverrides } from './scenario-overrides.js';
import { TimerQueue } from './timer-queue.js';
import {
  dropReconnectWaitMs,
  plannedStorms,
  receiptSeed,
  TrafficPlan,
  type PlannedOperation,
} from './traffic-plan.js';
import type { CoordinatorPort, WorkerEndpoint } from './worker-link.js';
import type { CoordinatorMessage, WorkerSetup } from './worker-protocol.js';

/** General (room 1) is joined by the server right after AuthOk (PROTOCOL.md 6.4/auto-join). */
const AUTO_JOINED_ROOM = 1;
/** Own messages remembered per client for edits and deletes. */
const OWN_MESSAGES_KEPT = 16;
/**
 * An own message is edited or deleted only while fewer than this many messages followed it in its room:
 * the server keeps 50 (PROTOCOL.md 15/limits, room history), and a few more may be in flight.
 */
const HISTORY_MARGIN = 40;
/** Attachments carried by one message at most. */
const MAX_ATTACHMENTS_PER_MESSAGE = 4;
const HOUSEKEEPING_MS = 1000;
/**
 * A deliberate disconnect waits at least this long, and until what the client is owed has arrived (or the
 * grace period passed): acks relayed from other workers take a few milliseconds to register.
 */
const DEPART_MIN_MS = 100;
const DEPART_POLL_MS = 25;
/** How soon a reconnect is retried while the client still waits for the server to close after its Goodbye. */
const RECONNECT_RETRY_MS = 10;
const ACK_RELAY_MS = 20;
const MAX_NOTES = 20;
/**
 * Promotions and demotions are recorded this long after they are seen: the reaction-time reference needs
 * the acks of the messages that triggered them, which arrive after RoomPromoted (and from other workers
 * after a relay). The observed time is kept as it was.
 */
const ROOM_EVENT_DELAY_MS = 500;
const EMOJIS = ['👍', '🎉', '😂', '❤️', '🔥', '👀'];

const CONTENT_UNIT = 'garou-bench load message. The quick brown fox jumps over the lazy dog 0123456789. ';
let contentCache = CONTENT_UNIT;

/** Message text of exactly `size` ASCII characters (one shared string, sliced). */
function messageContent(size: number): string {
  while (contentCache.length < size) contentCache += contentCache;
  return contentCache.slice(0, size);
}

/** The scenario's receipts with the seed of their draws (see LoadWorker.sendReceipts). */
interface ReceiptDraws extends ReceiptOptions {
  seed: number;
}

/** A send waiting for its MessageAck. */
interface PendingSend {
  slot: ClientSlot;
  nonce: string;
  roomId: number;
  scheduledAtMs: number;
  sentAtMs: number;
}

/** What the worker keeps about one of its clients beside the protocol client itself. */
class ClientSlot {
  /** Planned rooms still waiting for their RoomInit during the initial connect. */
  joinsPending: Set<number> | null = null;
  /** When the initial connect's JoinRooms were sent (epoch ms; for the readiness diagnostics). */
  joinsSentAtMs = 0;
  /** Connected and joined (or given up) during the initial connect. */
  settled = false;
  seq = 0;
  /** Own acked messages as [roomId, messageId, room message count at the ack] triples, oldest first. */
  readonly own: number[] = [];
  /** Completed uploads to attach to the next message. */
  attachments: number[] | null = null;
  /** Own sends waiting for their MessageAck. */
  awaitingAcks = 0;
  /** A deliberate disconnect is under way: the client performs no operations. */
  departing = false;
  /** Reconnect attempts since the connection dropped (0: not reconnecting after a drop). */
  dropAttempts = 0;
  /** Reconnect attempts after drops ever made: each draws its backoff jitter from the seed with this number. */
  dropAttemptSerial = 0;

  constructor(
    readonly client: SimClient,
    readonly plannedRooms: readonly number[],
  ) {}

  remember(roomId: number, messageId: number): void {
    this.own.push(roomId, messageId, this.client.messageCountIn(roomId));
    if (this.own.length > 3 * OWN_MESSAGES_KEPT) this.own.splice(0, 3);
  }

  /**
   * Latest own message in a room that is still in the room's history (edits, deletes and reactions only
   * apply there: PROTOCOL.md 8/message-scope), removed from the list when `take`; 0 if none.
   */
  ownMessageIn(roomId: number, take: boolean): number {
    const count = this.client.messageCountIn(roomId);
    for (let i = this.own.length - 3; i >= 0; i -= 3) {
      if (this.own[i] !== roomId) continue;
      if (count - (this.own[i + 2] as number) >= HISTORY_MARGIN) return 0;
      const id = this.own[i + 1] as number;
      if (take) this.own.splice(i, 3);
      return id;
    }
    return 0;
  }
}

/** The worker runtime (in a child process, or in the coordinator's process for one worker). */
export class LoadWorker implements ClientEvents, WorkerEndpoint {
  private setup: WorkerSetup | null = null;
  private scenario: Scenario | null = null;
  private plan: RoomPlan | null = null;
  private sockets: ClientSockets | null = null;
  private holdTimer: HoldTimer | null = null;
  private readonly connectFailures = new ConnectFailureLog();
  private readonly slots: (ClientSlot | undefined)[] = [];
  private owned: number[] = [];
  private readonly rec = new PendingRecorder();
  private readonly timers = new TimerQueue();
  private connectStartMs = 0;
  private rampCursor = 0;
  private rampTimer: NodeJS.Timeout | null = null;
  private traffic: TrafficPlan | null = null;
  private trafficTimer: NodeJS.Timeout | null = null;
  private trafficImmediate: NodeJS.Immediate | null = null;
  private housekeeping: NodeJS.Timeout | null = null;
  private ackRelay: NodeJS.Timeout | null = null;
  private readonly pendingSends = new Map<string, PendingSend>();
  private sendOrder: PendingSend[] = [];
  private sendOrderHead = 0;
  private outgoingAcks: AckedMessage[] = [];
  private connected = 0;
  private settled = 0;
  private failedInitially = 0;
  private readyReported = false;
  private readonly failureNotes: string[] = [];
  private roomEvents: { type: 'promoted' | 'demoted'; roomId: number; atMs: number }[] = [];
  private readonly notes: string[] = [];
  private stopping = false;
  /** Receipts to send, or null when the scenario sends none (then a delivery costs one branch more). */
  private receipts: ReceiptDraws | null = null;

  constructor(private readonly port: CoordinatorPort) {}

  /** Dispatches a coordinator message; any unexpected failure is reported as `fatal`. */
  handle(message: CoordinatorMessage): void {
    try {
      switch (message.type) {
        case 'setup':
          void this.onSetup(message.setup).catch((error: unknown) => this.fatal(error));
          return;
        case 'connect':
          this.onConnect(message.connectStartMs);
          return;
        case 'start':
          this.onStart(message.phases);
          return;
        case 'acks':
          for (const ack of message.acks) this.rec.registerAck(ack);
          return;
        case 'drain':
          this.onDrain();
          return;
        case 'finish':
          this.onFinish();
          return;
        case 'stop':
          void this.onStop().catch((error: unknown) => this.fatal(error));
          return;
        case 'readiness':
          this.port.send({
            type: 'readiness',
            groups: collectReadiness(this.unsettledSlots(), epochNowMs()),
          });
          return;
      }
    } catch (error) {
      this.fatal(error);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  private async onSetup(setup: WorkerSetup): Promise<void> {
    this.setup = setup;
    const scenario = applyScenarioOverrides(
      parseScenario(setup.scenarioText, setup.scenarioFile),
      setup.overrides,
    );
    this.scenario = scenario;
    this.plan = buildRoomPlan(scenario);
    const receipts = scenario.actions.receipts;
    if (receipts.delivered > 0 || receipts.read > 0) {
      this.receipts = { ...receipts, seed: receiptSeed(scenario.seed) };
    }
    const host = setup.host.includes(':')
      ? isLoopback(setup.host)
        ? '::1'
        : '::'
      : isLoopback(setup.host)
        ? '127.0.0.1'
        : '0.0.0.0';
    const owned: number[] = [];
    for (let i = 0; i < scenario.clients.count; i++) {
      if (workerOwnsClient(setup.segment, setup.workerIndex, setup.workerCount, i)) owned.push(i);
    }
    const sockets = await ClientSockets.bind(host, owned.length);
    this.sockets = sockets;
    for (const endpoint of sockets.endpoints) endpoint.onError = (error) => this.fatal(error);
    const tls: ClientOptions = {
      insecure: setup.tls.insecure,
      handshakeTimeoutMs: setup.connectTimeoutMs,
      // The server grants what the protocol needs; we grant it shard + hot streams and then some.
      maxStreamsUni: 100,
      maxStreamsBidi: 0,
    };
    if (setup.tls.caPem !== undefined) tls.ca = setup.tls.caPem;
    if (setup.tls.serverName !== undefined) tls.serverName = setup.tls.serverName;
    const holdTimer = new HoldTimer();
    this.holdTimer = holdTimer;
    // One context per socket: the clients of a socket share it (ClientSockets.socketOf spreads them).
    const contexts: ClientContext[] = sockets.endpoints.map((endpoint) => ({
      endpoint,
      events: this,
      tls,
      holdTimer,
      switchHoldMs: setup.switchHoldMs,
    }));
    this.owned = owned;
    for (const [position, i] of owned.entries()) {
      const context = contexts[sockets.socketOf(position)] as ClientContext;
      const client = new SimClient(i, formatUsername(scenario.clients.usernamePattern, i), context);
      this.slots[i] = new ClientSlot(client, this.plan.roomsOfClient[i] ?? []);
    }
    this.port.send({ type: 'loaded' });
  }

  private onConnect(connectStartMs: number): void {
    this.connectStartMs = connectStartMs;
    this.housekeeping = setInterval(this.houseKeep, HOUSEKEEPING_MS);
    this.rampConnect();
    this.checkReady();
  }

  private onStart(phases: PhaseWindow[]): void {
    const scenario = this.scenario as Scenario;
    const setup = this.setup as WorkerSetup;
    const recorder = new RunRecorder({
      startMs: this.connectStartMs,
      phases,
      graceMs: scenario.correctness.graceMs,
      hotRooms: setup.hotRooms,
      segmentLedger: setup.segment.count > 1,
      segmentCount: setup.segment.count,
    });
    this.rec.attach(recorder);
    this.traffic = new TrafficPlan(scenario, this.plan as RoomPlan, phases);
    for (const storm of plannedStorms(scenario, phases)) {
      const slot = this.slots[storm.client];
      if (slot === undefined) continue;
      this.timers.at(storm.disconnectAtMs, () => this.stormDisconnect(slot, storm.reconnectAtMs));
    }
    if (setup.workerCount > 1) this.ackRelay = setInterval(this.relayAcks, ACK_RELAY_MS);
    this.pumpTraffic();
  }

  private onDrain(): void {
    this.stopTraffic();
    this.relayAcks();
    this.port.send({ type: 'drained' });
  }

  private onFinish(): void {
    const recorder = this.rec.attached;
    if (recorder === null) throw new Error('finish before start');
    const now = epochNowMs();
    this.flushRoomEvents(Infinity);
    // Every send still unacknowledged had its full grace period: it failed.
    for (const pending of this.pendingSends.values()) {
      recorder.recordError('ack_timeout', now);
      this.note(
        `${pending.slot.client.username}: no MessageAck by the end of the run (connection ${pending.slot.client.state})`,
      );
    }
    this.pendingSends.clear();
    recorder.delivery.finish();
    const result = recorder.snapshot();
    result.connectFailures = this.connectFailures.snapshot();
    if (this.sockets !== null) result.clientSockets = this.sockets.report();
    this.port.send({ type: 'result', result, notes: this.notes.splice(0) });
  }

  private async onStop(): Promise<void> {
    this.stopping = true;
    this.stopTraffic();
    this.timers.stop();
    if (this.housekeeping !== null) clearInterval(this.housekeeping);
    if (this.rampTimer !== null) clearTimeout(this.rampTimer);
    this.holdTimer?.stop();
    for (const index of this.owned) this.slots[index]?.client.disconnect('run finished');
    await this.sockets?.close({ errorCode: 0, reason: 'run finished', timeoutMs: 1000 });
    this.port.send({ type: 'stopped' });
  }

  private stopTraffic(): void {
    this.traffic = null;
    if (this.trafficTimer !== null) clearTimeout(this.trafficTimer);
    if (this.trafficImmediate !== null) clearImmediate(this.trafficImmediate);
    this.trafficTimer = null;
    this.trafficImmediate = null;
    if (this.ackRelay !== null) clearInterval(this.ackRelay);
    this.ackRelay = null;
  }

  private fatal(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.port.send({ type: 'fatal', message });
  }

  // ---------------------------------------------------------------------------------------------
  // Connecting

  /** Connects every owned client whose slot in the ramp has come: client i at start + i / connect_rate. */
  private rampConnect = (): void => {
    this.rampTimer = null;
    if (this.stopping) return;
    const scenario = this.scenario as Scenario;
    const setup = this.setup as WorkerSetup;
    const gapMs = 1000 / scenario.clients.connectRate;
    const now = epochNowMs();
    while (this.rampCursor < this.owned.length) {
      const index = this.owned[this.rampCursor] as number;
      const at = this.connectStartMs + index * gapMs;
      if (at > now) {
        this.rampTimer = setTimeout(this.rampConnect, Math.ceil(at - now));
        return;
      }
      this.rampCursor++;
      (this.slots[index] as ClientSlot).client.connect(setup.host, setup.port);
    }
  };

  private reconnect(slot: ClientSlot): void {
    const client = slot.client;
    if (this.stopping) return;
    if (client.state === 'closing') {
      // Goodbye written, the server's close not in yet (SimClient.disconnect): try again shortly.
      setTimeout(() => this.reconnect(slot), RECONNECT_RETRY_MS);
      return;
    }
    if (client.state !== 'closed' && client.state !== 'idle') return;
    const setup = this.setup as WorkerSetup;
    client.connect(setup.host, setup.port);
  }

  /**
   * After a drop: reconnect (clients.reconnect_on_drop) once a backoff has passed, or give the client up. A client
   * that was departing anyway is reconnected by `depart`. The membership already ended when the connection was
   * last known good (`disconnected`), and the reconnect rejoins the planned rooms (`authenticated`).
   */
  private afterDrop(slot: ClientSlot): void {
    if (slot.departing) return;
    if ((this.scenario as Scenario).clients.dropReconnect.enabled) this.scheduleDropReconnect(slot);
    else if (!slot.settled) this.settle(slot, true);
  }

  /** The next reconnect attempt after a drop: backoff doubled per failed attempt up to the cap, seeded jitter. */
  private scheduleDropReconnect(slot: ClientSlot): void {
    const scenario = this.scenario as Scenario;
    const waitMs = dropReconnectWaitMs(
      scenario,
      slot.client.index,
      slot.dropAttempts++,
      slot.dropAttemptSerial++,
    );
    this.timers.at(epochNowMs() + waitMs, () => this.reconnect(slot));
  }

  private stormDisconnect(slot: ClientSlot, reconnectAtMs: number): void {
    if (!slot.client.ready || slot.departing) return;
    this.rec.count('reconnects', epochNowMs());
    this.depart(slot, 'reconnect storm', reconnectAtMs);
  }

  /**
   * A deliberate disconnect (reconnect action, storm). The membership becomes uncertain now (messages acked
   * from here on are optional for this client); the connection stays open, performing nothing, until every
   * expected delivery and its own acks have arrived (or the grace period passed), so the harness never counts
   * as lost what it cut off itself. Then Goodbye and close; reconnect at `reconnectAtMs` (or right away if
   * that has passed).
   */
  private depart(slot: ClientSlot, reason: string, reconnectAtMs: number): void {
    const client = slot.client;
    const decidedAt = epochNowMs();
    slot.departing = true;
    for (const roomId of client.memberRooms()) this.rec.leaving(client.index, roomId, decidedAt);
    const maxWait = (this.scenario as Scenario).correctness.graceMs;
    const check = (): void => {
      if (this.stopping) return;
      const waited = epochNowMs() - decidedAt;
      const owed = slot.awaitingAcks + this.rec.outstandingFor(client.index);
      if (client.ready && (waited < DEPART_MIN_MS || owed > 0) && waited < maxWait) {
        setTimeout(check, DEPART_POLL_MS);
        return;
      }
      slot.departing = false;
      client.disconnect(reason);
      this.timers.at(Math.max(reconnectAtMs, epochNowMs()), () => this.reconnect(slot));
    };
    setTimeout(check, DEPART_POLL_MS);
  }

  private settle(slot: ClientSlot, failed: boolean): void {
    if (slot.settled) return;
    slot.settled = true;
    slot.joinsPending = null;
    this.settled++;
    if (failed) this.failedInitially++;
    this.checkReady();
  }

  /** The owned clients that have neither connected and joined nor given up yet. */
  private *unsettledSlots(): Generator<ClientSlot> {
    for (const index of this.owned) {
      const slot = this.slots[index] as ClientSlot;
      if (!slot.settled) yield slot;
    }
  }

  private checkReady(): void {
    if (this.readyReported || this.settled < this.owned.length || this.connectStartMs === 0) return;
    this.readyReported = true;
    this.port.send({
      type: 'ready',
      connected: this.owned.length - this.failedInitially,
      failed: this.failedInitially,
      failures: this.failureNotes.slice(),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Traffic

  private readonly pumpTraffic = (): void => {
    this.trafficTimer = null;
    this.trafficImmediate = null;
    const traffic = this.traffic;
    if (traffic === null) return;
    const setup = this.setup as WorkerSetup;
    const now = epochNowMs();
    for (;;) {
      const at = traffic.peekTime();
      if (at === undefined) {
        this.traffic = null;
        return;
      }
      if (at > now) {
        this.armTraffic(at - now);
        return;
      }
      const op = traffic.next() as PlannedOperation;
      if (workerOwnsClient(setup.segment, setup.workerIndex, setup.workerCount, op.sender)) this.perform(op);
    }
  };

  /**
   * Wakes up for the next operation: a timer to about 1 ms before it (timers are late by up to a
   * millisecond), then immediates, so operations start within a fraction of a millisecond of their time.
   */
  private armTraffic(delayMs: number): void {
    if (delayMs > 2) {
      this.trafficTimer = setTimeout(this.pumpTraffic, Math.floor(delayMs) - 1);
    } else {
      this.trafficImmediate = setImmediate(this.pumpTraffic);
    }
  }

  private perform(op: PlannedOperation): void {
    const recorder = this.rec.attached as RunRecorder;
    const now = epochNowMs();
    recorder.recordScheduled(op.atMs, now);
    const slot = this.slots[op.sender];
    let done = false;
    if (slot !== undefined && slot.client.ready && !slot.departing) {
      switch (op.action) {
        case 'send':
          done = this.send(slot, op, now);
          break;
        case 'edit':
          done = this.edit(slot, op, now);
          break;
        case 'delete':
          done = this.remove(slot, op, now);
          break;
        case 'react':
          done = this.react(slot, op, now);
          break;
        case 'typing':
          done = slot.client.isMember(op.roomId) && slot.client.sendTyping(op.roomId);
          if (done) recorder.count('typing_sent', now);
          break;
        case 'join_leave':
          done = this.leaveAndRejoin(slot, op, now);
          break;
        case 'upload':
          done = this.upload(slot, op);
          break;
        case 'reconnect':
          done = this.reconnectCycle(slot, now);
          break;
      }
    }
    if (!done) recorder.count('skipped', now);
  }

  private send(slot: ClientSlot, op: PlannedOperation, now: number): boolean {
    const client = slot.client;
    if (!client.isMember(op.roomId)) return false;
    const nonce = encodeSendStamp({ client: client.index, seq: ++slot.seq, scheduledAtMs: op.atMs });
    let attachments: number[] | undefined;
    if (slot.attachments !== null) {
      attachments = slot.attachments.splice(0, MAX_ATTACHMENTS_PER_MESSAGE);
      if (slot.attachments.length === 0) slot.attachments = null;
    }
    if (!client.sendMessage(op.roomId, messageContent(op.size), nonce, attachments)) return false;
    const pending: PendingSend = { slot, nonce, roomId: op.roomId, scheduledAtMs: op.atMs, sentAtMs: now };
    this.pendingSends.set(nonce, pending);
    slot.awaitingAcks++;
    this.sendOrder.push(pending);
    this.rec.count('sent', now);
    return true;
  }

  private edit(slot: ClientSlot, op: PlannedOperation, now: number): boolean {
    const id = slot.ownMessageIn(op.roomId, false);
    if (id === 0 || !slot.client.editMessage(id, messageContent(Math.max(1, op.size)))) return false;
    this.rec.count('edits', now);
    return true;
  }

  private remove(slot: ClientSlot, op: PlannedOperation, now: number): boolean {
    const id = slot.ownMessageIn(op.roomId, true);
    if (id === 0 || !slot.client.deleteMessage(id)) return false;
    this.rec.count('deletes', now);
    return true;
  }

  private react(slot: ClientSlot, op: PlannedOperation, now: number): boolean {
    const id = slot.client.lastMessageIdIn(op.roomId);
    if (id === 0 || !slot.client.isMember(op.roomId)) return false;
    if (!slot.client.addReaction(id, EMOJIS[op.size % EMOJIS.length] as string)) return false;
    this.rec.count('reactions', now);
    return true;
  }

  private leaveAndRejoin(slot: ClientSlot, op: PlannedOperation, now: number): boolean {
    const client = slot.client;
    if (!client.isMember(op.roomId) || !client.leaveRoom(op.roomId)) return false;
    this.rec.count('leaves', now);
    // The membership ends at the server somewhere before RoomClose (recorded then as `left`).
    this.rec.leaving(client.index, op.roomId, now);
    const rejoinAt = now + (this.scenario as Scenario).actions.joinLeave.rejoinAfterMs;
    this.timers.at(rejoinAt, () => {
      if (!client.ready || slot.departing || client.isMember(op.roomId)) return;
      const at = epochNowMs();
      this.rec.joining(client.index, op.roomId, at);
      if (client.joinRoom(op.roomId)) this.rec.count('joins', at);
    });
    return true;
  }

  private upload(slot: ClientSlot, op: PlannedOperation): boolean {
    if (!slot.client.isMember(op.roomId)) return false;
    const job = createUploadJob({
      roomId: op.roomId,
      data: uploadContent(op.uploadSize, op.sender * 1_000_003 + slot.seq),
      chunkSize: (this.scenario as Scenario).actions.upload.chunkSize,
      filename: `bench-${op.sender}-${++slot.seq}.bin`,
      tag: op.atMs,
    });
    return slot.client.startUpload(job);
  }

  private reconnectCycle(slot: ClientSlot, now: number): boolean {
    this.rec.count('reconnects', now);
    this.depart(slot, 'reconnect', now + (this.scenario as Scenario).actions.reconnect.downtimeMs);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Periodic work

  private readonly houseKeep = (): void => {
    const now = epochNowMs();
    const setup = this.setup as WorkerSetup;
    const scenario = this.scenario as Scenario;
    this.flushRoomEvents(now - ROOM_EVENT_DELAY_MS);
    this.rec.attached?.expire(now);
    // Sends without an ack after the grace period failed; their acks would come too late to judge delivery.
    const limit = now - scenario.correctness.graceMs;
    const order = this.sendOrder;
    while (this.sendOrderHead < order.length && (order[this.sendOrderHead] as PendingSend).sentAtMs < limit) {
      const pending = order[this.sendOrderHead++] as PendingSend;
      if (this.forgetSend(pending.nonce)) {
        this.rec.recordError('ack_timeout', now);
        this.note(
          `${pending.slot.client.username}: no MessageAck within ${scenario.correctness.graceMs} ms for the message sent at +${Math.round(pending.sentAtMs - this.connectStartMs)} ms (connection ${pending.slot.client.state})`,
        );
      }
    }
    if (this.sendOrderHead > 4096 && this.sendOrderHead * 2 > order.length) {
      this.sendOrder = order.slice(this.sendOrderHead);
      this.sendOrderHead = 0;
    }
    // QUIC handshakes time out in the transport; Hello..AuthOk is bounded here.
    for (const index of this.owned) {
      const client = (this.slots[index] as ClientSlot).client;
      if (client.state === 'handshaking' && now - client.connectedAtMs > setup.connectTimeoutMs) {
        const missing = client.numShards > 0 ? 'AuthOk' : 'HelloAck';
        client.abort({
          reason: missing === 'AuthOk' ? 'no-auth-ok' : 'no-hello-ack',
          detail: `no ${missing} within ${setup.connectTimeoutMs} ms after the QUIC handshake`,
        });
      }
    }
    this.port.send({
      type: 'progress',
      progress: this.rec.progress(now, this.connectStartMs, this.connected),
    });
  };

  /** Drops a send that will get no ack (refused, or timed out); returns whether it was still waiting. */
  private forgetSend(nonce: string): boolean {
    const pending = this.pendingSends.get(nonce);
    if (pending === undefined) return false;
    this.pendingSends.delete(nonce);
    pending.slot.awaitingAcks--;
    return true;
  }

  private readonly relayAcks = (): void => {
    if (this.outgoingAcks.length === 0) return;
    const acks = this.outgoingAcks;
    this.outgoingAcks = [];
    this.port.send({ type: 'acks', acks });
  };

  private note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
  }

  // ---------------------------------------------------------------------------------------------
  // Client events

  authenticated(client: SimClient, connectedAtMs: number, authOkAtMs: number): void {
    this.connected++;
    this.rec.recordConnected(client.connectStartedAtMs, connectedAtMs, authOkAtMs);
    const slot = this.slots[client.index] as ClientSlot;
    if (slot.dropAttempts > 0) {
      slot.dropAttempts = 0;
      this.rec.count('drop_reconnects', authOkAtMs);
    }
    const pending = new Set<number>();
    for (const roomId of slot.plannedRooms) {
      if (client.isMember(roomId)) continue;
      pending.add(roomId);
      if (roomId === AUTO_JOINED_ROOM) continue;
      this.rec.joining(client.index, roomId, authOkAtMs);
      client.joinRoom(roomId);
    }
    if (!slot.settled) {
      slot.joinsPending = pending;
      slot.joinsSentAtMs = authOkAtMs;
      if (pending.size === 0) this.settle(slot, false);
    }
  }

  connectFailed(client: SimClient, failure: ConnectFailure, atMs: number): void {
    this.rec.count('connect_failures', atMs);
    this.connectFailures.record(client.index, failure, atMs);
    const reason = `${failure.reason}: ${failure.detail}`;
    const slot = this.slots[client.index] as ClientSlot;
    const reconnecting = slot.settled || slot.dropAttempts > 0;
    if (!slot.settled) {
      if (this.failureNotes.length < 5) this.failureNotes.push(`${client.username}: ${reason}`);
      this.settle(slot, true);
    } else {
      this.note(`reconnect of ${client.username} failed: ${reason}`);
    }
    // A failed reconnect (after a drop, a reconnect action or a storm) is retried like a drop: otherwise the
    // client would be gone for the rest of the run. A failed first connect is not: it counts against the target.
    if (reconnecting && !this.stopping && (this.scenario as Scenario).clients.dropReconnect.enabled)
      this.scheduleDropReconnect(slot);
  }

  disconnected(
    client: SimClient,
    info: CloseInfo | null,
    requested: boolean,
    rooms: readonly number[],
    lastHeardAtMs: number,
  ): void {
    this.connected--;
    const now = epochNowMs();
    const slot = this.slots[client.index] as ClientSlot;
    // A new connection has a new view of room histories (see ClientSlot.ownMessageIn).
    slot.own.length = 0;
    // Membership ends when we asked for it, or (unexpectedly) when the connection was last known good.
    const leftAt = requested ? now : lastHeardAtMs;
    for (const roomId of rooms) this.rec.left(client.index, roomId, leftAt);
    if (!requested && !this.stopping) {
      this.rec.count('disconnects', now);
      const cause = info === null ? 'aborted' : info.peerError?.reason || info.cause;
      this.note(
        `${client.username} disconnected: ${cause}${client.goodbyeReason ? ` (Goodbye: ${client.goodbyeReason})` : ''}`,
      );
      this.afterDrop(slot);
    }
  }

  helloAck(_client: SimClient, _ack: HelloAck, _atMs: number): void {}

  roomInit(client: SimClient, init: RoomInit, atMs: number): void {
    const roomId = u64ToNumber(init.room_id);
    this.rec.joined(client.index, roomId, atMs);
    const slot = this.slots[client.index] as ClientSlot;
    if (roomId === AUTO_JOINED_ROOM && !slot.plannedRooms.includes(AUTO_JOINED_ROOM)) {
      // Membership follows the scenario's plan: a General the scenario does not list is left right after
      // the auto-join, so thousands of silent members do not turn every connect into an O(n) fan-out
      // (RoomUserJoined, presence) that the scenario never asked for.
      if (client.leaveRoom(AUTO_JOINED_ROOM)) this.rec.leaving(client.index, AUTO_JOINED_ROOM, atMs);
      return;
    }
    if (slot.joinsPending !== null && slot.joinsPending.delete(roomId) && slot.joinsPending.size === 0) {
      this.settle(slot, false);
    }
  }

  roomClosed(client: SimClient, close: RoomClose, atMs: number): void {
    this.rec.left(client.index, u64ToNumber(close.room_id), atMs);
  }

  roomMessage(client: SimClient, message: PeekedRoomMessage, receivedAtMs: number): void {
    const recorder = this.rec.attached;
    if (recorder === null) return;
    const segment = (this.setup as WorkerSetup).segment;
    const verdict = recordRoomMessage(recorder, client.index, message, receivedAtMs, (sender) =>
      segmentOwnsClient(segment, sender),
    );
    if (verdict === 'unexpected') {
      this.note(
        `${client.username}: unexpected delivery of message ${message.message_id} in room ${message.room_id} at +${Math.round(receivedAtMs - this.connectStartMs)} ms`,
      );
    }
    if (this.receipts !== null) this.sendReceipts(client, message, receivedAtMs);
  }

  /**
   * Answers a delivery with the receipts of actions.receipts: one number u drawn from (seed, recipient, message
   * id), so the same deliveries get receipts in every run; MessageDelivered now if u < delivered, MessageRead
   * after read_delay if u < read. Receipts count only when written (a dropped client writes none).
   */
  private sendReceipts(client: SimClient, message: PeekedRoomMessage, receivedAtMs: number): void {
    const receipts = this.receipts as ReceiptDraws;
    const u = hashUnit(receipts.seed, client.index, u64ToNumber(message.message_id));
    if (u < receipts.delivered && client.sendDelivered(message.message_id, message.room_id, receivedAtMs)) {
      this.rec.count('receipts_delivered', receivedAtMs);
    }
    if (u < receipts.read) {
      const messageId = message.message_id;
      const roomId = message.room_id;
      this.timers.at(receivedAtMs + receipts.readDelayMs, () => {
        const at = epochNowMs();
        if (client.sendRead(messageId, roomId, at)) this.rec.count('receipts_read', at);
      });
    }
  }

  messageAck(client: SimClient, ack: MessageAck, atMs: number): void {
    const pending = this.pendingSends.get(ack.nonce);
    const recorder = this.rec.attached;
    if (pending === undefined || recorder === null) return;
    this.pendingSends.delete(ack.nonce);
    pending.slot.awaitingAcks--;
    const messageId = u64ToNumber(ack.message_id);
    const acked = recorder.recordAcked({
      roomId: pending.roomId,
      messageId,
      scheduledAtMs: pending.scheduledAtMs,
      sentAtMs: pending.sentAtMs,
      ackedAtMs: atMs,
      serverAtMs: u64ToNumber(ack.timestamp),
    });
    if ((this.setup as WorkerSetup).workerCount > 1) this.outgoingAcks.push(acked);
    (this.slots[client.index] as ClientSlot).remember(pending.roomId, messageId);
  }

  roomPromoted(_client: SimClient, roomId: number, atMs: number): void {
    this.roomEvents.push({ type: 'promoted', roomId, atMs });
  }

  roomDemoted(_client: SimClient, roomId: number, atMs: number): void {
    this.roomEvents.push({ type: 'demoted', roomId, atMs });
  }

  /** Records the room events seen before `beforeMs`, in the order they were seen. */
  private flushRoomEvents(beforeMs: number): void {
    const events = this.roomEvents;
    let i = 0;
    for (; i < events.length && (events[i] as { atMs: number }).atMs < beforeMs; i++) {
      const event = events[i] as { type: 'promoted' | 'demoted'; roomId: number; atMs: number };
      if (event.type === 'promoted') this.rec.roomPromoted(event.roomId, event.atMs);
      else this.rec.roomDemoted(event.roomId, event.atMs);
    }
    if (i > 0) this.roomEvents = events.slice(i);
  }

  serverError(client: SimClient, error: ErrorPayload, atMs: number): void {
    this.rec.recordError(error.code, atMs);
    const context = error.context ?? '';
    const at = context.indexOf(' nonce=');
    if (at >= 0) this.forgetSend(context.slice(at + ' nonce='.length));
    this.note(`${client.username}: Error ${error.code} ${context}: ${error.message}`);
    const slot = this.slots[client.index] as ClientSlot;
    // A refused join during the initial connect: the client will not get that RoomInit.
    if (!slot.settled && context.startsWith('JoinRoom')) this.settle(slot, false);
  }

  throttled(_client: SimClient, _throttle: Throttle, atMs: number): void {
    this.rec.count('throttles', atMs);
  }

  uploadDone(client: SimClient, job: UploadJob, uploadId: number, _url: string, atMs: number): void {
    this.rec.attached?.recordUpload(job.tag, atMs, job.data.length);
    const slot = this.slots[client.index] as ClientSlot;
    (slot.attachments ??= []).push(uploadId);
  }

  uploadFailed(_client: SimClient, _job: UploadJob, reason: string, atMs: number): void {
    this.rec.count('upload_failures', atMs);
    // Failures announced by an Error frame are already counted as errors.
    if (reason === 'connection closed') this.rec.recordError('upload_aborted', atMs);
  }

  datagram(_client: SimClient, frame: Frame, atMs: number): void {
    if (frame.name === 'Typing' || frame.name === 'StopTyping') this.rec.count('typing_received', atMs);
  }

  streamStopped(client: SimClient, streamId: number, code: number, atMs: number): void {
    this.rec.recordError(`stream_stopped_${code}`, atMs);
    this.note(`${client.username}: the server stopped our stream ${streamId} (code ${code})`);
  }

  protocolViolation(client: SimClient, rule: string, detail: string, atMs: number): void {
    this.rec.recordError(`protocol ${rule}`, atMs);
    this.note(`${client.username}: protocol violation [${rule}] ${detail}`);
  }
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}
