/**
 * How a load worker takes one of its clients off the server and back on: a deliberate departure (reconnect
 * action, reconnect storm) that first lets what the client is owed arrive, the reconnect itself, and the
 * backoff between reconnect attempts after a drop.
 */
import { epochNowMs } from '../metrics/clock.js';
import type { Scenario } from '../scenario/types.js';
import type { ClientSlot } from './client-slot.js';
import type { PendingRecorder } from './pending-recorder.js';
import type { TimerQueue } from './timer-queue.js';
import { dropReconnectWaitMs } from './traffic-plan.js';

/**
 * A deliberate disconnect waits at least this long, and until what the client is owed has arrived (or the
 * grace period passed): acks relayed from other workers take a few milliseconds to register.
 */
const DEPART_MIN_MS = 100;
const DEPART_POLL_MS = 25;
/** How soon a reconnect is retried while the client still waits for the server to close after its Goodbye. */
const RECONNECT_RETRY_MS = 10;

/** What the reconnects work with: the target, the scenario, the worker's recorder and timers. */
export interface ReconnectContext {
  readonly host: string;
  readonly port: number;
  readonly scenario: Scenario;
  readonly rec: PendingRecorder;
  readonly timers: TimerQueue;
  /** True once the run's result is final: nothing reconnects any more. */
  readonly stopping: () => boolean;
}

/** Disconnects and reconnects a worker's clients. */
export class ClientReconnects {
  constructor(private readonly context: ReconnectContext) {}

  /** Connects a closed client again (after its Goodbye has been answered). */
  reconnect(slot: ClientSlot): void {
    const client = slot.client;
    if (this.context.stopping()) return;
    if (client.state === 'closing') {
      // Goodbye written, the server's close not in yet (SimClient.disconnect): try again shortly.
      setTimeout(() => this.reconnect(slot), RECONNECT_RETRY_MS);
      return;
    }
    if (client.state !== 'closed' && client.state !== 'idle') return;
    client.connect(this.context.host, this.context.port);
  }

  /** The next reconnect attempt after a drop: backoff doubled per failed attempt up to the cap, seeded jitter. */
  scheduleAfterDrop(slot: ClientSlot): void {
    const waitMs = dropReconnectWaitMs(
      this.context.scenario,
      slot.client.index,
      slot.dropAttempts++,
      slot.dropAttemptSerial++,
    );
    this.context.timers.at(epochNowMs() + waitMs, () => this.reconnect(slot));
  }

  /**
   * A deliberate disconnect (reconnect action, storm). The membership becomes uncertain now (messages acked
   * from here on are optional for this client); the connection stays open, performing nothing, until every
   * expected delivery, its own acks and its uploads' final acks have arrived (or the grace period passed), so the
   * harness never counts as lost or failed what it cut off itself. Then Goodbye and close; reconnect at `reconnectAtMs` (or right away if
   * that has passed).
   */
  depart(slot: ClientSlot, reason: string, reconnectAtMs: number): void {
    const { rec, timers } = this.context;
    const client = slot.client;
    const decidedAt = epochNowMs();
    slot.departing = true;
    for (const roomId of client.memberRooms()) rec.leaving(client.index, roomId, decidedAt);
    const maxWait = this.context.scenario.correctness.graceMs;
    const check = (): void => {
      if (this.context.stopping()) return;
      const waited = epochNowMs() - decidedAt;
      const owed = slot.awaitingAcks + rec.outstandingFor(client.index) + client.uploadsPending;
      if (client.ready && (waited < DEPART_MIN_MS || owed > 0) && waited < maxWait) {
        setTimeout(check, DEPART_POLL_MS);
        return;
      }
      slot.departing = false;
      client.disconnect(reason);
      timers.at(Math.max(reconnectAtMs, epochNowMs()), () => this.reconnect(slot));
    };
    setTimeout(check, DEPART_POLL_MS);
  }
}
