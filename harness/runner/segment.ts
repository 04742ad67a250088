/**
 * Segments: the deterministic partition of one scenario into n slices that together are exactly the whole
 * scenario, for running it across machines (`garou-bench run --segment i/n`). A client belongs to exactly one
 * segment (global index % n), and inside its segment to exactly one local worker; every operation is performed
 * by the owner of its sender, so clients, their room memberships and the arrivals are all split by the same rule.
 * `--workers N` on one machine is segment 0/1 split over N workers: the same rule, with n = 1.
 */

/** Slice `index` (0-based) of `count` slices of a scenario. */
export interface SegmentSpec {
  index: number;
  count: number;
}

/** The whole scenario as a single segment. */
export const WHOLE_SCENARIO: SegmentSpec = { index: 0, count: 1 };

/** Largest segment count accepted. */
export const MAX_SEGMENTS = 1024;

/** A `--segment` or `--start-at` value that cannot be used; the message names the value and why. */
export class SegmentSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentSyntaxError';
  }
}

/** Parses "i/n" (0 <= i < n <= MAX_SEGMENTS). Throws SegmentSyntaxError otherwise. */
export function parseSegment(text: string): SegmentSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new SegmentSyntaxError(`--segment must be i/n (e.g. 0/4), got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SEGMENTS)
    throw new SegmentSyntaxError(`--segment ${text}: the count n must be from 1 to ${MAX_SEGMENTS}`);
  if (index >= count)
    throw new SegmentSyntaxError(`--segment ${text}: the index i must be from 0 to ${count - 1}`);
  return { index, count };
}

/** Parses an absolute start time: an ISO 8601 time with a zone, or epoch milliseconds. Returns epoch ms. */
export function parseStartAt(text: string): number {
  const trimmed = text.trim();
  if (/^\d{10,16}$/.test(trimmed)) return Number(trimmed);
  // A time without a zone would depend on each machine's local zone: refuse it.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms;
  }
  throw new SegmentSyntaxError(
    `--start-at must be an ISO time with a zone (e.g. 2030-01-01T12:00:00Z) or epoch milliseconds, got "${text}"`,
  );
}

/** Whether global client `client` belongs to `segment`. */
export function segmentOwnsClient(segment: SegmentSpec, client: number): boolean {
  return client >= 0 && client % segment.count === segment.index;
}

/**
 * Whether global client `client` belongs to local worker `workerIndex` of `workerCount` in `segment`.
 * Inside a segment its clients are dealt round-robin, so the rule does not depend on the other segments' worker counts.
 */
export function workerOwnsClient(
  segment: SegmentSpec,
  workerIndex: number,
  workerCount: number,
  client: number,
): boolean {
  return (
    segmentOwnsClient(segment, client) && Math.floor(client / segment.count) % workerCount === workerIndex
  );
}
