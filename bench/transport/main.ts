/**
 * Transport benchmark: the stock @matrixai/quic driver (QUICServer / QUICClient /
 * QUICStream) against ours (transport/), same process, same workloads, UDP loopback.
 *
 * - one-way: 150-byte frames on one stream, frames/s and MB/s at the receiver
 * - request-response: one 150-byte request, one 150-byte echo, over 10 and 100 connections
 * - handshakes/s: many clients on ONE client socket, a bounded number in flight
 * - memory per idle connection: heap and RSS delta / N after GC, in a fresh child process
 *   per driver (both ends of every connection live in that process)
 *
 * Run with `npm run bench -- transport` (bench/run.ts passes --expose-gc).
 */
import { spawnSync } from 'node:child_process';
import { createHmac, randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { QUICClient, QUICServer, QUICSocket, events } from '@matrixai/quic';
import type { QUICConnection, QUICStream } from '@matrixai/quic';
import Table from 'cli-table3';
import { QuicEndpoint, generateSelfSignedCert } from '../../transport/index.js';
import type { CertificateAndKey, QuicConnection } from '../../transport/index.js';

const FRAME = 150;
const ONE_WAY_MS = 3000;
const RR_MS = 3000;
const WARMUP_MS = 500;
const OURS_HANDSHAKES = 1000;
const STOCK_HANDSHAKES = 300;
const HANDSHAKE_CONCURRENCY = 50;
const STOCK_HANDSHAKE_CAP_MS = 20_000;
const OURS_IDLE_CONNECTIONS = 1000;
const STOCK_IDLE_CONNECTIONS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The stock classes may reject internal promises while being torn down under load.
let ignoredRejections = 0;
process.on('unhandledRejection', () => {
  ignoredRejections++;
});

// ---------------------------------------------------------------- stock driver setup

type StockLogger = NonNullable<ConstructorParameters<typeof QUICServer>[0]['logger']>;
const silentLogger = (() => {
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, getChild: () => logger };
  return logger as unknown as StockLogger;
})();

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function startStockServer(tls: CertificateAndKey): Promise<QUICServer> {
  const key = new Uint8Array(32);
  randomFillSync(key);
  const sign = async (k: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> =>
    arrayBufferOf(createHmac('sha256', Buffer.from(k)).update(Buffer.from(data)).digest());
  const server = new QUICServer({
    crypto: {
      key: arrayBufferOf(key),
      ops: {
        sign,
        verify: async (k, data, sig) => Buffer.from(await sign(k, data)).equals(Buffer.from(sig)),
      },
    },
    logger: silentLogger,
    config: { key: tls.key, cert: tls.cert, verifyPeer: false, applicationProtos: ['chat'] },
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  return server;
}

async function startStockSocket(): Promise<QUICSocket> {
  const socket = new QUICSocket({ logger: silentLogger });
  await socket.start({ host: '127.0.0.1', port: 0 });
  return socket;
}

function connectStock(socket: QUICSocket, port: number): Promise<QUICClient> {
  return QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    socket,
    crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void randomFillSync(new Uint8Array(data)) } },
    logger: silentLogger,
    config: { verifyPeer: false, applicationProtos: ['chat'] },
  });
}

function onStockStream(server: QUICServer, handler: (stream: QUICStream) => void): void {
  server.addEventListener(events.EventQUICServerConnection.name, (evt: Event) => {
    const conn: QUICConnection = (evt as events.EventQUICServerConnection).detail;
    conn.addEventListener(events.EventQUICConnectionStream.name, (e: Event) =>
      handler((e as events.EventQUICConnectionStream).detail),
    );
  });
}

async function stopStock(server: QUICServer, clients: QUICClient[], socket?: QUICSocket): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.destroy({ force: true })));
  await server.stop({ force: true }).catch(() => undefined);
  await socket?.stop({ force: true }).catch(() => undefined);
}

// ---------------------------------------------------------------- our driver setup

async function startOurs(
  tls: CertificateAndKey,
  retry = false,
): Promise<{ server: QuicEndpoint; client: QuicEndpoint }> {
  const server = await QuicEndpoint.bind();
  server.listen({ cert: tls.cert, key: tls.key, retry, maxConnections: 100_000 });
  const client = await QuicEndpoint.bind();
  return { server, client };
}

const CLIENT_OPTIONS = { insecure: true };

async function connectOurs(client: QuicEndpoint, server: QuicEndpoint, n: number): Promise<QuicConnection[]> {
  const conns = Array.from({ length: n }, () =>
    client.connect('127.0.0.1', server.localAddress.port, CLIENT_OPTIONS),
  );
  await Promise.all(conns.map((c) => c.whenEstablished()));
  return conns;
}

async function stopOurs(pair: { server: QuicEndpoint; client: QuicEndpoint }): Promise<void> {
  await Promise.all([pair.client.close({ timeoutMs: 300 }), pair.server.close({ timeoutMs: 300 })]);
}

// ---------------------------------------------------------------- workloads

interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}

/** Counts events of `counter` over a warm-up then a measured window. */
async function measure(counter: () => number, ms: number): Promise<Rate> {
  await sleep(WARMUP_MS);
  const before = counter();
  const started = performance.now();
  await sleep(ms);
  const count = counter() - before;
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds };
}

async function oneWayOurs(tls: CertificateAndKey): Promise<Rate> {
  const pair = await startOurs(tls);
  let received = 0;
  pair.server.onConnection = (conn) => {
    conn.onData = (_id, data) => {
      received += data.length;
    };
  };
  const [conn] = (await connectOurs(pair.client, pair.server, 1)) as [QuicConnection];
  const id = conn.openUni();
  const frame = Buffer.alloc(FRAME, 0x61);
  let running = true;
  let pending: Buffer | null = null;
  const pump = (): void => {
    if (pending !== null) {
      const n = conn.write(id, pending);
      if (n < pending.length) {
        pending = pending.subarray(n);
        return;
      }
      pending = null;
    }
    // One write() call per frame, like an application sending frames.
    while (running) {
      const n = conn.write(id, frame);
      if (n < FRAME) {
        pending = frame.subarray(n);
        return;
      }
    }
  };
  conn.onDrain = pump;
  pump();
  const rate = await measure(() => received, ONE_WAY_MS);
  running = false;
  await stopOurs(pair);
  return frames(rate);
}

async function oneWayStock(tls: CertificateAndKey): Promise<Rate> {
  const server = await startStockServer(tls);
  let received = 0;
  onStockStream(server, (stream) => {
    void (async () => {
      const reader = stream.readable.getReader();
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        received += value.byteLength;
      }
    })().catch(() => undefined);
  });
  const socket = await startStockSocket();
  const client = await connectStock(socket, server.port);
  const stream = client.connection.newStream('uni');
  const writer = stream.writable.getWriter();
  const frame = Buffer.alloc(FRAME, 0x61);
  let running = true;
  const sender = (async () => {
    while (running) {
      if ((writer.desiredSize ?? 0) <= 0) await writer.ready;
      void writer.write(frame).catch(() => undefined);
    }
  })().catch(() => undefined);
  const rate = await measure(() => received, ONE_WAY_MS);
  running = false;
  await Promise.race([sender, sleep(500)]);
  await stopStock(server, [client], socket);
  return frames(rate);
}

/** Converts a byte rate into a frame rate. */
function frames(bytes: Rate): Rate {
  return { count: bytes.count / FRAME, seconds: bytes.seconds, perSecond: bytes.perSecond / FRAME };
}

async function requestResponseOurs(tls: CertificateAndKey, connections: number): Promise<Rate> {
  const pair = await startOurs(tls);
  pair.server.onConnection = (conn) => {
    conn.onData = function (id, data) {
      this.write(id, data);
    };
  };
  const conns = await connectOurs(pair.client, pair.server, connections);
  const frame = Buffer.alloc(FRAME, 0x62);
  let trips = 0;
  let running = true;
  for (const conn of conns) {
    const id = conn.openBidi();
    let got = 0;
    conn.onData = function (_id, data) {
      got += data.length;
      while (got >= FRAME) {
        got -= FRAME;
        trips++;
        if (running) this.write(id, frame);
      }
    };
    conn.write(id, frame);
  }
  const rate = await measure(() => trips, RR_MS);
  running = false;
  await stopOurs(pair);
  return rate;
}

async function requestResponseStock(tls: CertificateAndKey, connections: number): Promise<Rate> {
  const server = await startStockServer(tls);
  onStockStream(server, (stream) => {
    void (async () => {
      const reader = stream.readable.getReader();
      const writer = stream.writable.getWriter();
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        await writer.write(value);
      }
    })().catch(() => undefined);
  });
  const socket = await startStockSocket();
  const clients: QUICClient[] = [];
  for (let i = 0; i < connections; i += 10) {
    clients.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, connections - i) }, () => connectStock(socket, server.port)),
      )),
    );
  }
  const frame = Buffer.alloc(FRAME, 0x62);
  let trips = 0;
  let running = true;
  const loops = clients.map(async (client) => {
    const stream = client.connection.newStream('bidi');
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    while (running) {
      await writer.write(frame);
      let got = 0;
      while (got < FRAME) {
        const { value, done } = await reader.read();
        if (done) return;
        got += value.byteLength;
      }
      trips++;
    }
  });
  const rate = await measure(() => trips, RR_MS);
  running = false;
  await Promise.race([Promise.allSettled(loops), sleep(500)]);
  await stopStock(server, clients, socket);
  return rate;
}

/** Runs `total` handshakes with at most `concurrency` in flight; stops starting new ones after `capMs`. */
async function handshakes(
  total: number,
  concurrency: number,
  capMs: number,
  connectOne: () => Promise<void>,
): Promise<Rate> {
  let started = 0;
  let completed = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (started < total && performance.now() - t0 < capMs) {
      started++;
      await connectOne();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { count: completed, seconds, perSecond: completed / seconds };
}

async function handshakesOurs(tls: CertificateAndKey): Promise<Rate> {
  // Stateless Retry on, as the stock server always does it: same round trips.
  const pair = await startOurs(tls, true);
  const conns: QuicConnection[] = [];
  await connectOurs(pair.client, pair.server, 20); // warm-up
  const rate = await handshakes(OURS_HANDSHAKES, HANDSHAKE_CONCURRENCY, Infinity, async () => {
    const conn = pair.client.connect('127.0.0.1', pair.server.localAddress.port, CLIENT_OPTIONS);
    conns.push(conn);
    await conn.whenEstablished();
  });
  await stopOurs(pair);
  return rate;
}

async function handshakesStock(tls: CertificateAndKey): Promise<Rate> {
  const server = await startStockServer(tls);
  const socket = await startStockSocket();
  const clients: QUICClient[] = [];
  for (let i = 0; i < 5; i++) clients.push(await connectStock(socket, server.port)); // warm-up
  const rate = await handshakes(STOCK_HANDSHAKES, HANDSHAKE_CONCURRENCY, STOCK_HANDSHAKE_CAP_MS, async () => {
    clients.push(await connectStock(socket, server.port));
  });
  await stopStock(server, clients, socket);
  return rate;
}

// ---------------------------------------------------------------- memory (child process)

interface MemoryResult {
  connections: number;
  heapPerConnection: number;
  rssPerConnection: number;
  externalPerConnection: number;
}

function settleMemory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (bench/run.ts passes it)');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
}

async function memoryChild(driver: 'ours' | 'stock', n: number): Promise<MemoryResult> {
  const tls = await generateSelfSignedCert();
  let before: NodeJS.MemoryUsage;
  let after: NodeJS.MemoryUsage;
  let teardown: () => Promise<void>;
  if (driver === 'ours') {
    const pair = await startOurs(tls);
    await connectOurs(pair.client, pair.server, 5); // configs, code paths, buffers warmed up
    await sleep(200);
    before = settleMemory();
    for (let i = 0; i < n; i += 100) await connectOurs(pair.client, pair.server, Math.min(100, n - i));
    await sleep(500);
    after = settleMemory();
    teardown = () => stopOurs(pair);
  } else {
    const server = await startStockServer(tls);
    const socket = await startStockSocket();
    const clients: QUICClient[] = [];
    for (let i = 0; i < 5; i++) clients.push(await connectStock(socket, server.port));
    await sleep(200);
    before = settleMemory();
    for (let i = 0; i < n; i += 10) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, n - i) }, () => connectStock(socket, server.port)),
        )),
      );
    }
    await sleep(500);
    after = settleMemory();
    teardown = () => stopStock(server, clients, socket);
  }
  const result = {
    connections: n,
    heapPerConnection: (after.heapUsed - before.heapUsed) / n,
    rssPerConnection: (after.rss - before.rss) / n,
    externalPerConnection: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n,
  };
  await teardown();
  return result;
}

function memoryInChild(driver: 'ours' | 'stock', n: number): MemoryResult {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self, '--memory-child', driver, String(n)],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || line === undefined) {
    throw new Error(`memory child (${driver}) failed: ${child.stderr || child.stdout}`);
  }
  return JSON.parse(line) as MemoryResult;
}

// ---------------------------------------------------------------- report

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  if (process.argv[2] === '--memory-child') {
    const driver = process.argv[3] === 'stock' ? 'stock' : 'ours';
    console.log(JSON.stringify(await memoryChild(driver, Number(process.argv[4]))));
    process.exit(0);
  }
  const tls = await generateSelfSignedCert();
  const started = performance.now();
  const rows: { metric: string; stock: string; ours: string; ratio: string; goal: string }[] = [];
  const ratio = (ours: number, stock: number): string =>
    stock > 0 ? `${fmt(ours / stock, ours / stock < 1 ? 2 : 1)}x` : 'n/a';

  console.log('one-way 150 B frames ...');
  const owStock = await oneWayStock(tls);
  const owOurs = await oneWayOurs(tls);
  rows.push({
    metric: 'one-way frames/s (150 B)',
    stock: fmt(owStock.perSecond),
    ours: fmt(owOurs.perSecond),
    ratio: ratio(owOurs.perSecond, owStock.perSecond),
    goal: '>= 10x',
  });
  rows.push({
    metric: 'one-way MB/s (payload)',
    stock: fmt((owStock.perSecond * FRAME) / 1e6, 2),
    ours: fmt((owOurs.perSecond * FRAME) / 1e6, 2),
    ratio: ratio(owOurs.perSecond, owStock.perSecond),
    goal: '',
  });

  for (const n of [10, 100]) {
    console.log(`request-response over ${n} connections ...`);
    const stock = await requestResponseStock(tls, n);
    const ours = await requestResponseOurs(tls, n);
    rows.push({
      metric: `round trips/s, ${n} conns`,
      stock: fmt(stock.perSecond),
      ours: fmt(ours.perSecond),
      ratio: ratio(ours.perSecond, stock.perSecond),
      goal: '',
    });
  }

  console.log('handshakes ...');
  const hsStock = await handshakesStock(tls);
  const hsOurs = await handshakesOurs(tls);
  rows.push({
    metric: `handshakes/s (${HANDSHAKE_CONCURRENCY} in flight)`,
    stock: `${fmt(hsStock.perSecond)} (${hsStock.count} in ${fmt(hsStock.seconds, 1)} s)`,
    ours: `${fmt(hsOurs.perSecond)} (${hsOurs.count} in ${fmt(hsOurs.seconds, 1)} s)`,
    ratio: ratio(hsOurs.perSecond, hsStock.perSecond),
    goal: '>= 5x',
  });

  console.log('memory per idle connection (child processes) ...');
  const memStock = memoryInChild('stock', STOCK_IDLE_CONNECTIONS);
  const memOurs = memoryInChild('ours', OURS_IDLE_CONNECTIONS);
  const kb = (bytes: number): string => `${fmt(bytes / 1024, 1)} KB`;
  rows.push({
    metric: `RSS / idle conn (N stock ${memStock.connections}, ours ${memOurs.connections})`,
    stock: kb(memStock.rssPerConnection),
    ours: kb(memOurs.rssPerConnection),
    ratio: ratio(memOurs.rssPerConnection, memStock.rssPerConnection),
    goal: '<= 0.5x',
  });
  rows.push({
    metric: 'JS heap / idle conn',
    stock: kb(memStock.heapPerConnection),
    ours: kb(memOurs.heapPerConnection),
    ratio: ratio(memOurs.heapPerConnection, memStock.heapPerConnection),
    goal: '',
  });
  rows.push({
    metric: 'heap + RSS / idle conn',
    stock: kb(memStock.heapPerConnection + memStock.rssPerConnection),
    ours: kb(memOurs.heapPerConnection + memOurs.rssPerConnection),
    ratio: ratio(
      memOurs.heapPerConnection + memOurs.rssPerConnection,
      memStock.heapPerConnection + memStock.rssPerConnection,
    ),
    goal: '<= 0.5x',
  });

  const table = new Table({
    head: ['metric', 'stock @matrixai/quic', 'ours (transport/)', 'ours/stock', 'goal'],
  });
  for (const r of rows) table.push([r.metric, r.stock, r.ours, r.ratio, r.goal]);
  console.log(table.toString());
  console.log(
    [
      'Notes: loopback UDP, client and server in this one process (they share the CPU).',
      `One-way and request-response: ${WARMUP_MS} ms warm-up, then ${ONE_WAY_MS} / ${RR_MS} ms measured; one write call per 150 B frame.`,
      `Handshakes: all clients on one client socket, ${HANDSHAKE_CONCURRENCY} in flight, Retry on for both (the stock server always sends one);`,
      `  stock runs ${STOCK_HANDSHAKES} clients (capped at ${STOCK_HANDSHAKE_CAP_MS / 1000} s), ours ${OURS_HANDSHAKES}: the rate is completed / elapsed.`,
      'Memory: fresh child process per driver, both ends of each connection in it; delta after forced GC / N.',
      `Whole run: ${fmt((performance.now() - started) / 1000, 1)} s. Stock rejections ignored during teardown: ${ignoredRejections}.`,
    ].join('\n'),
  );
  process.exit(0);
}

await main();
