/**
 * Catalogue of the metric names a run records. Shared by the recorders, the result builder and the
 * scenario threshold parser, so a name means the same thing everywhere.
 */

/** Latency metrics, each recorded as an HdrHistogram in microseconds and reported in milliseconds. */
export const LATENCY_METRICS = [
  /** Publish-to-deliver: recipient's receive time minus the SCHEDULED send time, for every recipient. */
  'deliver',
  /** Send-to-ack: MessageAck receive time minus the SCHEDULED send time, at the sender. */
  'ack',
  /** Connection attempt start to QUIC handshake complete. */
  'connect',
  /** Connection attempt start to AuthOk (QUIC + Hello/HelloAck + Auth). */
  'handshake',
  /** UploadStart sent to final UploadAck received. */
  'upload',
  /** Harness scheduling lag: actual send time minus scheduled send time (the harness's own delay). */
  'schedule_lag',
  /** Promotion reaction: first RoomPromoted seen minus the moment the room's send rate reached promote_rate. */
  'promotion',
  /** Demotion reaction: first RoomDemoted seen minus the earliest moment the server was allowed to demote. */
  'demotion',
] as const;

/** Name of a latency metric. */
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Latency metrics a worker records directly; `promotion`/`demotion` are derived from room events when the result is built. */
export const RECORDED_LATENCY_METRICS = [
  'deliver',
  'ack',
  'connect',
  'handshake',
  'upload',
  'schedule_lag',
] as const satisfies readonly LatencyMetric[];

/** Name of a latency metric recorded by a worker. */
export type RecordedLatencyMetric = (typeof RECORDED_LATENCY_METRICS)[number];

/** Event counters, summed across workers. */
export const COUNTERS = [
  /** Operations the open-model scheduler produced (whether or not they could be performed). */
  'scheduled',
  /** Scheduled operations skipped because the chosen client was not connected (or had nothing to act on). */
  'skipped',
  /** SendMessage frames written. */
  'sent',
  /** MessageAck frames received by senders. */
  'acked',
  /** RoomMessage deliveries received (every recipient, duplicates included). */
  'delivered',
  'edits',
  'deletes',
  'reactions',
  /**
   * Reactions the server answered NOT_FOUND because their message was deleted first, while the reaction was on its
   * way (harness/client/reaction-race.ts): the server was right, so they are not `errors`.
   */
  'reactions_raced_delete',
  'typing_sent',
  'typing_received',
  'joins',
  'leaves',
  /** Connections that reached AuthOk. */
  'connects',
  /** Connection attempts that failed (QUIC, TLS, handshake or auth). */
  'connect_failures',
  /** Connections lost without the harness asking for it. */
  'disconnects',
  /** Deliberate disconnect + reconnect cycles (churn, storms). */
  'reconnects',
  /** Connections re-established (AuthOk) after a drop (`clients.reconnect_on_drop`). */
  'drop_reconnects',
  'uploads',
  'upload_bytes',
  'upload_failures',
  /** Throttle frames received. */
  'throttles',
  /** Error frames received plus operations that failed (see `RunRecorder.recordError`). */
  'errors',
  /** MessageDelivered receipts written (`actions.receipts.delivered`). */
  'receipts_delivered',
  /** MessageRead receipts written (`actions.receipts.read`). */
  'receipts_read',
] as const;

/** Name of an event counter. */
export type CounterName = (typeof COUNTERS)[number];

/** Values of every counter. */
export type Counters = Record<CounterName, number>;

/** Correctness figures produced by the delivery tracker (see `DeliveryCounts`). */
export const CORRECTNESS_FIELDS = [
  'expected',
  'seen',
  'loss',
  'duplicates',
  'reorders',
  'late',
  'unexpected',
  'ackTimedOutDeliveries',
] as const;

/** Name of a correctness figure. */
export type CorrectnessField = (typeof CORRECTNESS_FIELDS)[number];

/** Throughput figures, per second over the phases' wall time. */
export const THROUGHPUT_FIELDS = ['sends', 'acks', 'deliveries'] as const;

/** Name of a throughput figure. */
export type ThroughputField = (typeof THROUGHPUT_FIELDS)[number];

/** Ratios between counters. */
export const RATIO_FIELDS = [
  /** loss / expected deliveries. */
  'loss_rate',
  /** errors / operations sent (sends + edits + deletes + reactions + uploads). */
  'error_rate',
] as const;

/** Name of a ratio. */
export type RatioField = (typeof RATIO_FIELDS)[number];

/** A zeroed set of counters. */
export function zeroCounters(): Counters {
  const counters = {} as Counters;
  for (const name of COUNTERS) counters[name] = 0;
  return counters;
}

/** Adds `other` into `into`, counter by counter. */
export function addCounters(into: Counters, other: Counters): void {
  for (const name of COUNTERS) into[name] += other[name] ?? 0;
}
