/**
 * Soak test of the reference server (issue 16): many clients join rooms, chat, upload and leave (disconnect and
 * come back) for a set time, against a garou-server child process on 127.0.0.1. Prints the server's RSS and CPU
 * every few seconds and, at the end, the RSS slope after warm-up (goal: flat) and the ratio of the final RSS to the
 * RSS at the end of warm-up (the baseline of the same run).
 *
 *   npm run bench -- soak                      # 30 s, 40 clients
 *   SOAK_SECONDS=600 SOAK_CLIENTS=200 npm run bench -- soak
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FrameDecoder, encodeFrame, encodeUploadChunk, type Frame } from '../../spec/index.js';
import { QuicEndpoint, type QuicConnection } from '../../transport/index.js';
import { YOUNG_GENERATION_FLAG } from '../../harness/runner/young-generation.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 40);
const ROOMS = 10;
const SAMPLE_MS = 2000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Server RSS (MB) and CPU seconds (user + system) from /proc. */
function usage(pid: number): { rssMb: number; cpuS: number } {
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: Number(rss?.[1] ?? 0) / 1024, cpuS: ticks / 100 };
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** One simulated user: connects, chats, uploads, leaves, comes back, until `until`. */
async function runUser(endpoint: QuicEndpoint, port: number, index: number, until: number, counts: Counts) {
  let round = 0;
  while (Date.now() < until) {
    const connection = endpoint.connect('127.0.0.1', port, { insecure: true });
    try {
      await connection.whenEstablished();
      await session(connection, index, round++, until, counts);
    } catch {
      counts.failures++;
    }
    if (connection.state === 'established') connection.close(0, 'soak round over');
    await sleep(50);
  }
}

interface Counts {
  messages: number;
  uploads: number;
  sessions: number;
  failures: number;
}

async function session(
  connection: QuicConnection,
  index: number,
  round: number,
  until: number,
  counts: Counts,
) {
  const control = connection.openBidi();
  const decoder = new FrameDecoder();
  const received: Frame[] = [];
  connection.onData = (streamId, data) => {
    if (streamId !== control) return;
    decoder.push(data);
    for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) received.push(frame);
  };
  const waitFor = async (name: string): Promise<Frame> => {
    for (let i = 0; i < 500; i++) {
      const at = received.findIndex((f) => f.name === name);
      if (at >= 0) return received.splice(at, 1)[0]!;
      await sleep(10);
    }
    throw new Error(`no ${name}`);
  };
  connection.write(control, encodeFrame('Hello', { version: 1, capabilities: ['chat'] }));
  connection.write(control, encodeFrame('Auth', { method: 'username', credentials: `soak${index}` }));
  await waitFor('AuthOk');
  counts.sessions++;
  const room = 100 + ((index + round) % ROOMS);
  const chat = connection.openUni();
  connection.write(chat, encodeFrame('JoinRoom', { room_id: room }));
  const sessionEnd = Math.min(until, Date.now() + 3000 + ((index * 997) % 4000));
  let sent = 0;
  while (Date.now() < sessionEnd) {
    const content = `message ${sent} from soak${index} `.repeat(1 + (sent % 20));
    connection.write(
      chat,
      encodeFrame('SendMessage', {
        room_id: room,
        content,
        nonce: `${round}-${sent++}`,
        reply_to: null,
        attachments: [],
      }),
    );
    counts.messages++;
    if (sent % 10 === 0) await upload(connection, room, waitFor, counts);
    await sleep(100);
  }
  connection.write(chat, encodeFrame('LeaveRoom', { room_id: room }));
  connection.write(control, encodeFrame('Goodbye', { reason: 'soak' }));
  await sleep(20);
}

async function upload(
  connection: QuicConnection,
  room: number,
  waitFor: (name: string) => Promise<Frame>,
  counts: Counts,
) {
  const data = Buffer.alloc(16 * 1024, counts.uploads & 0xff);
  const stream = connection.openUni();
  const checksum = createHash('sha256').update(data).digest('hex');
  connection.write(
    stream,
    encodeFrame('UploadStart', {
      room_id: room,
      filename: 'soak.bin',
      mime_type: 'application/octet-stream',
      size: data.length,
      checksum,
    }),
  );
  const ack = await waitFor('UploadAck');
  const id = (ack.payload as { upload_id: number }).upload_id;
  connection.write(stream, encodeUploadChunk({ upload_id: id, offset: 0 }, data));
  connection.write(stream, encodeFrame('UploadComplete', { upload_id: id }), true);
  await waitFor('UploadAck');
  counts.uploads++;
}

const server = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    // Given here, so the server runs in this process's child itself (no respawn): its pid is the one measured.
    YOUNG_GENERATION_FLAG,
    join(root, 'reference-server/cli.ts'),
    '--port',
    '0',
    '--log-level',
    'error',
    '--auth-methods',
    'username,token',
    '--upload-retention-ms',
    '10000',
    '--empty-room-retention-ms',
    '5000',
    '--rate-limit',
    '0',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => server.kill('SIGKILL'));
const port = await new Promise<number>((resolve, reject) => {
  createInterface({ input: server.stdout! }).on('line', (line) => {
    const match = /:(\d+)$/.exec(line);
    if (match) resolve(Number(match[1]));
  });
  server.on('exit', (code) => reject(new Error(`garou-server exited with ${code}`)));
});
const pid = server.pid!;
const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1' });
const started = Date.now();
const until = started + SECONDS * 1000;
const counts: Counts = { messages: 0, uploads: 0, sessions: 0, failures: 0 };
console.log(`soak: ${CLIENTS} clients, ${SECONDS} s, ${ROOMS} rooms, server pid ${pid} on 127.0.0.1:${port}`);
console.log('   t(s)   RSS(MB)   CPU(%)  sessions  messages  uploads  failures');
const samples: { x: number; y: number }[] = [];
let last = usage(pid);
let lastAt = Date.now();
const sampler = setInterval(() => {
  const now = Date.now();
  const current = usage(pid);
  const cpu = (100 * (current.cpuS - last.cpuS)) / ((now - lastAt) / 1000);
  last = current;
  lastAt = now;
  const t = (now - started) / 1000;
  samples.push({ x: t, y: current.rssMb });
  console.log(
    `${t.toFixed(0).padStart(7)} ${current.rssMb.toFixed(1).padStart(9)} ${cpu.toFixed(0).padStart(8)} ${String(counts.sessions).padStart(9)} ${String(counts.messages).padStart(9)} ${String(counts.uploads).padStart(8)} ${String(counts.failures).padStart(9)}`,
  );
}, SAMPLE_MS);
await Promise.all(
  Array.from({ length: CLIENTS }, (_, i) =>
    sleep(i * 20).then(() => runUser(endpoint, port, i, until, counts)),
  ),
);
clearInterval(sampler);
const warm = samples.filter((s) => s.x >= SECONDS / 3);
const perMin = slope(warm) * 60;
const baseline = warm[0]?.y ?? 0;
const final = samples.at(-1)?.y ?? 0;
console.log(`RSS slope after warm-up (t >= ${(SECONDS / 3).toFixed(0)} s): ${perMin.toFixed(2)} MB/min`);
console.log(
  `RSS final / RSS at end of warm-up: ${(final / (baseline || 1)).toFixed(3)} (${final.toFixed(1)} / ${baseline.toFixed(1)} MB)`,
);
await endpoint.close({ timeoutMs: 200 });
server.kill('SIGTERM');
process.exit(counts.sessions > 0 ? 0 : 1);
