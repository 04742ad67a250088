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
import { HealthSampler } from '../metrics/harness-health.js';
import { RunRecorder } from '../metrics/run-recorder.js';
import type { PhaseWindow } from '../metrics/worker-result.js';
import { buildRoomPlan, type RoomPlan } from '../scenario/membership.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import type {
  ErrorPayload,
  Frame,
  HelloAck,
  MessageAck,
  RoomClose,
  PeekedRoomMessage,
  Throttle,
} from '../../spec/index.js';
import { u64ToNumber } from '../../spec/index.js';
import type { CloseInfo } from '../../transport/index.js';
import type { ClientEvents } from '../client/client-events.js';
import type { RoomInitHead } from '../client/membership-frames.js';
import type { ConnectFailure } from '../client/connect-failure.js';
import { ConnectFailureLog } from '../metrics/connect-failure-log.js';
import type { HoldTimer } from '../client/hold-timer.js';
import type { SimClient } from '../client/sim-client.js';
import type { UploadJob } from '../client/upload-job.js';
import type { ClientSockets } from './client-sockets.js';
import type { ClientSlot } from './client-slot.js';
import { AckTimeouts } from './ack-timeouts.js';
import { ClientReconnects } from './client-reconnects.js';
import { DeliveryReceipts } from './delivery-receipts.js';
import { performClientOperation, type OperationContext } from './client-operations.js';
import { ConnectRamp } from './connect-ramp.js';
import { DeferredRoomEvents } from './deferred-room-events.js';
import { recordRoomMessage } from './delivery-recording.js';
import { collectReadiness } from './readiness.js';
import { segmentOwnsClient, workerOwnsClient } from './segment.js';
import { PendingRecorder } from './pending-recorder.js';
import { applyScenarioOverrides } from './scenario-overrides.js';
import { PendingSends } from './pending-sends.js';
import { ClientUpkeep } from './client-upkeep.js';
import { AckRelay } from './ack-relay.js';
import { TimerQueue } from './timer-queue.js';
import { TrafficPump } from './traffic-pump.js';
import { plannedStorms, TrafficPlan, type PlannedOperation } from './traffic-plan.js';
import type { CoordinatorPort, WorkerEndpoint } from './worker-link.js';
import { createWorkerClients, issueClientTokens } from './worker-clients.js';
import type { CoordinatorMessage, WorkerSetup } from './worker-protocol.js';

/** General (room 1) is joined by the server right after AuthOk (PROTOCOL.md 6.4/auto-join). */
const AUTO_JOINED_ROOM = 1;
const HOUSEKEEPING_MS = 1000;
const MAX_NOTES = 20;
/** Promotions and demotions are recorded this long after they are seen (see deferred-room-events.ts). */
const ROOM_EVENT_DELAY_MS = 500;

/** The worker runtime (in a child process, or in the coordinator's process for one worker). */
export class LoadWorker implements ClientEvents<SimClient>, WorkerEndpoint {
  private setup: WorkerSetup | null = null;
  private scenario: Scenario | null = null;
  private plan: RoomPlan | null = null;
  private sockets: ClientSockets | null = null;
  private holdTimer: HoldTimer | null = null;
  private readonly connectFailures = new ConnectFailureLog();
  private slots: (ClientSlot | undefined)[] = [];
  private owned: number[] = [];
  private readonly rec = new PendingRecorder();
  private readonly timers = new TimerQueue();
  /** The once-a-second visit of every client (send backlog, AuthOk deadline); made at setup. */
  private upkeep: ClientUpkeep | null = null;
  private connectStartMs = 0;
  private ramp: ConnectRamp | null = null;
  private traffic: TrafficPump | null = null;
  private housekeeping: NodeJS.Timeout | null = null;
  /** Relays acks and ack timeouts to the other workers (multi-worker runs), or null. */
  private ackRelay: AckRelay | null = null;
  private readonly pendingSends = new PendingSends();
  /** What the client operations work with; set at setup. */
  private operations: OperationContext | null = null;
  private ackTimeouts: AckTimeouts | null = null;
  private connected = 0;
  private settled = 0;
  private failedInitially = 0;
  private readyReported = false;
  private readonly failureNotes: string[] = [];
  private readonly roomEvents = new DeferredRoomEvents();
  private readonly notes: string[] = [];
  private stopping = false;
  /** The worker's own health, sampled every housekeeping second from the connect ramp on. */
  private health: HealthSampler | null = null;
  /** Receipts to send, or null when the scenario sends none. */
  private receipts: DeliveryReceipts | null = null;
  private reconnects: ClientReconnects | null = null;
  /** Whether a sender is in this run's segment (made once, not per delivery); undefined: one segment, all are. */
  private senderIsLocal: ((client: number) => boolean) | undefined = undefined;

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
          for (const send of message.ackTimeouts ?? []) this.rec.attached?.registerAckTimeout(send);
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
    this.upkeep = new ClientUpkeep(
      (index) => (this.slots[index] as ClientSlot).client,
      setup.connectTimeoutMs,
    );
    if (setup.workerCount > 1) this.ackRelay = new AckRelay(this.port);
    const scenario = applyScenarioOverrides(
      parseScenario(setup.scenarioText, setup.scenarioFile),
      setup.overrides,
    );
    this.scenario = scenario;
    this.plan = buildRoomPlan(scenario);
    this.receipts = DeliveryReceipts.forScenario(scenario, this.rec, this.timers);
    this.reconnects = new ClientReconnects({
      host: setup.host,
      port: setup.port,
      scenario,
      rec: this.rec,
      timers: this.timers,
      stopping: () => this.stopping,
    });
    this.operations = { scenario, rec: this.rec, pendingSends: this.pendingSends, timers: this.timers };
    const clients = await createWorkerClients(setup, scenario, this.plan, this, (error) => this.fatal(error));
    this.sockets = clients.sockets;
    this.holdTimer = clients.holdTimer;
    this.owned = clients.owned;
    this.slots = clients.slots;
    await issueClientTokens(scenario, clients);
    this.port.send({ type: 'loaded' });
  }

  private onConnect(connectStartMs: number): void {
    this.connectStartMs = connectStartMs;
    this.health = new HealthSampler(() => this.sockets?.drops() ?? null);
    this.housekeeping = setInterval(this.houseKeep, HOUSEKEEPING_MS);
    const setup = this.setup as WorkerSetup;
    const clients = (this.scenario as Scenario).clients;
    this.ramp = new ConnectRamp(
      this.owned,
      connectStartMs,
      clients.connectRate,
      (index) => (this.slots[index] as ClientSlot).client.connect(setup.host, setup.port),
      // The fleet's bound, shared evenly by the workers (each runs its own ramp).
      clients.maxConnecting === null
        ? Infinity
        : Math.max(1, Math.ceil(clients.maxConnecting / setup.workerCount)),
    );
    this.ramp.advance();
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
    const segment = setup.segment;
    if (segment.count > 1) this.senderIsLocal = (sender) => segmentOwnsClient(segment, sender);
    this.traffic = new TrafficPump(new TrafficPlan(scenario, this.plan as RoomPlan, phases), (op) => {
      if (workerOwnsClient(setup.segment, setup.workerIndex, setup.workerCount, op.sender)) this.perform(op);
    });
    for (const storm of plannedStorms(scenario, phases)) {
      const slot = this.slots[storm.client];
      if (slot === undefined) continue;
      this.timers.at(storm.disconnectAtMs, () => this.stormDisconnect(slot, storm.reconnectAtMs));
    }
    const relay = this.ackRelay;
    this.ackTimeouts = new AckTimeouts({
      rec: this.rec,
      pendingSends: this.pendingSends,
      graceMs: scenario.correctness.graceMs,
      connectStartMs: this.connectStartMs,
      relay: relay === null ? null : (send) => relay.ackTimedOut(send),
      note: (text) => this.note(text),
    });
    this.ackRelay?.start();
    this.traffic.pump();
  }

  private onDrain(): void {
    this.stopTraffic();
    // Before the relay, so that every worker knows every ack timeout when it finishes.
    this.ackTimeouts?.expireAll(epochNowMs());
    this.ackRelay?.flush();
    // The live outputs' last sample must count every send of the run: one made after the last tick's report (a
    // send backlog let out in the last second) would be missing from it.
    this.reportProgress(epochNowMs());
    this.port.send({ type: 'drained' });
  }

  private onFinish(): void {
    const recorder = this.rec.attached;
    if (recorder === null) throw new Error('finish before start');
    const now = epochNowMs();
    // The result is final from here: nothing may happen that it would not count (a read receipt due later, a
    // receipt for a late delivery, a rejoin), or the server would see frames the result does not report.
    this.stopping = true;
    this.ramp?.stop();
    this.timers.stop();
    this.flushRoomEvents(Infinity);
    // Sends acked between drain and finish are ignored: the relay of their ack could not reach the other workers.
    this.ackTimeouts?.expireAll(now);
    recorder.delivery.finish();
    const result = recorder.snapshot();
    result.connectFailures = this.connectFailures.snapshot();
    if (this.sockets !== null) result.clientSockets = this.sockets.report();
    if (this.health !== null) result.health = this.health.stop();
    this.health = null;
    this.port.send({ type: 'result', result, notes: this.notes.splice(0) });
  }

  private async onStop(): Promise<void> {
    this.stopping = true;
    this.stopTraffic();
    this.timers.stop();
    if (this.housekeeping !== null) clearInterval(this.housekeeping);
    this.upkeep?.stop();
    this.ramp?.stop();
    this.holdTimer?.stop();
    for (const index of this.owned) this.slots[index]?.client.disconnect('run finished');
    await this.sockets?.close({ errorCode: 0, reason: 'run finished', timeoutMs: 1000 });
    this.port.send({ type: 'stopped' });
  }

  private stopTraffic(): void {
    this.traffic?.stop();
    this.traffic = null;
    this.ackRelay?.stop();
  }

  private fatal(error: unknown): void {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.port.send({ type: 'fatal', message });
  }

  // ---------------------------------------------------------------------------------------------
  // Connecting

  /**
   * After a drop: reconnect (clients.reconnect_on_drop) once a backoff has passed, or give the client up. A client
   * that was departing anyway is reconnected by `depart`. The membership already ended when the connection was
   * last known good (`disconnected`), and the reconnect rejoins the planned rooms (`authenticated`).
   */
  private afterDrop(slot: ClientSlot): void {
    if (slot.departing) return;
    if ((this.scenario as Scenario).clients.dropReconnect.enabled)
      (this.reconnects as ClientReconnects).scheduleAfterDrop(slot);
    else if (!slot.settled) this.settle(slot, true);
  }

  private stormDisconnect(slot: ClientSlot, reconnectAtMs: number): void {
    if (!slot.client.ready || slot.departing) return;
    this.rec.count('reconnects', epochNowMs());
    (this.reconnects as ClientReconnects).depart(slot, 'reconnect storm', reconnectAtMs);
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

  private perform(op: PlannedOperation): void {
    const recorder = this.rec.attached as RunRecorder;
    const now = epochNowMs();
    recorder.recordScheduled(op.atMs, now);
    const slot = this.slots[op.sender];
    let done = false;
    if (slot !== undefined && slot.client.ready && !slot.departing) {
      done =
        op.action === 'reconnect'
          ? this.reconnectCycle(slot, now)
          : performClientOperation(this.operations as OperationContext, slot, op, now);
    }
    if (!done) recorder.count('skipped', now);
  }

  private reconnectCycle(slot: ClientSlot, now: number): boolean {
    this.rec.count('reconnects', now);
    (this.reconnects as ClientReconnects).depart(
      slot,
      'reconnect',
      now + (this.scenario as Scenario).actions.reconnect.downtimeMs,
    );
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Periodic work

  private readonly houseKeep = (): void => {
    const now = epochNowMs();
    this.flushRoomEvents(now - ROOM_EVENT_DELAY_MS);
    this.health?.sample(now, this.upkeep?.sendBacklog ?? 0);
    // Ack timeouts first: the deliveries of those messages that expire below are then attributed to them.
    this.ackTimeouts?.expire(now);
    this.rec.attached?.expire(now);
    this.upkeep?.start(now, this.owned);
    this.reportProgress(now);
  };

  private reportProgress(now: number): void {
    const progress = this.rec.progress(now, this.connectStartMs, this.connected);
    const live = this.rec.takeLiveReport();
    this.port.send(live ? { type: 'progress', progress, live } : { type: 'progress', progress });
  }

  private note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
  }

  // ---------------------------------------------------------------------------------------------
  // Client events

  authenticated(client: SimClient, connectedAtMs: number, authOkAtMs: number): void {
    this.connected++;
    this.ramp?.settled(client.index);
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
    this.ramp?.settled(client.index);
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
      (this.reconnects as ClientReconnects).scheduleAfterDrop(slot);
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
    for (const roomId of rooms) {
      // A deliberate disconnect during the run (the end of the run waits out the grace period instead).
      if (requested && !this.stopping) this.rec.cutOff(client.index, roomId);
      this.rec.leftByClose(client.index, roomId, leftAt);
    }
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

  roomInit(client: SimClient, init: RoomInitHead, atMs: number): void {
    const roomId = u64ToNumber(init.room_id);
    this.rec.joined(client.index, roomId, atMs);
    const slot = this.slots[client.index] as ClientSlot;
    if (slot.departing || client.state === 'closing') {
      // A join that completes while the client departs (its JoinRoom was under way when `depart` made the other
      // memberships uncertain): the server drops the member when it reads the Goodbye, so nothing acked from now
      // on is owed to it. Without this its membership stayed certain up to the close, and messages acked between
      // Goodbye and close counted as lost (issue 15).
      this.rec.leaving(client.index, roomId, atMs);
    }
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
    // Awake anyway: an operation that fell due starts now rather than at its timer (traffic-pump.ts).
    this.traffic?.nudge(receivedAtMs);
    const verdict = recordRoomMessage(recorder, client.index, message, receivedAtMs, this.senderIsLocal);
    if (verdict === 'unexpected') {
      this.note(
        `${client.username}: unexpected delivery of message ${message.message_id} in room ${message.room_id} at +${Math.round(receivedAtMs - this.connectStartMs)} ms`,
      );
    }
    if (this.receipts !== null && !this.stopping) this.receipts.answer(client, message, receivedAtMs);
  }

  messageAck(client: SimClient, ack: MessageAck, atMs: number): void {
    const recorder = this.rec.attached;
    if (recorder === null) return;
    const pending = this.pendingSends.take(ack.nonce);
    if (pending === undefined) return;
    const messageId = u64ToNumber(ack.message_id);
    const acked = recorder.recordAcked({
      roomId: pending.roomId,
      messageId,
      scheduledAtMs: pending.scheduledAtMs,
      sentAtMs: pending.sentAtMs,
      ackedAtMs: atMs,
      serverAtMs: u64ToNumber(ack.timestamp),
      sender: client.index,
    });
    this.ackRelay?.acked(acked);
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
    this.roomEvents.release(beforeMs, (event) => {
      if (event.type === 'promoted') this.rec.roomPromoted(event.roomId, event.atMs);
      else this.rec.roomDemoted(event.roomId, event.atMs);
    });
  }

  serverError(client: SimClient, error: ErrorPayload, atMs: number): void {
    this.rec.recordError(error.code, atMs);
    const context = error.context ?? '';
    this.rec.attached?.examples.record('error', {
      recipient: client.index,
      deliveredAt: atMs,
      detail: `Error ${error.code}${context ? ` (${context})` : ''}: ${error.message}`,
    });
    const at = context.indexOf(' nonce=');
    if (at >= 0) this.pendingSends.take(context.slice(at + ' nonce='.length));
    this.note(`${client.username}: Error ${error.code} ${context}: ${error.message}`);
    const slot = this.slots[client.index] as ClientSlot;
    // A refused join during the initial connect: the client will not get that RoomInit.
    if (!slot.settled && context.startsWith('JoinRoom')) this.settle(slot, false);
  }

  reactionRacedDelete(_client: SimClient, atMs: number): void {
    this.rec.count('reactions_raced_delete', atMs);
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
