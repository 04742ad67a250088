/**
 * The once-a-second visit of every client of a load worker: it sums the send backlog (bytes queued for quiche)
 * for the health sample, and fails the clients whose Hello..AuthOk exchange is overdue (QUIC handshakes time
 * out in the transport; the chat handshake is bounded here). The visit is spread over loop turns (SlicedSweep),
 * so that it never blocks the loop in one piece (issue 12).
 */
import type { SimClient } from '../client/sim-client.js';
import { SlicedSweep } from './sliced-sweep.js';

/** Visits a worker's clients in slices; the backlog is the last complete visit's sum. */
export class ClientUpkeep {
  private backlog = 0;
  private backlogSum = 0;
  private nowMs = 0;
  private readonly sweep: SlicedSweep<number>;

  constructor(
    /** The client of an index of the list given to `start`. */
    private readonly clientAt: (index: number) => SimClient,
    /** How long after the QUIC handshake the AuthOk may take. */
    private readonly connectTimeoutMs: number,
  ) {
    this.sweep = new SlicedSweep<number>(this.visit, () => {
      this.backlog = this.backlogSum;
      this.backlogSum = 0;
    });
  }

  /** Bytes queued for quiche by all clients, as of the last complete visit (at most a second old). */
  get sendBacklog(): number {
    return this.backlog;
  }

  /** Starts a visit of the clients of `indexes` as of `nowMs`; one still under way goes on, as of `nowMs`. */
  start(nowMs: number, indexes: readonly number[]): void {
    this.nowMs = nowMs;
    this.sweep.start(indexes);
  }

  /** Abandons the visit under way. */
  stop(): void {
    this.sweep.stop();
  }

  private readonly visit = (index: number): void => {
    const client = this.clientAt(index);
    this.backlogSum += client.quic?.queuedBytes() ?? 0;
    if (client.state === 'handshaking' && this.nowMs - client.connectedAtMs > this.connectTimeoutMs) {
      const missing = client.numShards > 0 ? 'AuthOk' : 'HelloAck';
      client.abort({
        reason: missing === 'AuthOk' ? 'no-auth-ok' : 'no-hello-ack',
        detail: `no ${missing} within ${this.connectTimeoutMs} ms after the QUIC handshake`,
      });
    }
  };
}
