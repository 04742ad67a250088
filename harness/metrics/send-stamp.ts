/**
 * The harness's SendMessage nonce. It carries what a recipient in ANY worker needs to measure
 * publish-to-deliver latency from the SCHEDULED send time: the sender's client index, a per-sender
 * sequence number and the scheduled time (epoch microseconds). RoomMessage echoes the nonce.
 * Format: "gb1.<client>.<seq>.<scheduledMicros>" with base-36 numbers (short, ASCII, unique per send).
 */

/** What a harness nonce says about a send. */
export interface SendStamp {
  /** Global client index of the sender. */
  client: number;
  /** Sender's own send counter. */
  seq: number;
  /** Scheduled send time, epoch milliseconds (microsecond precision). */
  scheduledAtMs: number;
}

const PREFIX = 'gb1.';

/** Encodes a stamp into a nonce string. */
export function encodeSendStamp(stamp: SendStamp): string {
  const micros = Math.round(stamp.scheduledAtMs * 1000);
  return `${PREFIX}${stamp.client.toString(36)}.${stamp.seq.toString(36)}.${micros.toString(36)}`;
}

/** Index just after the field base36Field last read (saves returning a pair per field). */
let fieldEnd = 0;

/**
 * Value of the base-36 field of `nonce` from `start` up to the next '.' (or the end when `last`), or -1 when the
 * field is empty, holds a character other than [0-9a-z], or exceeds the safe integer range. `fieldEnd` receives
 * the index after the field. Hand-rolled: this runs once per delivered message (no split, regex or parseInt).
 */
function base36Field(nonce: string, start: number, last: boolean): number {
  const n = nonce.length;
  let value = 0;
  let i = start;
  for (; i < n; i++) {
    const c = nonce.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 122) digit = c - 87;
    else if (c === 46 /* . */ && !last) break;
    else return -1;
    value = value * 36 + digit;
  }
  fieldEnd = i;
  // Above 2^53 the accumulation may round, but then it stays >= 2^53: unsafe either way.
  return i === start || !Number.isSafeInteger(value) ? -1 : value;
}

/** Decodes a nonce written by `encodeSendStamp`; undefined for any other nonce (e.g. other clients'). */
export function decodeSendStamp(nonce: string | null | undefined): SendStamp | undefined {
  const stamp: SendStamp = { client: 0, seq: 0, scheduledAtMs: 0 };
  return decodeSendStampInto(nonce, stamp) ? stamp : undefined;
}

/**
 * `decodeSendStamp` into a caller's object (no allocation: it runs once per delivered message). Returns false,
 * leaving `into` in an unspecified state, for a nonce `encodeSendStamp` did not write.
 */
export function decodeSendStampInto(nonce: string | null | undefined, into: SendStamp): boolean {
  if (!nonce || !nonce.startsWith(PREFIX)) return false;
  const client = base36Field(nonce, PREFIX.length, false);
  if (client < 0 || fieldEnd === nonce.length) return false;
  const seq = base36Field(nonce, fieldEnd + 1, false);
  if (seq < 0 || fieldEnd === nonce.length) return false;
  const micros = base36Field(nonce, fieldEnd + 1, true);
  if (micros < 0) return false;
  into.client = client;
  into.seq = seq;
  into.scheduledAtMs = micros / 1000;
  return true;
}
