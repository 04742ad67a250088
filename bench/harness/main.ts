/**
 * Harness CPU per delivered message beside the transport's raw receive cost, measured in the same run.
 *
 * A sender process (this file with --sender) pumps N RoomMessage frames on one server uni stream:
 * - raw: to a bare transport connection that only counts bytes (the floor: QUIC receive, decrypt, ACKs);
 * - harness: to a SimClient after the garou handshake, each frame decoded, merged in room order and
 *   recorded like a run does (nonce stamp decoded, delivery tracked for correctness, latency histograms).
 * The receiving process's CPU (process.cpuUsage, user + system) per message is measured for both, in
 * alternating rounds; the headline is the ratio harness/raw (goal: at most 1.25).
 *
 * Run: node --import tsx bench/harness/main.ts [messages-per-round]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HoldTimer, IgnoreClientEvents, SimClient } from '../../harness/client/index.js';
import { epochNowMs } from '../../harness/metrics/clock.js';
import { RunRecorder } from '../../harness/metrics/run-recorder.js';
import { encodeSendStamp } from '../../harness/metrics/send-stamp.js';
import { recordRoomMessage } from '../../harness/runner/delivery-recording.js';
import { FrameDecoder, encodeFrame, type PeekedRoomMessage } from '../../spec/index.js';
import { QuicEndpoint, generateSelfSignedCert, type QuicConnection } from '../../transport/index.js';

const ROOM = 5000;
const RECIPIENT = 0;
/** Measured rounds per side (alternating); the median is reported. Five: single rounds on a shared 2-core machine
 * scatter by +-0.15 us/message. */
const ROUNDS = 5;
const messages = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);

/** The frame the sender pumps: a typical fan-out message with a harness nonce stamp. */
function roomMessageFrame(id: number, scheduledAtMs: number): Uint8Array {
  return encodeFrame('RoomMessage', {
    message_id: id,
    room_id: ROOM,
    sender: { user_id: 14_695_981_039_346_656_037n, username: 'viral-17', avatar_url: null },
    content:
      'garou-bench load message. The quick brown fox jumps over the lazy dog 0123456789. 0123456789 abcdef',
    timestamp: Math.floor(scheduledAtMs),
    reply_to: null,
    attachments: [],
    nonce: encodeSendStamp({ client: 17, seq: id, scheduledAtMs }),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Sender process

async function runSender(): Promise<void> {
  const { cert, key } = await generateSelfSignedCert();
  const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1', port: 0 });
  endpoint.listen({ cert, key });
  endpoint.onConnection = (connection) => {
    const decoder = new FrameDecoder();
    connection.onData = function (streamId, data) {
      if (streamId !== 0) return;
      decoder.push(data);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        if (frame.name === 'Hello' && frame.payload.capabilities.includes('raw')) {
          pump(this, Number(frame.payload.capabilities[1]), true);
        } else if (frame.name === 'Hello') {
          this.write(
            0,
            encodeFrame('HelloAck', {
              version: 1,
              session_id: '00000000-0000-4000-8000-000000000000',
              num_shards: 1,
              hot_room_config: null,
              large_room_threshold: null,
            }),
          );
        } else if (frame.name === 'Auth') {
          this.write(
            0,
            encodeFrame('AuthOk', { user_id: 1, username: frame.payload.credentials, rooms: [] }),
          );
          pump(this, Number(frame.payload.credentials.split('-')[1]), false);
        }
      }
    };
  };
  process.send?.({ port: endpoint.localAddress.port });
  process.on('disconnect', () => void endpoint.close({ timeoutMs: 200 }).then(() => process.exit(0)));
}

/** Writes `count` RoomMessages on the first server uni stream (shard 0), pacing itself by flow control. */
function pump(connection: QuicConnection, count: number, fin: boolean): void {
  const stream = connection.openUni();
  const base = epochNowMs();
  let next = 1;
  const batch = (): void => {
    while (next <= count) {
      const frame = roomMessageFrame(next, base + next * 0.001);
      const written = connection.write(stream, frame, fin && next === count);
      if (written < frame.length) {
        // The transport took part of the frame: finish it on drain, then go on.
        const rest = frame.subarray(written);
        connection.onDrain = () => {
          connection.onDrain = null;
          if (connection.write(stream, rest, fin && next === count) === rest.length) {
            next++;
            setImmediate(batch);
          }
        };
        return;
      }
      next++;
    }
  };
  batch();
}

// ---------------------------------------------------------------------------------------------------------
// Receiver (measuring) process

interface Measure {
  cpuMicros: number;
  wallMs: number;
}

async function receiveRaw(endpoint: QuicEndpoint, port: number): Promise<Measure> {
  const start = process.cpuUsage();
  const wall = performance.now();
  const connection = endpoint.connect('127.0.0.1', port, { insecure: true });
  let bytes = 0;
  await new Promise<void>((resolve) => {
    connection.onEstablished = function () {
      this.openBidi();
      this.write(0, encodeFrame('Hello', { version: 1, capabilities: ['raw', String(messages)] }));
    };
    connection.onData = (streamId, data, fin) => {
      if (streamId === 0) return;
      bytes += data.length;
      if (fin) resolve();
    };
  });
  const cpu = process.cpuUsage(start);
  connection.close(0, 'done');
  if (bytes === 0) throw new Error('raw receiver got no bytes');
  return { cpuMicros: cpu.user + cpu.system, wallMs: performance.now() - wall };
}

class CountingEvents extends IgnoreClientEvents {
  delivered = 0;
  done: (() => void) | null = null;
  constructor(private readonly recorder: RunRecorder) {
    super();
  }
  override roomMessage(client: SimClient, message: PeekedRoomMessage, receivedAtMs: number): void {
    recordRoomMessage(this.recorder, client.index, message, receivedAtMs);
    if (++this.delivered === messages) this.done?.();
  }
}

async function receiveHarness(endpoint: QuicEndpoint, port: number, round: number): Promise<Measure> {
  const startMs = epochNowMs();
  const recorder = new RunRecorder({
    startMs,
    phases: [{ name: 'bench', startMs, endMs: startMs + 3_600_000 }],
    graceMs: 60_000,
  });
  // The messages are known to the tracker beforehand (as acks of the run would make them), so each
  // delivery is classified as in a real run.
  recorder.delivery.joined(RECIPIENT, ROOM, startMs - 1);
  for (let id = 1; id <= messages; id++) {
    recorder.registerAck({ roomId: ROOM, messageId: id, sentAtMs: startMs, ackedAtMs: startMs });
  }
  const events = new CountingEvents(recorder);
  const client = new SimClient(RECIPIENT, `bench-${messages}-${round}`, {
    endpoint,
    events,
    tls: { insecure: true },
    holdTimer: new HoldTimer(),
  });
  const start = process.cpuUsage();
  const wall = performance.now();
  await new Promise<void>((resolve) => {
    events.done = resolve;
    client.connect('127.0.0.1', port);
  });
  const cpu = process.cpuUsage(start);
  const totals = recorder.delivery.totals();
  if (totals.seen !== messages || recorder.snapshot().latency.deliver === '')
    throw new Error('harness receiver missed messages');
  client.disconnect();
  return { cpuMicros: cpu.user + cpu.system, wallMs: performance.now() - wall };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function runReceiver(): Promise<void> {
  const sender: ChildProcess = fork(fileURLToPath(import.meta.url), ['--sender'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    sender.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const endpoint = await QuicEndpoint.bind();
  const raw: Measure[] = [];
  const harness: Measure[] = [];
  // Warm-up (JIT) for both paths, then alternating measured rounds.
  await receiveRaw(endpoint, port);
  await receiveHarness(endpoint, port, -1);
  // No forced GC between rounds: it shrinks the young generation, and the next round would pay for regrowing
  // it (1.5x instead of 1.2x in a trial), which no steady run does.
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(await receiveRaw(endpoint, port));
    harness.push(await receiveHarness(endpoint, port, round));
  }
  await endpoint.close({ timeoutMs: 500 });
  sender.disconnect();

  const perMessage = (m: Measure[]): number => median(m.map((x) => x.cpuMicros)) / messages;
  const rate = (m: Measure[]): number => messages / (median(m.map((x) => x.wallMs)) / 1000);
  const rawUs = perMessage(raw);
  const harnessUs = perMessage(harness);
  console.log(
    `${messages.toLocaleString('en-US')} RoomMessages per round (${roomMessageFrame(1, 0).length} bytes each), median of ${ROUNDS} rounds`,
  );
  console.log(
    `  raw transport receive (count bytes)      ${rawUs.toFixed(2).padStart(7)} us CPU/message  ${Math.round(rate(raw)).toLocaleString('en-US').padStart(9)} msgs/s`,
  );
  console.log(
    `  harness client (decode, order, record)   ${harnessUs.toFixed(2).padStart(7)} us CPU/message  ${Math.round(rate(harness)).toLocaleString('en-US').padStart(9)} msgs/s`,
  );
  console.log(
    `  ratio harness/raw: ${(harnessUs / rawUs).toFixed(2)}x (goal <= 1.25x); harness-only cost ${(harnessUs - rawUs).toFixed(2)} us/message`,
  );
}

if (process.argv.includes('--sender')) await runSender();
else await runReceiver();
