/**
 * Wake-up floor: what a process costs per datagram when it only receives a datagram and answers it, at chat-like
 * arrival patterns (1 datagram per ms, 4 per 4 ms, 32 per 4 ms), in C (epoll + recvmmsg/sendmmsg) and in Node on
 * the transport's two sockets (the batched native one and node:dgram). No QUIC, no chat: this is the floor under
 * any server on this machine, and the ratio Node/C is what a Node server pays on top of a native one (tokio,
 * quinn) before doing any work. Issue #13's low-load rows (1-2k deliveries/s, ~4 datagrams per wake-up) sit on
 * the middle row. Needs a C compiler (cc); without one it says so and skips.
 *
 * Run: npm run bench -- wakeup-floor            (about 1 minute)
 *      node --import tsx bench/wakeup-floor/main.ts --count 5000
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: { count: { type: 'string', default: '10000' }, help: { type: 'boolean', short: 'h' } },
});
if (flags.help === true) {
  console.log(`Usage: npm run bench -- wakeup-floor [--count N]
CPU per datagram of a receive-and-answer loop in C and in Node (native socket, node:dgram), N datagrams per
arrival pattern (default 10000).`);
  process.exit(0);
}
const count = Number(flags.count);

/** Arrival patterns: `per` datagrams every `gapUs`. */
const PATTERNS = [
  { label: '1 per 1 ms', per: 1, gapUs: 1000 },
  { label: '4 per 4 ms', per: 4, gapUs: 4000 },
  { label: '32 per 4 ms', per: 32, gapUs: 4000 },
];

const work = mkdtempSync(join(tmpdir(), 'garou-wakeup-floor-'));
try {
  const built = ['echo-recv', 'paced-send'].every(
    (name) =>
      spawnSync('cc', ['-O2', '-o', join(work, name), join(here, `${name}.c`)], { stdio: 'ignore' })
        .status === 0,
  );
  if (!built) {
    console.log('skipped: no C compiler (cc) to build the C floor');
    process.exit(0);
  }
  console.log(`${count} datagrams per cell, answered one by one; CPU us per datagram (user + system)`);
  console.log('arrival       C      node native  node dgram  native/C  dgram/C');
  let port = 47_000 + Math.floor(Math.random() * 10_000);
  for (const pattern of PATTERNS) {
    const c = await measure([join(work, 'echo-recv'), String(++port), String(count), '1'], pattern, port);
    const native = await measure(nodeReceiver(++port, 'native'), pattern, port);
    const dgram = await measure(nodeReceiver(++port, 'dgram'), pattern, port);
    console.log(
      `${pattern.label.padEnd(12)} ${c.toFixed(1).padStart(5)}  ${native.toFixed(1).padStart(11)}  ` +
        `${dgram.toFixed(1).padStart(10)}  ${(native / c).toFixed(2).padStart(8)}  ${(dgram / c).toFixed(2).padStart(7)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function nodeReceiver(port: number, io: 'native' | 'dgram'): string[] {
  return [
    process.execPath,
    '--import',
    'tsx',
    join(here, 'echo-recv-node.ts'),
    String(port),
    String(count),
    io,
  ];
}

/** Starts the receiver, waits for its ready line, paces `count` (+4%, for any lost on the way) datagrams at it. */
function measure(command: string[], pattern: { per: number; gapUs: number }, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command as [string, ...string[]];
    const receiver = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let sender: ReturnType<typeof spawn> | null = null;
    receiver.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (sender === null && out.includes('"ready"')) {
        const extra = Math.ceil(count * 1.04);
        sender = spawn(
          join(work, 'paced-send'),
          [String(port), String(extra), String(pattern.gapUs), String(pattern.per)],
          {
            stdio: 'ignore',
          },
        );
      }
    });
    // Bounded: a receiver still short of `count` 10 s after the last datagram left lost some; stop it.
    let stuck: NodeJS.Timeout | null = null;
    const watchSender = setInterval(() => {
      if (sender !== null && sender.exitCode !== null && stuck === null)
        stuck = setTimeout(() => receiver.kill(), 10_000);
    }, 200);
    receiver.once('exit', (code) => {
      clearInterval(watchSender);
      if (stuck !== null) clearTimeout(stuck);
      sender?.kill();
      const line = out.trim().split('\n').at(-1) ?? '';
      let figure: number | undefined;
      try {
        figure = (JSON.parse(line) as { usPerDatagram?: number }).usPerDatagram;
      } catch {
        figure = undefined;
      }
      if (code !== 0 || figure === undefined) reject(new Error(`${file} exited with ${code}: ${out}`));
      else resolve(figure);
    });
  });
}
