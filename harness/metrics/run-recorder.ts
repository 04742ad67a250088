/**
 * Everything one worker measures during a run. The runner (transport side) calls the `record*` methods;
 * `snapshot()` returns the plain `WorkerResult`. Times are epoch milliseconds from `epochNowMs()`.
 *
 * Latencies count from the SCHEDULED send time (open model: no coordinated omission); the harness's
 * own delay (actual minus scheduled send time) is recorded separately as `schedule_lag`.
 */
import type { HotRoomOptions } from '../scenario/types.js';
import { AnomalyExamples } from './anomaly-examples.js';
import { ClockOffsetEstimator, ForeignDeliverRecorder } from './clock-offset.js';
import type { AckTimedOutSend } from './ack-timed-out-sends.js';
import { DeliveryTracker, type AckedMessage, type DeliveryVerdict } from './delivery-tracker.js';
import { HotRoomReactionTracker } from './hot-room-reaction.js';
import { LatencyRecorder } from './latency-recorder.js';
import { encodeLedger } from './segment-ledger.js';
import { decodeSendStamp } from './send-stamp.js';
import { ForeignSendLog, type AckTimedOutSendRecord } from './send-identities.js';
import {
  RECORDED_LATENCY_METRICS,
  zeroCounters,
  type CounterName,
  type Counters,
  type RecordedLatencyMetric,
} from './metric-names.js';
import {
  WORKER_RESULT_VERSION,
  type EncodedHistograms,
  type PhaseWindow,
  type RoomEventRecord,
  type WorkerResult,
} from './worker-result.js';

/** Live figures for the progress line (see report/progress-line.ts). */
export interface ProgressSnapshot {
  /** Since run start. */
  elapsedMs: number;
  /** Current phase, or null before the first / after the last phase. */
  phase: string | null;
  connected: number;
  /** Sends during the last complete second. */
  sentPerSec: number;
  /** Deliveries during the last complete second. */
  deliveredPerSec: number;
  /** Deliver p99 (ms; a worker reports it since the start, the coordinator's merged line over the last seconds). */
  p99Ms: number | null;
  errors: number;
  /**
   * Expected pairs past their grace and not delivered so far (counted lost unless they arrive), and how many such
   * pairs arrived late so far: the end-of-run drain waits while `late` grows (runner/end-drain.ts). Absent before
   * the recorder exists.
   */
  missing?: number;
  late?: number;
}

/** One worker's share of the live metrics, sent with every progress snapshot. */
export interface WorkerLiveReport {
  /** Counters since the start (cumulative). */
  counters: Counters;
  /** Latencies recorded since the previous report, encoded; metrics without samples are absent. */
  interval: Partial<EncodedHistograms>;
}

interface LiveBucket {
  sent: number;
  acked: number;
  delivered: number;
  errors: number;
  connected: number | undefined;
  /** Live histogram of the second while deliveries may still land in it. */
  deliver: LatencyRecorder | undefined;
  /** Encoded histogram once the second is sealed (keeps long runs small). */
  deliverEncoded: string | undefined;
}

const EMPTY_HISTOGRAM = (): string => new LatencyRecorder().encode();

/** Seconds a timeline bucket stays live before its histogram is encoded and released. */
const LIVE_SECONDS = 3;

type Recorders = Record<RecordedLatencyMetric, LatencyRecorder>;

function newRecorders(): Recorders {
  const recorders = {} as Recorders;
  for (const metric of RECORDED_LATENCY_METRICS) recorders[metric] = new LatencyRecorder();
  return recorders;
}

function encodeRecorders(recorders: Recorders): EncodedHistograms {
  const encoded = {} as EncodedHistograms;
  for (const metric of RECORDED_LATENCY_METRICS) encoded[metric] = recorders[metric].encode();
  return encoded;
}

/** Options of a RunRecorder. */
export interface RunRecorderOptions {
  /** Run start, epoch ms (same value in every worker). */
  startMs: number;
  /** Phase windows, epoch ms. */
  phases: PhaseWindow[];
  /** Delivery grace period (scenario `correctness.grace`). */
  graceMs: number;
  /** Hot-room parameters in force on the target (HelloAck hot_room_config, else the scenario's); enables reaction times. */
  hotRooms?: HotRoomOptions;
  /**
   * Keep the segment ledger (segment runs with n > 1): the local acks and the full membership log, returned in
   * the snapshot's `ledger` for the merge to judge the cross-segment pairs (see segment-ledger.ts).
   */
  segmentLedger?: boolean;
  /**
   * Segment count n of a segment run (default 1): deliveries from another segment are timed per sender segment
   * (client c is in segment c % n) for the merge to correct by the clock offsets (see clock-offset.ts).
   */
  segmentCount?: number;
}

/** Records one worker's measurements. */
export class RunRecorder {
  /** Correctness tracker; also reachable through `recordDelivery`/`recordAcked`/`registerAck`. */
  readonly delivery: DeliveryTracker;
  /** The first examples of each correctness anomaly (the tracker's, ack timeouts and Error frames). */
  readonly examples = new AnomalyExamples();
  private readonly reaction: HotRoomReactionTracker | undefined;
  private readonly latency = newRecorders();
  /** Latencies since the last `takeLiveReport()`: the live metrics' share of this worker. */
  private liveInterval = newRecorders();
  private readonly phaseLatency: Recorders[];
  private readonly counters = zeroCounters();
  private readonly phaseCounters: Counters[];
  private readonly errorsByCode: Record<string, number> = {};
  private readonly timeline: LiveBucket[] = [];
  private readonly events: RoomEventRecord[] = [];
  private crossSegment = 0;
  /** Messages acked to this worker's senders (segment ledger), or null without a ledger. */
  private readonly ackedLog: AckedMessage[] | null;
  /** This worker's sends whose ack timed out (segment ledger), or null without a ledger. */
  private readonly ackTimeoutLog: AckTimedOutSendRecord[] | null;
  /** The send of each id received from other segments (segment ledger), or null without a ledger. */
  private readonly foreignSends: ForeignSendLog | null;
  /** This machine's clock against the server's, from the acks (segment runs). */
  private readonly clock = new ClockOffsetEstimator();
  /** Raw latencies of deliveries from other segments, per sender segment (segment runs). */
  private readonly foreignDeliver = new ForeignDeliverRecorder();
  private readonly lastEvent = new Map<number, RoomEventRecord>();
  private connectedNow = 0;
  private sealedBefore = 0;
  /** Index of the phase phaseIndexAt found last (a one-entry cache). */
  private lastPhase = 0;

  constructor(private readonly options: RunRecorderOptions) {
    const ledger = options.segmentLedger ?? false;
    this.delivery = new DeliveryTracker({
      graceMs: options.graceMs,
      keepMembershipLog: ledger,
      examples: this.examples,
    });
    this.ackedLog = ledger ? [] : null;
    this.ackTimeoutLog = ledger ? [] : null;
    this.foreignSends = ledger ? new ForeignSendLog() : null;
    this.reaction = options.hotRooms ? new HotRoomReactionTracker(options.hotRooms) : undefined;
    this.phaseLatency = options.phases.map(() => newRecorders());
    this.phaseCounters = options.phases.map(() => zeroCounters());
  }

  /** Index of the phase containing `atMs`, or -1. */
  phaseIndexAt(atMs: number): number {
    // Samples arrive mostly in time order: the last phase found usually contains the next one too.
    const phases = this.options.phases;
    const last = phases[this.lastPhase];
    if (last !== undefined && atMs >= last.startMs && atMs < last.endMs) return this.lastPhase;
    for (let i = 0; i < phases.length; i++) {
      const p = phases[i] as PhaseWindow;
      if (atMs >= p.startMs && atMs < p.endMs) {
        this.lastPhase = i;
        return i;
      }
    }
    return -1;
  }

  /** Records a latency sample; `phaseAtMs` decides the phase it belongs to (normally the scheduled time). */
  recordLatency(metric: RecordedLatencyMetric, valueMs: number, phaseAtMs: number): void {
    this.latency[metric].recordMs(valueMs);
    this.liveInterval[metric].recordMs(valueMs);
    const phase = this.phaseIndexAt(phaseAtMs);
    if (phase >= 0) (this.phaseLatency[phase] as Recorders)[metric].recordMs(valueMs);
  }

  /** Adds `n` to a counter at time `atMs` (phase and timeline by that time). */
  count(counter: CounterName, atMs: number, n = 1): void {
    this.counters[counter] += n;
    const phase = this.phaseIndexAt(atMs);
    if (phase >= 0) (this.phaseCounters[phase] as Counters)[counter] += n;
    if (counter === 'sent' || counter === 'acked' || counter === 'delivered' || counter === 'errors') {
      this.bucket(atMs)[counter] += n;
    }
  }

  /**
   * Records a delivery of a message sent from another segment (segment runs): counted in `delivered`, judged
   * here for duplicates and order only, its id kept in the ledger for the merge to judge loss (its ack is known
   * to the other segment only). Its latency is not measured (the scheduled time is another machine's clock).
   */
  recordCrossSegmentDelivery(delivery: {
    recipient: number;
    roomId: number;
    messageId: number;
    receivedAtMs: number;
    /** Sender, its send counter and scheduled time (sender's clock) from the nonce stamp, when there is one. */
    sender?: number;
    seq?: number;
    scheduledAtMs?: number;
  }): 'ok' | 'reordered' | 'duplicate' {
    this.count('delivered', delivery.receivedAtMs);
    this.crossSegment++;
    const verdict = this.delivery.deliveredForeign(
      delivery.recipient,
      delivery.roomId,
      delivery.messageId,
      delivery.receivedAtMs,
    );
    // Which send the id is: the merge needs it if that send's ack timed out (only its segment knows).
    if (delivery.sender !== undefined && delivery.seq !== undefined)
      this.foreignSends?.record(delivery.messageId, delivery.sender, delivery.seq);
    if (verdict !== 'duplicate' && delivery.sender !== undefined && delivery.scheduledAtMs !== undefined) {
      // Timed in two clocks: the merge corrects it by the segments' clock offsets.
      this.foreignDeliver.record(
        delivery.sender % (this.options.segmentCount ?? 1),
        delivery.receivedAtMs - delivery.scheduledAtMs,
      );
    }
    return verdict;
  }

  /** Records an operation actually started at `actualAtMs` for its scheduled time: scheduling lag + `scheduled`. */
  recordScheduled(scheduledAtMs: number, actualAtMs: number): void {
    this.count('scheduled', scheduledAtMs);
    this.recordLatency('schedule_lag', actualAtMs - scheduledAtMs, scheduledAtMs);
  }

  /** Records a connection: QUIC handshake done at `connectedAtMs`, AuthOk at `authOkAtMs` (both from `startedAtMs`). */
  recordConnected(startedAtMs: number, connectedAtMs: number, authOkAtMs: number): void {
    this.recordLatency('connect', connectedAtMs - startedAtMs, startedAtMs);
    this.recordLatency('handshake', authOkAtMs - startedAtMs, startedAtMs);
    this.count('connects', authOkAtMs);
  }

  /** Records a completed upload of `bytes` (UploadStart sent at `startedAtMs`, final UploadAck at `doneAtMs`). */
  recordUpload(startedAtMs: number, doneAtMs: number, bytes: number): void {
    this.recordLatency('upload', doneAtMs - startedAtMs, startedAtMs);
    this.count('uploads', doneAtMs);
    this.count('upload_bytes', doneAtMs, bytes);
  }

  /**
   * Records a MessageAck received by a local sender: ack latency (from the scheduled time), `acked`, and
   * registers the message for correctness and hot-room timing. Returns the record the runner must relay to
   * every other worker's `registerAck`.
   */
  recordAcked(ack: {
    roomId: number;
    messageId: number;
    scheduledAtMs: number;
    sentAtMs: number;
    ackedAtMs: number;
    /** The server's time in the MessageAck (Unix ms), for the clock offset of segment runs. */
    serverAtMs?: number;
    /** Client index of the sender (anomaly examples). */
    sender?: number;
  }): AckedMessage {
    this.recordLatency('ack', ack.ackedAtMs - ack.scheduledAtMs, ack.scheduledAtMs);
    this.count('acked', ack.ackedAtMs);
    const message: AckedMessage = {
      roomId: ack.roomId,
      messageId: ack.messageId,
      sentAtMs: ack.sentAtMs,
      ackedAtMs: ack.ackedAtMs,
    };
    if (ack.sender !== undefined) message.sender = ack.sender;
    this.registerAck(message);
    if (this.ackedLog !== null) {
      this.ackedLog.push(message);
      if (ack.serverAtMs !== undefined) this.clock.sample(ack.sentAtMs, ack.ackedAtMs, ack.serverAtMs);
    }
    return message;
  }

  /** Registers a message acked in ANOTHER worker (relayed), for correctness and hot-room timing. */
  registerAck(message: AckedMessage): void {
    this.delivery.registerSent(message);
    this.reaction?.recordAccepted(message.roomId, message.sentAtMs);
  }

  /**
   * Records that a send of THIS worker's clients got no MessageAck in time: registered like a relayed one, and kept
   * in the segment ledger, where the merge attributes its deliveries to other segments' recipients.
   */
  recordAckTimedOut(send: AckTimedOutSend): void {
    const stamp = this.ackTimeoutLog === null ? undefined : decodeSendStamp(send.nonce);
    if (stamp !== undefined)
      this.ackTimeoutLog?.push({ roomId: send.roomId, client: stamp.client, seq: stamp.seq });
    this.registerAckTimeout(send);
  }

  /** Registers a send whose MessageAck timed out (here or in ANOTHER worker, relayed): see DeliveryTracker.sendTimedOut. */
  registerAckTimeout(send: AckTimedOutSend): void {
    this.delivery.sendTimedOut(send);
  }

  /**
   * Records a RoomMessage delivered to a local recipient (in its room-view order, i.e. after re-ordering across
   * a hot-stream switch). Counts `delivered`; records deliver latency from the scheduled send time (from the
   * nonce stamp) unless it is a duplicate. Returns the correctness verdict.
   */
  recordDelivery(delivery: {
    recipient: number;
    roomId: number;
    messageId: number;
    scheduledAtMs: number | undefined;
    receivedAtMs: number;
    /** The RoomMessage's nonce (identifies a send whose ack timed out). */
    nonce?: string | null;
  }): DeliveryVerdict {
    return this.recordDeliveryOf(
      delivery.recipient,
      delivery.roomId,
      delivery.messageId,
      delivery.scheduledAtMs,
      delivery.receivedAtMs,
      delivery.nonce ?? null,
    );
  }

  /** `recordDelivery` with positional arguments (the per-delivery hot path: no object per call). */
  recordDeliveryOf(
    recipient: number,
    roomId: number,
    messageId: number,
    scheduledAtMs: number | undefined,
    receivedAtMs: number,
    nonce: string | null = null,
  ): DeliveryVerdict {
    // count('delivered', receivedAtMs), with the bucket kept for the latency below.
    this.counters.delivered++;
    const receivedPhase = this.phaseIndexAt(receivedAtMs);
    if (receivedPhase >= 0) (this.phaseCounters[receivedPhase] as Counters).delivered++;
    const bucket = this.bucket(receivedAtMs);
    bucket.delivered++;
    const verdict = this.delivery.delivered(recipient, roomId, messageId, receivedAtMs, nonce);
    if (verdict !== 'duplicate' && scheduledAtMs !== undefined) {
      const latencyMs = receivedAtMs - scheduledAtMs;
      this.recordLatency('deliver', latencyMs, scheduledAtMs);
      if (!bucket.deliver) {
        // A straggler for an already sealed second re-opens it (rare: receive times only move forward).
        bucket.deliver = bucket.deliverEncoded
          ? LatencyRecorder.decode(bucket.deliverEncoded)
          : new LatencyRecorder();
        bucket.deliverEncoded = undefined;
      }
      bucket.deliver.recordMs(latencyMs);
      this.sealBuckets(receivedAtMs);
    }
    return verdict;
  }

  /** Records an error (Error frame code, or a name like "timeout", "ack_timeout") at `atMs`; counts `errors`. */
  recordError(code: number | string, atMs: number): void {
    this.errorsByCode[String(code)] = (this.errorsByCode[String(code)] ?? 0) + 1;
    this.count('errors', atMs);
  }

  /** Samples the number of connected clients of this worker. */
  sampleConnected(atMs: number, connected: number): void {
    this.connectedNow = connected;
    this.bucket(atMs).connected = connected;
  }

  /** A local client observed RoomPromoted for `roomId` at `atMs`. */
  roomPromoted(roomId: number, atMs: number): void {
    this.roomEvent('promoted', roomId, atMs);
  }

  /** A local client observed RoomDemoted for `roomId` at `atMs`. */
  roomDemoted(roomId: number, atMs: number): void {
    this.roomEvent('demoted', roomId, atMs);
  }

  /** Periodic housekeeping (about once a second): finalizes deliveries past their grace. */
  expire(nowMs: number): void {
    this.delivery.expire(nowMs);
  }

  /** Live figures of this worker. */
  progress(nowMs: number): ProgressSnapshot {
    const second = Math.floor((nowMs - this.options.startMs) / 1000) - 1;
    const last = second >= 0 ? this.timeline[second] : undefined;
    const phase = this.options.phases[this.phaseIndexAt(nowMs)];
    const correctness = this.delivery.totals();
    return {
      elapsedMs: nowMs - this.options.startMs,
      phase: phase ? phase.name : null,
      connected: this.connectedNow,
      sentPerSec: last?.sent ?? 0,
      deliveredPerSec: last?.delivered ?? 0,
      p99Ms: this.latency.deliver.count ? this.latency.deliver.percentileMs(99) : null,
      errors: this.counters.errors,
      missing: correctness.loss,
      late: correctness.late,
    };
  }

  /**
   * Counters so far and the latencies recorded since the previous call (encoded, non-empty metrics only), for
   * the live metrics (live-metrics.ts); starts a new interval.
   */
  takeLiveReport(): WorkerLiveReport {
    const interval: Partial<EncodedHistograms> = {};
    for (const metric of RECORDED_LATENCY_METRICS) {
      if (this.liveInterval[metric].count > 0) interval[metric] = this.liveInterval[metric].encode();
    }
    this.liveInterval = newRecorders();
    return { counters: { ...this.counters }, interval };
  }

  /** Plain-data result (call `delivery.finish()` first, after the grace period, for final correctness figures). */
  snapshot(): WorkerResult {
    let connected = 0;
    const timeline = this.timeline.map((bucket) => {
      connected = bucket?.connected ?? connected;
      return {
        sent: bucket?.sent ?? 0,
        acked: bucket?.acked ?? 0,
        delivered: bucket?.delivered ?? 0,
        errors: bucket?.errors ?? 0,
        connected,
        deliver: bucket?.deliver?.encode() ?? bucket?.deliverEncoded ?? EMPTY_HISTOGRAM(),
      };
    });
    let negative = 0;
    for (const metric of RECORDED_LATENCY_METRICS) negative += this.latency[metric].negativeClamped;
    return {
      version: WORKER_RESULT_VERSION,
      startMs: this.options.startMs,
      phases: this.options.phases.map((p) => ({ ...p })),
      latency: encodeRecorders(this.latency),
      counters: { ...this.counters },
      phaseStats: this.options.phases.map((_, i) => ({
        latency: encodeRecorders(this.phaseLatency[i] as Recorders),
        counters: { ...(this.phaseCounters[i] as Counters) },
      })),
      errorsByCode: { ...this.errorsByCode },
      delivery: this.delivery.snapshot(),
      timeline,
      events: this.events.map((e) => ({ ...e })),
      negativeLatencies: negative,
      crossSegmentDeliveries: this.crossSegment,
      anomalies: this.examples.list(),
      ...(this.ackedLog === null
        ? {}
        : {
            ledger: encodeLedger({
              acked: this.ackedLog,
              memberships: this.delivery.membershipLog(),
              foreign: this.delivery.foreignIds(),
              ackTimeouts: this.ackTimeoutLog ?? [],
              foreignSends: this.foreignSends?.list() ?? [],
            }),
            clockOffset: this.clock.estimate,
            foreignDeliver: this.foreignDeliver.encode(),
          }),
    };
  }

  private roomEvent(type: RoomEventRecord['type'], roomId: number, atMs: number): void {
    const last = this.lastEvent.get(roomId);
    if (last && last.type === type) {
      // Another member seeing the same promotion (or demotion).
      last.observers++;
      last.atMs = Math.min(last.atMs, atMs);
      return;
    }
    const reference =
      type === 'promoted' ? this.reaction?.promoted(roomId, atMs) : this.reaction?.demoted(roomId, atMs);
    const event: RoomEventRecord = { type, roomId, atMs, referenceAtMs: reference ?? null, observers: 1 };
    this.events.push(event);
    this.lastEvent.set(roomId, event);
  }

  /** Encodes the per-second histograms of seconds that no delivery can land in any more. */
  private sealBuckets(nowMs: number): void {
    const upTo = Math.floor((nowMs - this.options.startMs) / 1000) - LIVE_SECONDS;
    for (; this.sealedBefore <= upTo && this.sealedBefore < this.timeline.length; this.sealedBefore++) {
      const bucket = this.timeline[this.sealedBefore] as LiveBucket;
      if (bucket.deliver) {
        bucket.deliverEncoded = bucket.deliver.encode();
        bucket.deliver = undefined;
      }
    }
  }

  private bucket(atMs: number): LiveBucket {
    const index = Math.max(0, Math.floor((atMs - this.options.startMs) / 1000));
    let bucket = this.timeline[index];
    if (!bucket) {
      for (let i = this.timeline.length; i <= index; i++) {
        this.timeline[i] ??= {
          sent: 0,
          acked: 0,
          delivered: 0,
          errors: 0,
          connected: undefined,
          deliver: undefined,
          deliverEncoded: undefined,
        };
      }
      bucket = this.timeline[index] as LiveBucket;
    }
    return bucket;
  }
}
