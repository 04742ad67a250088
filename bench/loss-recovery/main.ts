/**
 * Loss recovery against the advertised max_ack_delay (transport option advertisedMaxAckDelayMs): what a real loss
 * costs a chat message when the receiver promises a longer acknowledgement delay.
 *
 * A sender's probe timeout (PTO) is smoothed_rtt + max(4 * rttvar, 1 ms) + the receiver's max_ack_delay. Chat
 * traffic is sparse per connection (at 0.02 msg/s per client in pods of 10, a client receives a packet every
 * ~5 s), so a lost packet is almost always the last one in flight: no later packet's acknowledgement reveals the
 * loss, and only the PTO resends it. This measures that delay over UDP loopback: a server sends each of
 * CONNECTIONS clients one 64-byte message a second on a uni stream, and drops every DROP_EVERY-th datagram that
 * carries data (before it reaches the socket); the clients acknowledge at once (ackDelayMs 0, as the harness's
 * simulated clients do) and advertise the max_ack_delay under test. Reported per value: p50 over every message, and
 * the mean and max over the slowest `drops` messages (the ones whose packet was dropped; an undropped message
 * takes ~1 ms here), against the harness's default (10 ms) measured in the same run.
 *
 * Run: npm run bench -- loss-recovery [--seconds 20] [--values 10,35,100,250]
 */
import { parseArgs } from 'node:util';
import { QuicEndpoint, createUdpPacketIO, generateSelfSignedCert } from '../../transport/index.js';
import type { PacketIO, QuicConnection } from '../../transport/index.js';
import { BARE_ACK_MAX_BYTES } from '../../transport/send-timing.js';

const CONNECTIONS = 50;
const MESSAGE_BYTES = 64;
const SEND_INTERVAL_MS = 1000;
const DROP_EVERY = 25;
const WARMUP_MS = 1500;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    values: { type: 'string', default: '10,35,100,250' },
  },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A PacketIO that drops every `every`-th datagram bigger than a bare ACK while `armed`. */
class DroppingIO implements PacketIO {
  armed = false;
  dropped = 0;
  private dataDatagrams = 0;

  constructor(
    private readonly inner: PacketIO,
    private readonly every: number,
  ) {}

  get localAddress(): PacketIO['localAddress'] {
    return this.inner.localAddress;
  }

  start(receiver: Parameters<PacketIO['start']>[0]): void {
    this.inner.start(receiver);
  }

  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
    if (this.armed && length > BARE_ACK_MAX_BYTES && ++this.dataDatagrams % this.every === 0) {
      this.dropped++;
      return;
    }
    this.inner.send(buffer, offset, length, toHost, toPort);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Outcome {
  advertisedMs: number;
  messages: number;
  dropped: number;
  p50: number;
  recoveredMean: number;
  recoveredMax: number;
}

async function measure(advertisedMs: number, seconds: number): Promise<Outcome> {
  const { cert, key } = await generateSelfSignedCert();
  // The wrapper does not claim copiesOnSend, so the endpoint never rewrites a buffer it has handed over.
  const serverIO = new DroppingIO(await createUdpPacketIO({ host: '127.0.0.1' }), DROP_EVERY);
  const server = new QuicEndpoint(serverIO);
  const client = await QuicEndpoint.bind({ host: '127.0.0.1' });
  server.listen({ cert, key });
  const accepted: QuicConnection[] = [];
  server.onConnection = (conn) => accepted.push(conn);
  const latencies: number[] = [];
  const conns: QuicConnection[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const conn = client.connect(server.localAddress.host, server.localAddress.port, {
      insecure: true,
      ackDelayMs: 0,
      advertisedMaxAckDelayMs: advertisedMs,
    });
    conn.onData = (_id, data) => {
      // Each message carries its send time; sender and receiver share this process's clock.
      for (let at = 0; at + MESSAGE_BYTES <= data.length; at += MESSAGE_BYTES) {
        latencies.push(performance.now() - data.readDoubleLE(at));
      }
    };
    conns.push(conn);
  }
  await Promise.all(conns.map((conn) => conn.whenEstablished()));
  while (accepted.length < CONNECTIONS) await sleep(5);
  const streams = accepted.map((conn) => conn.openUni());
  const send = (i: number): void => {
    const message = Buffer.alloc(MESSAGE_BYTES);
    message.writeDoubleLE(performance.now(), 0);
    (accepted[i] as QuicConnection).write(streams[i] as number, message);
  };
  // Warm-up: the RTT estimates settle to loopback's before anything is dropped or measured.
  const warmupEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnd) {
    for (let i = 0; i < CONNECTIONS; i++) send(i);
    await sleep(100);
  }
  await sleep(200);
  latencies.length = 0;
  serverIO.armed = true;
  const ticks = Math.round((seconds * 1000) / SEND_INTERVAL_MS);
  const gapMs = SEND_INTERVAL_MS / CONNECTIONS;
  for (let t = 0; t < ticks; t++) {
    for (let i = 0; i < CONNECTIONS; i++) {
      send(i);
      await sleep(gapMs);
    }
  }
  serverIO.armed = false;
  // Let the last probes land (backoff can double a PTO of a few hundred ms).
  const expected = ticks * CONNECTIONS;
  const deadline = performance.now() + 5000;
  while (latencies.length < expected && performance.now() < deadline) await sleep(20);
  await Promise.all([client.close({ timeoutMs: 500 }), server.close({ timeoutMs: 500 })]);
  const sorted = [...latencies].sort((a, b) => a - b);
  const slowest = sorted.slice(sorted.length - serverIO.dropped);
  return {
    advertisedMs,
    messages: latencies.length,
    dropped: serverIO.dropped,
    p50: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    recoveredMean: slowest.reduce((a, b) => a + b, 0) / Math.max(1, slowest.length),
    recoveredMax: sorted.at(-1) ?? NaN,
  };
}

const seconds = Number(flags.seconds);
const values = (flags.values ?? '').split(',').map(Number);
console.log(
  `${CONNECTIONS} connections, one ${MESSAGE_BYTES}-byte message each per ${SEND_INTERVAL_MS} ms for ${seconds} s; ` +
    `every ${DROP_EVERY}th data datagram of the server dropped; clients ack at once and advertise max_ack_delay:`,
);
const outcomes: Outcome[] = [];
for (const value of values) outcomes.push(await measure(value, seconds));
const baseline = outcomes[0];
console.log('max_ack_delay ms  messages  dropped  p50 ms  recovered mean/max ms  x recovered mean');
for (const o of outcomes) {
  console.log(
    `${String(o.advertisedMs).padStart(16)}  ${String(o.messages).padStart(8)}  ${String(o.dropped).padStart(7)}  ` +
      `${o.p50.toFixed(2).padStart(6)}  ${`${o.recoveredMean.toFixed(1)}/${o.recoveredMax.toFixed(1)}`.padStart(21)}  ` +
      `${baseline ? (o.recoveredMean / baseline.recoveredMean).toFixed(2).padStart(16) : '-'}`,
  );
}
console.log(
  `recovered: the slowest messages, as many as were dropped; x recovered mean: against ${baseline?.advertisedMs} ms`,
);
