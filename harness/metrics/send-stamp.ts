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

/** Decodes a nonce written by `encodeSendStamp`; undefined for any other nonce (e.g. other clients'). */
export function decodeSendStamp(nonce: string | null | undefined): SendStamp | undefined {
  if (!nonce || !nonce.startsWith(PREFIX)) return undefined;
  const parts = nonce.slice(PREFIX.length).split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[0-9a-z]+$/.test(p))) return undefined;
  const [client, seq, micros] = parts.map((p) => parseInt(p, 36)) as [number, number, number];
  if (![client, seq, micros].every(Number.isSafeInteger)) return undefined;
  return { client, seq, scheduledAtMs: micros / 1000 };
}
