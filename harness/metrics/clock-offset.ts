/**
 * Clock offsets between segments, for publish-to-deliver latency of pairs whose sender and recipient are on
 * different machines (segment runs). Every segment estimates the offset of its clock to the server's from its
 * own acks: a SendMessage written at local t0 whose MessageAck (server time S, Unix ms) arrived at local t1 says
 * offset = S - (t0 + t1) / 2, within (t1 - t0) / 2 + 1 ms (the server stamped somewhere in the round trip; +1 ms
 * for its whole-millisecond stamp); the sample with the smallest round trip is kept.
 *
 * A recipient times each first delivery from another segment in its own clock against the scheduled time in the
 * sender's clock, into one histogram pair per sender segment (values >= 0, and the magnitudes of negative ones:
 * clocks apart by more than the latency give negative raw values). The merge shifts each pair by
 * offset(recipient) - offset(sender), which puts both times on the server's clock, and adds them into one
 * cross-segment histogram whose error is at most the sum of the two offsets' uncertainties.
 */
import { LatencyRecorder, UNITS_PER_MS } from './latency-recorder.js';

/** A clock's offset to the server clock (server time minus local time), in ms, within +- uncertaintyMs. */
export interface ClockOffset {
  offsetMs: number;
  uncertaintyMs: number;
}

/** Raw cross-segment deliver latencies of one sender segment: [sender segment, values >= 0, |negative values|]. */
export type ForeignDeliverHistograms = Array<[senderSegment: number, ahead: string, behind: string]>;

/** Keeps the offset sample of the smallest round trip. */
export class ClockOffsetEstimator {
  private best: ClockOffset | null = null;

  /** A MessageAck with server time `serverAtMs` for a send written at local `sentAtMs`, received at `ackedAtMs`. */
  sample(sentAtMs: number, ackedAtMs: number, serverAtMs: number): void {
    if (!Number.isFinite(serverAtMs) || serverAtMs <= 0 || ackedAtMs < sentAtMs) return;
    const uncertaintyMs = (ackedAtMs - sentAtMs) / 2 + 1;
    if (this.best !== null && this.best.uncertaintyMs <= uncertaintyMs) return;
    this.best = { offsetMs: serverAtMs - (sentAtMs + ackedAtMs) / 2, uncertaintyMs };
  }

  /** The best estimate so far, or null without samples. */
  get estimate(): ClockOffset | null {
    return this.best === null ? null : { ...this.best };
  }
}

/** The estimate with the smallest uncertainty (workers of one machine share a clock), or null. */
export function bestClockOffset(offsets: ReadonlyArray<ClockOffset | null | undefined>): ClockOffset | null {
  let best: ClockOffset | null = null;
  for (const offset of offsets)
    if (offset && (best === null || offset.uncertaintyMs < best.uncertaintyMs)) best = offset;
  return best === null ? null : { ...best };
}

/** Raw foreign deliver latencies of one recipient machine, per sender segment. */
export class ForeignDeliverRecorder {
  private readonly bySender = new Map<number, { ahead: LatencyRecorder; behind: LatencyRecorder }>();

  /** Records a raw latency (recipient clock minus sender clock, ms; may be negative) of a sender segment. */
  record(senderSegment: number, rawMs: number): void {
    let pair = this.bySender.get(senderSegment);
    if (!pair) {
      pair = { ahead: new LatencyRecorder(), behind: new LatencyRecorder() };
      this.bySender.set(senderSegment, pair);
    }
    if (rawMs >= 0) pair.ahead.recordMs(rawMs);
    else pair.behind.recordMs(-rawMs);
  }

  /** Encoded histograms by sender segment. */
  encode(): ForeignDeliverHistograms {
    return [...this.bySender.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([segment, pair]) => [segment, pair.ahead.encode(), pair.behind.encode()]);
  }
}

/** Adds foreign deliver histograms of several workers of one machine, sender segment by sender segment. */
export function mergeForeignDeliver(lists: readonly ForeignDeliverHistograms[]): ForeignDeliverHistograms {
  const bySender = new Map<number, { ahead: LatencyRecorder; behind: LatencyRecorder }>();
  for (const list of lists) {
    for (const [segment, ahead, behind] of list) {
      let pair = bySender.get(segment);
      if (!pair) {
        pair = { ahead: new LatencyRecorder(), behind: new LatencyRecorder() };
        bySender.set(segment, pair);
      }
      pair.ahead.add(LatencyRecorder.decode(ahead));
      pair.behind.add(LatencyRecorder.decode(behind));
    }
  }
  return [...bySender.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([segment, pair]) => [segment, pair.ahead.encode(), pair.behind.encode()]);
}

/** What one segment contributes to the cross-segment latency: its clock and its raw foreign latencies. */
export interface SegmentClockFacts {
  segment: number;
  clockOffset: ClockOffset;
  foreignDeliver: ForeignDeliverHistograms;
}

/** Cross-segment deliver latency on the server's clock. */
export interface CrossSegmentLatency {
  histogram: LatencyRecorder;
  /** Largest sum of the two clocks' uncertainties over the (sender, recipient) segment pairs with samples. */
  uncertaintyMs: number;
}

/**
 * Shifts every recipient segment's raw foreign latencies by offset(recipient) - offset(sender) and adds them up.
 * Values are moved bucket by bucket (each bucket's lowest value, so the error per sample is below one bucket's
 * width plus the offsets' uncertainty); values that end below 0 are clamped (counted by the recorder).
 */
export function crossSegmentLatency(segments: readonly SegmentClockFacts[]): CrossSegmentLatency {
  const offsets = new Map(segments.map((s) => [s.segment, s.clockOffset]));
  const histogram = new LatencyRecorder();
  let uncertaintyMs = 0;
  for (const recipient of segments) {
    for (const [senderSegment, ahead, behind] of recipient.foreignDeliver) {
      const sender = offsets.get(senderSegment);
      if (sender === undefined) continue;
      const shiftMicros = (recipient.clockOffset.offsetMs - sender.offsetMs) * UNITS_PER_MS;
      let samples = 0;
      for (const [sign, encoded] of [
        [1, ahead],
        [-1, behind],
      ] as const) {
        for (const [micros, count] of LatencyRecorder.decode(encoded).buckets()) {
          for (let k = 0; k < count; k++) histogram.recordMicros(sign * micros + shiftMicros);
          samples += count;
        }
      }
      if (samples > 0)
        uncertaintyMs = Math.max(uncertaintyMs, recipient.clockOffset.uncertaintyMs + sender.uncertaintyMs);
    }
  }
  return { histogram, uncertaintyMs };
}
