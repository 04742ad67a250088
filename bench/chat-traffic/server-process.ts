/**
 * One server of the chat-traffic bench, run as its own process so that its CPU time can be read from /proc:
 * `reference` (the GarouServer, rate limiter off) or `baseline` (BaselineChatServer). Forked by main.ts; answers
 * `address` over IPC and exits when the channel closes. A second argument, `native` or `dgram`, picks its UDP I/O.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../reference-server/config.js';
import { GarouServer } from '../../reference-server/server.js';
import { generateSelfSignedCert, type HostPort } from '../../transport/index.js';
import { BaselineChatServer } from './baseline-chat-server.js';
import { serveParent } from '../fanout/serve-parent.js';
import type { ServerCommand } from './protocol.js';

const kind = process.argv[2];
// An optional UDP I/O path for this server only (main.ts --compare-udp-io); read when the socket is bound.
if (process.argv[3] !== undefined) process.env.GAROU_UDP_IO = process.argv[3];
const tls = await generateSelfSignedCert();
let address: HostPort;
let close: () => Promise<void>;
if (kind === 'reference') {
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-chat-traffic-'));
  // Rate limiter off: one bench sender posts far more than one chat user may.
  const config = resolveConfig({ port: 0, rate_limit: 0, max_connections: 20_000, log_level: 'silent' });
  const server = await GarouServer.start(config, { cert: tls.cert, key: tls.key, dataDir });
  address = server.address;
  close = async () => {
    await server.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  };
} else if (kind === 'baseline') {
  const server = await BaselineChatServer.start(tls);
  address = server.address;
  close = () => server.close();
} else {
  console.error(`server-process.ts: expected "reference" or "baseline", got ${kind}`);
  process.exit(2);
}
serveParent<ServerCommand>(
  'server-process.ts',
  (command) => {
    if (command.op !== 'address') throw new Error(`unknown op ${String(command.op)}`);
    return { ...address };
  },
  () => close(),
);
