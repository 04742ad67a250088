/**
 * Messages between the coordinator (parent) and its load workers. Plain JSON data: they travel over a
 * child-process IPC channel, or are handed over directly to an in-process worker.
 */
import type { AckTimedOutSend } from '../metrics/ack-timed-out-sends.js';
import type { AckedMessage } from '../metrics/delivery-tracker.js';
import type { ProgressSnapshot, WorkerLiveReport } from '../metrics/run-recorder.js';
import type { ReadinessGroup } from '../metrics/readiness-report.js';
import type { PhaseWindow, WorkerResult } from '../metrics/worker-result.js';
import type { HotRoomOptions } from '../scenario/types.js';
import type { ScenarioOverrides } from './scenario-overrides.js';
import type { SegmentSpec } from './segment.js';

/** Everything a worker needs to set itself up. */
export interface WorkerSetup {
  workerIndex: number;
  workerCount: number;
  /** The slice of the scenario this run performs (the whole scenario is 0/1); workers split its clients. */
  segment: SegmentSpec;
  /** The scenario file's text and name: every worker parses the same text into the same scenario. */
  scenarioText: string;
  scenarioFile: string;
  overrides: ScenarioOverrides;
  /** Target address (IP literal). */
  host: string;
  port: number;
  /** TLS policy of the clients. */
  tls: { insecure: boolean; caPem?: string; serverName?: string };
  /** Hot-room parameters in force on the target (HelloAck hot_room_config, else the scenario's). */
  hotRooms: HotRoomOptions;
  /** Bound on QUIC handshake and on Hello..AuthOk, each (ms). */
  connectTimeoutMs: number;
  /** How long hot-stream messages wait for shard stragglers at a switch (ms). */
  switchHoldMs: number;
}

/** Coordinator -> worker. */
export type CoordinatorMessage =
  | { type: 'setup'; setup: WorkerSetup }
  /** Start connecting: client i connects at connectStartMs + i / connect_rate. */
  | { type: 'connect'; connectStartMs: number }
  /** Phase windows are fixed: create the recorder and run the traffic. */
  | { type: 'start'; phases: PhaseWindow[] }
  /** Acks of messages sent by clients of other workers, and their sends whose ack timed out. */
  | { type: 'acks'; acks: AckedMessage[]; ackTimeouts?: AckTimedOutSend[] }
  /** The run is over: flush relayed acks, then answer `drained`. */
  | { type: 'drain' }
  /** Finalize correctness and send the result. */
  | { type: 'finish' }
  /** Close every connection and exit. */
  | { type: 'stop' }
  /** Say what the clients that are not ready yet wait for (the ready wait timed out). */
  | { type: 'readiness' };

/** Worker -> coordinator. */
export type WorkerMessage =
  /** Set up and bound: ready to connect. */
  | { type: 'loaded' }
  /** Every owned client connected and joined its rooms, or failed. */
  | { type: 'ready'; connected: number; failed: number; failures: string[] }
  | { type: 'progress'; progress: ProgressSnapshot; live?: WorkerLiveReport }
  | { type: 'acks'; acks: AckedMessage[]; ackTimeouts?: AckTimedOutSend[] }
  | { type: 'drained' }
  /** The worker's measurements, and notes for the user (first errors, violations, disconnects). */
  | { type: 'result'; result: WorkerResult; notes: string[] }
  | { type: 'stopped' }
  /** Answer to `readiness`: the unsettled clients grouped by what they wait for. */
  | { type: 'readiness'; groups: ReadinessGroup[] }
  /** The worker failed; the run cannot go on. */
  | { type: 'fatal'; message: string };
