/**
 * Server memory per idle authenticated client beside a plain transport connection, measured in the same process
 * and run (issue #12: goal at most 50 KB RSS per authenticated client).
 *
 * - Baseline: N idle plain QUIC connections to a bare transport server with the reference server's settings (100
 *   streams of each kind, datagrams on), which never opens a stream: what the transport alone costs.
 * - Reference server: N idle clients that completed Hello/Auth (auto-joined to General, which turns large at the
 *   default large_room_threshold, PROTOCOL.md 16.2) with the default configuration.
 * - Figures: RSS, JS heap and external memory delta after forced GC, divided by N, for both; the headline is RSS
 *   per client and its ratio to the baseline. All clients run in one child process (bench/fanout's fleet).
 *
 * Run with `npm run bench -- server-memory` (or `node --expose-gc --import tsx bench/server-memory/main.ts [N]`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { resolveConfig } from '../../reference-server/config.js';
import { GarouServer } from '../../reference-server/server.js';
import { encodeFrame } from '../../spec/index.js';
import { generateSelfSignedCert } from '../../transport/index.js';
import { FleetProcess } from '../fanout/fleet-process.js';
import { perClient, settledMemory } from '../fanout/idle-memory.js';
import { RawFanoutServer } from '../fanout/raw-fanout-server.js';

/** Clients connected before each baseline is taken (code paths, buffers and JIT warmed up). */
const WARM_CLIENTS = 50;
/** Idle clients measured per side. */
const CLIENTS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 2000);
/** Plain connections opened at once. */
const RAW_WAVE = 200;
/** Issue #12's goal for one idle authenticated client, bytes of server RSS. */
const GOAL_BYTES = 50 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const tls = await generateSelfSignedCert();
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-memory-bench-'));
  const config = resolveConfig({ port: 0, max_connections: 100_000, log_level: 'silent' });
  const server = await GarouServer.start(config, { cert: tls.cert, key: tls.key, dataDir });
  const raw = await RawFanoutServer.start(tls, encodeFrame('Ping', { timestamp: 0 }));
  const fleet = await FleetProcess.start();
  try {
    // Plain connections first: a freed native allocation of the other side would be reused unseen.
    console.log(`memory: ${CLIENTS} idle plain connections, then ${CLIENTS} idle authenticated clients ...`);
    const rawAddress = { host: raw.address.host, port: raw.address.port };
    await fleet.request({ op: 'connect-raw', count: WARM_CLIENTS, ...rawAddress });
    await raw.whenConnected(WARM_CLIENTS);
    await sleep(300);
    const beforeRaw = settledMemory();
    // In waves: thousands of simultaneous handshakes on a shared 2-core machine would time out.
    for (let done = 0; done < CLIENTS; done += RAW_WAVE) {
      await fleet.request({ op: 'connect-raw', count: Math.min(RAW_WAVE, CLIENTS - done), ...rawAddress });
      await raw.whenConnected(WARM_CLIENTS + Math.min(CLIENTS, done + RAW_WAVE), 60_000);
    }
    await sleep(500);
    const plain = perClient(beforeRaw, settledMemory(), CLIENTS);

    const { host, port } = server.address;
    await fleet.request({ op: 'connect-members', count: WARM_CLIENTS, host, port });
    await sleep(300);
    const beforeGarou = settledMemory();
    await fleet.request({ op: 'connect-members', count: CLIENTS, host, port });
    await sleep(500);
    const garou = perClient(beforeGarou, settledMemory(), CLIENTS);

    const table = new Table({ head: ['per idle client (server process)', 'RSS', 'JS heap', 'external'] });
    table.push(
      [`reference server, authenticated (${CLIENTS})`, kb(garou.rss), kb(garou.heap), kb(garou.external)],
      [`plain transport connection (${CLIENTS})`, kb(plain.rss), kb(plain.heap), kb(plain.external)],
    );
    console.log(table.toString());
    const ratio = plain.rss > 0 ? garou.rss / plain.rss : Number.NaN;
    console.log(
      `authenticated client / plain connection RSS: ${ratio.toFixed(2)}x; ` +
        `goal ${kb(GOAL_BYTES)} per authenticated client: ${garou.rss <= GOAL_BYTES ? 'met' : 'NOT met'}`,
    );
    console.log(
      'Setup: both servers in this process, all clients in one child process; RSS delta after forced GC / N.\n' +
        '  RSS includes the JS heap, quiche native state and what the allocator keeps; the machine is shared.',
    );
  } finally {
    fleet.stop();
    await raw.close();
    await server.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
process.exit(process.exitCode ?? 0);
