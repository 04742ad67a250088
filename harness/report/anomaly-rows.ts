/**
 * The anomaly examples of a result (summary.json `anomalies`) as rows of readable cells, shared by the HTML
 * report's evidence section and `garou-bench explain`: client indices become usernames, times offsets since the
 * run start, membership intervals one line each.
 */
import type { AnomalyExample, AnomalyKind, ExampleInterval } from '../metrics/anomaly-examples.js';
import type { RunResult } from '../metrics/run-result.js';
import { formatUsername } from '../scenario/username.js';

/** Column headings of an anomaly row. */
export const ANOMALY_COLUMNS = [
  'kind',
  'room',
  'message',
  'sender',
  'recipient',
  'sent',
  'acked',
  'delivered',
  'recipient membership (as the harness saw it)',
  'detail',
] as const;

/** What each kind means, for a reader who has not read the source. */
export const ANOMALY_MEANING: Record<AnomalyKind, string> = {
  loss: 'an expected (message, recipient) pair never delivered',
  duplicate: 'an id delivered again to the same recipient in the room',
  reorder: 'an id delivered after a higher id of the same room (ids must increase)',
  late: 'an expected pair delivered after the grace period',
  unexpected: 'a delivery no acked message explains for that recipient',
  ack_timeout: 'a SendMessage without MessageAck within the grace period',
  error: 'an Error frame from the server',
};

/** One example as cells (plain text). */
export type AnomalyRow = Record<(typeof ANOMALY_COLUMNS)[number], string>;

/** The examples of a result as rows, in summary.json's order; empty without evidence. */
export function anomalyRows(result: RunResult): AnomalyRow[] {
  const evidence = result.anomalies;
  if (evidence === undefined) return [];
  const rooms = new Map(result.correctness.rooms.map((r) => [r.roomId, r.room]));
  const user = (index: number | null): string =>
    index === null ? '-' : formatUsername(evidence.usernamePattern, index);
  return evidence.examples.map((example) => ({
    kind: example.kind,
    room: roomName(example.roomId, rooms.get(example.roomId ?? -1) ?? null),
    message: example.messageId === null ? '-' : `#${example.messageId}`,
    sender: user(example.sender),
    recipient: user(example.recipient),
    sent: offset(example.sentAt),
    acked: offset(example.ackedAt),
    delivered: offset(example.deliveredAt),
    'recipient membership (as the harness saw it)': membershipText(example.membership),
    detail: detailText(example),
  }));
}

function roomName(roomId: number | null, label: string | null): string {
  if (roomId === null) return '-';
  return label === null ? String(roomId) : `${label} (${roomId})`;
}

/** An offset in ms since the run start as "+12.345s". */
function offset(ms: number | null): string {
  return ms === null ? '-' : `+${(ms / 1000).toFixed(3)}s`;
}

/** "+1.200s..+5.000s certain +1.250s..+4.900s" per interval; "joining" / "open" for edges not known yet. */
export function membershipText(intervals: readonly ExampleInterval[] | null): string {
  if (intervals === null) return '-';
  if (intervals.length === 0) return 'never a member';
  return intervals
    .map((i) => {
      const certain =
        i.certainFrom === null
          ? 'never certain (join not confirmed)'
          : `certain ${offset(i.certainFrom)}..${i.certainTo === null ? 'open' : offset(i.certainTo)}`;
      return `${offset(i.from)}..${i.to === null ? 'open' : offset(i.to)} (${certain})`;
    })
    .join('; ');
}

function detailText(example: AnomalyExample): string {
  const parts: string[] = [];
  if (example.kind === 'reorder' && example.expectedAfter !== null) {
    parts.push(
      `expected an id above #${example.expectedAfter} (already received), saw #${example.messageId}`,
    );
  }
  if (example.detail !== null) parts.push(example.detail);
  return parts.length > 0 ? parts.join('; ') : '-';
}
