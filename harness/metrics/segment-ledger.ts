/**
 * The segment ledger: what one segment of a run (`run --segment i/n`) knows that the merge needs to judge the
 * (message, recipient) pairs whose sender and recipient are in DIFFERENT segments, exactly as one tracker
 * would (see delivery-tracker.ts and ledger-replay.ts):
 *
 * - the messages acked to this segment's senders (room, id, sent and acked time);
 * - every membership interval of this segment's recipients, per room (the full log, none pruned);
 * - per (recipient, room), the ids received from other segments' senders (first deliveries), as id ranges;
 * - the sends of this segment's senders whose MessageAck timed out (room and send identity: no id was learnt), and
 *   the send identity of every id received from other segments, so that the merge attributes the deliveries of an
 *   ack-timed-out message across segments as a single run does by nonce (send-identities.ts).
 *
 * Stored in summary.json (`segment.ledger`) as flat arrays of integers, small by delta encoding: times are
 * microseconds after `baseMs` (rounding to the microsecond keeps every order between times, so coverage judged
 * on them only differs for times less than 1 µs apart), -1 stands for "never" (an open interval's end).
 */
import type { AckedMessage, ForeignIdLog, MembershipInterval, MembershipLog } from './delivery-tracker.js';
import type { AckTimedOutSendRecord, IdentifiedMessage } from './send-identities.js';

/** Version of the ledger layout; bump on incompatible changes. */
export const SEGMENT_LEDGER_VERSION = 1;

/** A segment's ledger as stored in summary.json (`segment.ledger`). Every array holds integers only. */
export interface SegmentLedger {
  version: typeof SEGMENT_LEDGER_VERSION;
  /** Epoch ms (integer) the times below count from, in microseconds. */
  baseMs: number;
  /**
   * Messages acked to this segment's senders, by increasing id, 4 numbers each: room, id minus the previous
   * id, sent time minus the previous message's sent time, acked time minus sent time.
   */
  acked: number[];
  /**
   * Membership intervals of this segment's recipients, per (recipient, room): recipient, room, interval count k,
   * then k times from, to, certainFrom, certainTo (-1: never).
   */
  memberships: number[];
  /**
   * Ids received from other segments' senders (first deliveries), per (recipient, room): recipient, room, range
   * count k, then k times (start minus the previous range's end, end minus start) over inclusive ranges. A range
   * may span ids of `acked` (never foreign): bridging the gaps the segment's own messages leave keeps the ranges
   * few. Decoding takes them out again.
   */
  foreign: number[];
  /**
   * Sends of this segment's senders whose MessageAck timed out, by increasing (client, seq), 3 numbers each: room,
   * client minus the previous client, seq minus the previous seq of the same client (else seq). Absent in ledgers
   * of older versions (read as none).
   */
  ackTimeouts?: number[];
  /**
   * The send of each id received from other segments' senders, by increasing id, 3 numbers each: id minus the
   * previous id, client, seq. Absent in ledgers of older versions (read as none).
   */
  foreignSends?: number[];
}

/** A ledger decoded: epoch-ms times, Infinity for "never". */
export interface LedgerData {
  acked: AckedMessage[];
  memberships: MembershipLog[];
  foreign: ForeignIdLog[];
  ackTimeouts: AckTimedOutSendRecord[];
  foreignSends: IdentifiedMessage[];
}

/** A stored ledger that cannot be read (truncated, wrong version, non-integers). */
export class LedgerFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerFormatError';
  }
}

function minTime(data: LedgerData): number {
  let min = Infinity;
  for (const m of data.acked) min = Math.min(min, m.sentAtMs, m.ackedAtMs);
  for (const log of data.memberships)
    for (const i of log.intervals) min = Math.min(min, i.from, i.to, i.certainFrom, i.certainTo);
  return min;
}

/** Encodes a ledger (acked messages sorted by id). */
export function encodeLedger(data: LedgerData): SegmentLedger {
  const min = minTime(data);
  const baseMs = Number.isFinite(min) ? Math.floor(min) : 0;
  const micros = (ms: number): number => (ms === Infinity ? -1 : Math.round((ms - baseMs) * 1000));
  const acked: number[] = [];
  let lastId = 0;
  let lastSent = 0;
  for (const m of [...data.acked].sort((a, b) => a.messageId - b.messageId)) {
    const sent = micros(m.sentAtMs);
    acked.push(m.roomId, m.messageId - lastId, sent - lastSent, micros(m.ackedAtMs) - sent);
    lastId = m.messageId;
    lastSent = sent;
  }
  const memberships: number[] = [];
  for (const log of data.memberships) {
    memberships.push(log.recipient, log.roomId, log.intervals.length);
    for (const i of log.intervals)
      memberships.push(micros(i.from), micros(i.to), micros(i.certainFrom), micros(i.certainTo));
  }
  const ownIds = data.acked.map((m) => m.messageId).sort((a, b) => a - b);
  const foreign: number[] = [];
  for (const log of data.foreign) {
    const ranges = bridgeOwnIds(log.ranges, ownIds);
    foreign.push(log.recipient, log.roomId, ranges.length / 2);
    let lastEnd = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      const start = ranges[r] as number;
      const end = ranges[r + 1] as number;
      foreign.push(start - lastEnd, end - start);
      lastEnd = end;
    }
  }
  return {
    version: SEGMENT_LEDGER_VERSION,
    baseMs,
    acked,
    memberships,
    foreign,
    ackTimeouts: encodeAckTimeouts(data.ackTimeouts),
    foreignSends: encodeForeignSends(data.foreignSends),
  };
}

/** `ackTimeouts` of a stored ledger (see SegmentLedger), each send once. */
function encodeAckTimeouts(sends: readonly AckTimedOutSendRecord[]): number[] {
  const out: number[] = [];
  let lastClient = 0;
  let lastSeq = 0;
  let first = true;
  for (const s of [...sends].sort((a, b) => a.client - b.client || a.seq - b.seq)) {
    if (!first && s.client === lastClient && s.seq === lastSeq) continue;
    out.push(s.roomId, s.client - lastClient, s.client === lastClient ? s.seq - lastSeq : s.seq);
    lastClient = s.client;
    lastSeq = s.seq;
    first = false;
  }
  return out;
}

/** `foreignSends` of a stored ledger (see SegmentLedger), each id once (workers of a segment may share ids). */
function encodeForeignSends(messages: readonly IdentifiedMessage[]): number[] {
  const out: number[] = [];
  let lastId = 0;
  let first = true;
  for (const m of [...messages].sort((a, b) => a.messageId - b.messageId)) {
    if (!first && m.messageId === lastId) continue;
    out.push(m.messageId - lastId, m.client, m.seq);
    lastId = m.messageId;
    first = false;
  }
  return out;
}

/** Index of the first of the sorted `ids` at or above `id`. */
function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Joins consecutive ranges (flat, inclusive) whose gap holds only ids of the sorted `ownIds`. */
function bridgeOwnIds(ranges: readonly number[], ownIds: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < ranges.length; r += 2) {
    const start = ranges[r] as number;
    const end = ranges[r + 1] as number;
    const lastEnd = out.at(-1);
    if (lastEnd !== undefined) {
      const gap = start - lastEnd - 1;
      if (lowerBound(ownIds, start) - lowerBound(ownIds, lastEnd + 1) === gap) {
        out[out.length - 1] = end;
        continue;
      }
    }
    out.push(start, end);
  }
  return out;
}

/** Takes the sorted `ownIds` out of ranges (flat, inclusive): the inverse of bridgeOwnIds. */
function withoutOwnIds(ranges: readonly number[], ownIds: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < ranges.length; r += 2) {
    let start = ranges[r] as number;
    const end = ranges[r + 1] as number;
    for (let i = lowerBound(ownIds, start); i < ownIds.length && (ownIds[i] as number) <= end; i++) {
      const own = ownIds[i] as number;
      if (own > start) out.push(start, own - 1);
      start = own + 1;
    }
    if (start <= end) out.push(start, end);
  }
  return out;
}

/** Reads the integers of one ledger array in order, refusing what is not there. */
class Reader {
  private at = 0;
  constructor(
    private readonly values: readonly unknown[],
    private readonly field: string,
  ) {}
  get done(): boolean {
    return this.at >= this.values.length;
  }
  next(): number {
    const value = this.values[this.at++];
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw new LedgerFormatError(`ledger ${this.field}[${this.at - 1}]: expected an integer`);
    return value;
  }
}

/** Decodes a stored ledger. Throws LedgerFormatError when it is not a readable ledger of this version. */
export function decodeLedger(ledger: SegmentLedger): LedgerData {
  if (typeof ledger !== 'object' || ledger === null) throw new LedgerFormatError('ledger: not an object');
  if (ledger.version !== SEGMENT_LEDGER_VERSION)
    throw new LedgerFormatError(
      `ledger version ${JSON.stringify(ledger.version)} is not supported (expected ${SEGMENT_LEDGER_VERSION})`,
    );
  const { baseMs } = ledger;
  if (!Number.isSafeInteger(baseMs)) throw new LedgerFormatError('ledger baseMs: expected an integer');
  for (const field of ['acked', 'memberships', 'foreign'] as const)
    if (!Array.isArray(ledger[field])) throw new LedgerFormatError(`ledger ${field}: expected an array`);
  const ms = (micros: number): number => (micros === -1 ? Infinity : baseMs + micros / 1000);

  const acked: AckedMessage[] = [];
  let lastId = 0;
  let lastSent = 0;
  for (const read = new Reader(ledger.acked, 'acked'); !read.done;) {
    const roomId = read.next();
    lastId += read.next();
    lastSent += read.next();
    const ackedMicros = lastSent + read.next();
    acked.push({ roomId, messageId: lastId, sentAtMs: ms(lastSent), ackedAtMs: ms(ackedMicros) });
  }
  const memberships: MembershipLog[] = [];
  for (const read = new Reader(ledger.memberships, 'memberships'); !read.done;) {
    const recipient = read.next();
    const roomId = read.next();
    const intervals: MembershipInterval[] = [];
    for (let k = read.next(); k > 0; k--) {
      intervals.push({
        from: ms(read.next()),
        to: ms(read.next()),
        certainFrom: ms(read.next()),
        certainTo: ms(read.next()),
      });
    }
    memberships.push({ recipient, roomId, intervals });
  }
  const ownIds = acked.map((m) => m.messageId).sort((a, b) => a - b);
  const foreign: ForeignIdLog[] = [];
  for (const read = new Reader(ledger.foreign, 'foreign'); !read.done;) {
    const recipient = read.next();
    const roomId = read.next();
    const ranges: number[] = [];
    let lastEnd = 0;
    for (let k = read.next(); k > 0; k--) {
      const start = lastEnd + read.next();
      lastEnd = start + read.next();
      ranges.push(start, lastEnd);
    }
    foreign.push({ recipient, roomId, ranges: withoutOwnIds(ranges, ownIds) });
  }
  return { acked, memberships, foreign, ...decodeSendRecords(ledger) };
}

/** The ack timeouts and foreign sends of a stored ledger (none in ledgers of older versions). */
function decodeSendRecords(ledger: SegmentLedger): Pick<LedgerData, 'ackTimeouts' | 'foreignSends'> {
  for (const field of ['ackTimeouts', 'foreignSends'] as const)
    if (ledger[field] !== undefined && !Array.isArray(ledger[field]))
      throw new LedgerFormatError(`ledger ${field}: expected an array`);
  const ackTimeouts: AckTimedOutSendRecord[] = [];
  let client = 0;
  let seq = 0;
  for (const read = new Reader(ledger.ackTimeouts ?? [], 'ackTimeouts'); !read.done;) {
    const roomId = read.next();
    const clientDelta = read.next();
    const seqField = read.next();
    seq = clientDelta === 0 ? seq + seqField : seqField;
    client += clientDelta;
    ackTimeouts.push({ roomId, client, seq });
  }
  const foreignSends: IdentifiedMessage[] = [];
  let messageId = 0;
  for (const read = new Reader(ledger.foreignSends ?? [], 'foreignSends'); !read.done;) {
    messageId += read.next();
    foreignSends.push({ messageId, client: read.next(), seq: read.next() });
  }
  return { ackTimeouts, foreignSends };
}

/** Combines the ledgers of the workers of one segment (disjoint senders and recipients) into one. */
export function mergeLedgers(ledgers: readonly SegmentLedger[]): SegmentLedger {
  const all: LedgerData = { acked: [], memberships: [], foreign: [], ackTimeouts: [], foreignSends: [] };
  for (const ledger of ledgers) {
    const data = decodeLedger(ledger);
    // Loops, not push(...): a spread of a long run's acks would overflow the call stack.
    for (const m of data.acked) all.acked.push(m);
    for (const log of data.memberships) all.memberships.push(log);
    for (const log of data.foreign) all.foreign.push(log);
    for (const send of data.ackTimeouts) all.ackTimeouts.push(send);
    for (const message of data.foreignSends) all.foreignSends.push(message);
  }
  return encodeLedger(all);
}
