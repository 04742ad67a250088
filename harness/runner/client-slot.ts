/**
 * What a load worker keeps about one of its clients beside the protocol client itself: the state of its
 * initial connect, its own recent messages (targets for edits, deletes and reactions), and its departures.
 */
import type { SimClient } from '../client/sim-client.js';

/** Own messages remembered per client for edits and deletes. */
const OWN_MESSAGES_KEPT = 16;
/**
 * An own message is edited or deleted only while fewer than this many messages followed it in its room:
 * the server keeps 50 (PROTOCOL.md 15/limits, room history), and a few more may be in flight.
 */
const HISTORY_MARGIN = 40;

/** One worker-owned client and what the worker tracks about it. */
export class ClientSlot {
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

  /** Remembers an own acked message as a target for later edits, deletes and reactions. */
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
