/**
 * Evidence for correctness anomalies: the first few examples of each kind (lost, duplicate, reordered, late,
 * unexpected delivery, ack timeout, Error frame) with everything a server author needs to check them: room,
 * message id, sender, recipient, send/ack/delivery times and the recipient's membership intervals as the harness
 * saw them. Memory is bounded (`perKind` examples per kind) and nothing is recorded unless an anomaly happens, so
 * the per-delivery hot path pays nothing.
 */
import type { MembershipInterval } from './delivery-records.js';

/** The kinds of anomaly a run counts (the counters they explain: loss, duplicates, reorders, late, unexpected, errors). */
export const ANOMALY_KINDS = [
  'loss',
  'duplicate',
  'reorder',
  'late',
  'unexpected',
  'ack_timeout',
  'error',
] as const;

/** One kind of anomaly. */
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** A membership interval as JSON can carry it: null stands for "not (yet) known" (Infinity in the tracker). */
export interface ExampleInterval {
  from: number;
  to: number | null;
  certainFrom: number | null;
  certainTo: number | null;
}

/**
 * One anomaly. Times are epoch ms in a worker result and ms since the run start in summary.json; null where the
 * kind has no such fact (e.g. no delivery time for a loss).
 */
export interface AnomalyExample {
  kind: AnomalyKind;
  roomId: number | null;
  messageId: number | null;
  /** Client index of the sender (username: the scenario's pattern), null when unknown. */
  sender: number | null;
  /** Client index of the recipient (or of the client that got the Error frame / sent the unacked message). */
  recipient: number | null;
  sentAt: number | null;
  ackedAt: number | null;
  deliveredAt: number | null;
  /** The recipient's membership intervals in the room as the harness saw them (latest last), when relevant. */
  membership: ExampleInterval[] | null;
  /** Reorders: the highest id the recipient had already received in the room (ids must arrive increasing). */
  expectedAfter: number | null;
  /** Free text: the Error frame's code and context, the connection state, ... */
  detail: string | null;
}

/** What a recorder gets: every field optional except the kind. */
export type AnomalyFacts = Partial<Omit<AnomalyExample, 'kind' | 'membership'>> & {
  membership?: readonly MembershipInterval[] | null;
};

/** Default number of examples kept per kind. */
export const DEFAULT_EXAMPLES_PER_KIND = 10;

/** Membership intervals kept per example (the latest ones). */
const INTERVALS_KEPT = 4;

/** Copies tracker intervals into the JSON form (Infinity -> null), the latest `INTERVALS_KEPT` only. */
export function exampleIntervals(intervals: readonly MembershipInterval[]): ExampleInterval[] {
  return intervals.slice(-INTERVALS_KEPT).map((i) => ({
    from: i.from,
    to: finiteOrNull(i.to),
    certainFrom: finiteOrNull(i.certainFrom),
    certainTo: finiteOrNull(i.certainTo),
  }));
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The first examples of each anomaly kind of one worker. */
export class AnomalyExamples {
  private readonly kept = new Map<AnomalyKind, AnomalyExample[]>();

  constructor(readonly perKind = DEFAULT_EXAMPLES_PER_KIND) {}

  /** Whether another example of `kind` would still be kept (lets callers skip building the facts). */
  wants(kind: AnomalyKind): boolean {
    return (this.kept.get(kind)?.length ?? 0) < this.perKind;
  }

  /** Keeps an example of `kind` unless `perKind` are kept already. */
  record(kind: AnomalyKind, facts: AnomalyFacts): void {
    let list = this.kept.get(kind);
    if (list === undefined) this.kept.set(kind, (list = []));
    if (list.length >= this.perKind) return;
    list.push({
      kind,
      roomId: facts.roomId ?? null,
      messageId: facts.messageId ?? null,
      sender: facts.sender ?? null,
      recipient: facts.recipient ?? null,
      sentAt: facts.sentAt ?? null,
      ackedAt: facts.ackedAt ?? null,
      deliveredAt: facts.deliveredAt ?? null,
      membership: facts.membership ? exampleIntervals(facts.membership) : null,
      expectedAfter: facts.expectedAfter ?? null,
      detail: facts.detail ?? null,
    });
  }

  /**
   * Drops the kept example of `kind` for (message, recipient), if any: a pair counted lost that arrived late after
   * all is no longer a loss. Returns whether one was dropped.
   */
  withdraw(kind: AnomalyKind, messageId: number, recipient: number): boolean {
    const list = this.kept.get(kind);
    const at = list?.findIndex((e) => e.messageId === messageId && e.recipient === recipient) ?? -1;
    if (at < 0) return false;
    (list as AnomalyExample[]).splice(at, 1);
    return true;
  }

  /** Appends `detail` to the kept example of `kind` for (message, recipient), if any. */
  annotate(kind: AnomalyKind, messageId: number, recipient: number, detail: string): void {
    const example = this.kept.get(kind)?.find((e) => e.messageId === messageId && e.recipient === recipient);
    if (example !== undefined)
      example.detail = example.detail === null ? detail : `${example.detail}; ${detail}`;
  }

  /** Every kept example, kinds in ANOMALY_KINDS order, each kind in the order recorded. */
  list(): AnomalyExample[] {
    return ANOMALY_KINDS.flatMap((kind) => this.kept.get(kind) ?? []).map((e) => ({ ...e }));
  }
}

/**
 * Merges the examples of several workers: per kind the `perKind` earliest (by delivery, ack or send time, the
 * first known), so a multi-worker run shows the same kind of evidence as a single process.
 */
export function mergeAnomalyExamples(
  lists: ReadonlyArray<readonly AnomalyExample[] | undefined>,
  perKind = DEFAULT_EXAMPLES_PER_KIND,
): AnomalyExample[] {
  const all = lists.flatMap((list) => list ?? []);
  return ANOMALY_KINDS.flatMap((kind) =>
    all
      .filter((e) => e.kind === kind)
      .sort((a, b) => exampleTime(a) - exampleTime(b))
      .slice(0, perKind),
  );
}

/** The time an example is ordered by: delivery, else ack, else send time. */
export function exampleTime(example: AnomalyExample): number {
  return example.deliveredAt ?? example.ackedAt ?? example.sentAt ?? 0;
}

/** The example with every time (and membership edge) made relative to `originMs` (summary.json's form). */
export function relativeExample(example: AnomalyExample, originMs: number): AnomalyExample {
  const rel = (t: number | null): number | null => (t === null ? null : t - originMs);
  return {
    ...example,
    sentAt: rel(example.sentAt),
    ackedAt: rel(example.ackedAt),
    deliveredAt: rel(example.deliveredAt),
    membership:
      example.membership?.map((i) => ({
        from: i.from - originMs,
        to: rel(i.to),
        certainFrom: rel(i.certainFrom),
        certainTo: rel(i.certainTo),
      })) ?? null,
  };
}
