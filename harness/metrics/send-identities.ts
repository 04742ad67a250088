/**
 * Which harness send a message is, for the segment ledger (segment-ledger.ts). A send whose MessageAck timed out
 * is known to its sender's segment by its nonce only (the id never came), and its deliveries to recipients of
 * other segments by their id and that nonce: to attribute those deliveries as a single run does (by nonce, see
 * ack-timed-out-sends.ts), the merge needs both sides keyed alike. The key is the nonce's stamp (send-stamp.ts):
 * sender client and that client's send counter, unique per send of a run, in integers as the ledger stores them.
 */
import { IdRangeSet } from './id-set.js';

/** A harness send, by its nonce's stamp: sender client index and the sender's send counter. */
export interface SendIdentity {
  client: number;
  seq: number;
}

/** A send whose MessageAck timed out, in the room it was sent to. */
export interface AckTimedOutSendRecord extends SendIdentity {
  roomId: number;
}

/** A message id with the send it came from (as the nonce of one of its deliveries said). */
export interface IdentifiedMessage extends SendIdentity {
  messageId: number;
}

/**
 * The send of every message id this worker's recipients received from other segments, once per id (the first
 * delivery's nonce names it). Memory: 3 numbers per distinct id, like the ledger's other per-message records.
 */
export class ForeignSendLog {
  private readonly known = new IdRangeSet();
  /** messageId, client, seq, flat. */
  private readonly entries: number[] = [];

  /** Records that message `messageId` came from send (`client`, `seq`); later deliveries of it change nothing. */
  record(messageId: number, client: number, seq: number): void {
    if (this.known.has(messageId)) return;
    this.known.add(messageId);
    this.entries.push(messageId, client, seq);
  }

  /** The identified messages, in the order first received. */
  list(): IdentifiedMessage[] {
    const out: IdentifiedMessage[] = [];
    for (let i = 0; i < this.entries.length; i += 3)
      out.push({
        messageId: this.entries[i] as number,
        client: this.entries[i + 1] as number,
        seq: this.entries[i + 2] as number,
      });
    return out;
  }
}

/** A map key for a send identity (client and seq are safe integers; '.' cannot occur in either). */
export function sendKey(send: SendIdentity): string {
  return `${send.client}.${send.seq}`;
}
