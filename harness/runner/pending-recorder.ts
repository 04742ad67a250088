/**
 * The worker's recording facade. The RunRecorder needs the phase windows, which the coordinator fixes only
 * once every client has connected; what happens before (connects, joins, errors) is kept here in arrival
 * order and replayed into the recorder when it is attached. After that every call goes straight through.
 */
import type { AckedMessage } from '../metrics/delivery-tracker.js';
import type { CounterName } from '../metrics/metric-names.js';
import type { ProgressSnapshot, RunRecorder, WorkerLiveReport } from '../metrics/run-recorder.js';

type Early =
  | { kind: 'connected'; startedAtMs: number; connectedAtMs: number; authOkAtMs: number }
  | { kind: 'count'; counter: CounterName; atMs: number; n: number }
  | { kind: 'error'; code: number | string; atMs: number }
  | { kind: 'joined' | 'joining' | 'leaving' | 'left'; client: number; roomId: number; atMs: number }
  | { kind: 'closed'; client: number; roomId: number; atMs: number }
  | { kind: 'ack'; message: AckedMessage }
  | { kind: 'promoted' | 'demoted'; roomId: number; atMs: number }
  | { kind: 'sample'; atMs: number; connected: number };

/** Records into a RunRecorder once attached; buffers until then. */
export class PendingRecorder {
  private recorder: RunRecorder | null = null;
  private early: Early[] = [];
  private earlyErrors = 0;

  /** The attached recorder, or null before the run's phases are known. */
  get attached(): RunRecorder | null {
    return this.recorder;
  }

  /** Attaches the recorder and replays everything buffered, in order. */
  attach(recorder: RunRecorder): void {
    this.recorder = recorder;
    const early = this.early;
    this.early = [];
    for (const e of early) {
      switch (e.kind) {
        case 'connected':
          recorder.recordConnected(e.startedAtMs, e.connectedAtMs, e.authOkAtMs);
          break;
        case 'count':
          recorder.count(e.counter, e.atMs, e.n);
          break;
        case 'error':
          recorder.recordError(e.code, e.atMs);
          break;
        case 'joined':
          recorder.delivery.joined(e.client, e.roomId, e.atMs);
          break;
        case 'joining':
          recorder.delivery.joining(e.client, e.roomId, e.atMs);
          break;
        case 'leaving':
          recorder.delivery.leaving(e.client, e.roomId, e.atMs);
          break;
        case 'left':
          recorder.delivery.left(e.client, e.roomId, e.atMs);
          break;
        case 'closed':
          recorder.delivery.left(e.client, e.roomId, e.atMs, true);
          break;
        case 'ack':
          recorder.registerAck(e.message);
          break;
        case 'promoted':
          recorder.roomPromoted(e.roomId, e.atMs);
          break;
        case 'demoted':
          recorder.roomDemoted(e.roomId, e.atMs);
          break;
        case 'sample':
          recorder.sampleConnected(e.atMs, e.connected);
          break;
      }
    }
  }

  recordConnected(startedAtMs: number, connectedAtMs: number, authOkAtMs: number): void {
    if (this.recorder) this.recorder.recordConnected(startedAtMs, connectedAtMs, authOkAtMs);
    else this.early.push({ kind: 'connected', startedAtMs, connectedAtMs, authOkAtMs });
  }

  count(counter: CounterName, atMs: number, n = 1): void {
    if (this.recorder) this.recorder.count(counter, atMs, n);
    else this.early.push({ kind: 'count', counter, atMs, n });
  }

  recordError(code: number | string, atMs: number): void {
    if (this.recorder) {
      this.recorder.recordError(code, atMs);
      return;
    }
    this.earlyErrors++;
    this.early.push({ kind: 'error', code, atMs });
  }

  joined(client: number, roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.delivery.joined(client, roomId, atMs);
    else this.early.push({ kind: 'joined', client, roomId, atMs });
  }

  joining(client: number, roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.delivery.joining(client, roomId, atMs);
    else this.early.push({ kind: 'joining', client, roomId, atMs });
  }

  leaving(client: number, roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.delivery.leaving(client, roomId, atMs);
    else this.early.push({ kind: 'leaving', client, roomId, atMs });
  }

  /** Expected deliveries still owed to a recipient (0 before the recorder exists: nothing is sent then). */
  outstandingFor(client: number): number {
    return this.recorder ? this.recorder.delivery.outstandingFor(client) : 0;
  }

  left(client: number, roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.delivery.left(client, roomId, atMs);
    else this.early.push({ kind: 'left', client, roomId, atMs });
  }

  /**
   * The harness closed the connection while deliveries may still have been owed (see DeliveryTracker.cutOff).
   * Nothing is owed before the recorder exists, so nothing is buffered.
   */
  cutOff(client: number, roomId: number): void {
    if (this.recorder) this.recorder.delivery.cutOff(client, roomId);
  }

  /** The membership ended because the connection closed (see DeliveryTracker.left). */
  leftByClose(client: number, roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.delivery.left(client, roomId, atMs, true);
    else this.early.push({ kind: 'closed', client, roomId, atMs });
  }

  registerAck(message: AckedMessage): void {
    if (this.recorder) this.recorder.registerAck(message);
    else this.early.push({ kind: 'ack', message });
  }

  roomPromoted(roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.roomPromoted(roomId, atMs);
    else this.early.push({ kind: 'promoted', roomId, atMs });
  }

  roomDemoted(roomId: number, atMs: number): void {
    if (this.recorder) this.recorder.roomDemoted(roomId, atMs);
    else this.early.push({ kind: 'demoted', roomId, atMs });
  }

  /**
   * Samples the connected count and returns live figures; before the recorder exists only the connected
   * count and errors are known.
   */
  progress(nowMs: number, startMs: number, connected: number): ProgressSnapshot {
    if (this.recorder) {
      this.recorder.sampleConnected(nowMs, connected);
      return this.recorder.progress(nowMs);
    }
    this.early.push({ kind: 'sample', atMs: nowMs, connected });
    return {
      elapsedMs: nowMs - startMs,
      phase: null,
      connected,
      sentPerSec: 0,
      deliveredPerSec: 0,
      p99Ms: null,
      errors: this.earlyErrors,
    };
  }

  /** The live metrics' report, or undefined before the recorder exists (early events are replayed into it). */
  takeLiveReport(): WorkerLiveReport | undefined {
    return this.recorder?.takeLiveReport();
  }
}
