/**
 * Fan-out benchmark: RoomMessage deliveries/s of the reference server for rooms of 10, 100 and 1,000 members,
 * beside the transport's raw one-way frame rate to the same number of receivers, measured in the same run; and the
 * server's memory per connected (idle, authenticated) client.
 *
 * - The reference server (GarouServer, 127.0.0.1, port 0, self-signed certificate) and the baseline (a plain
 *   transport server writing one pre-encoded RoomMessage frame per write() to each receiver, as fast as
 *   backpressure allows) run in this process. All clients run in ONE child process (client-fleet.ts) on one client
 *   endpoint, so each side has a core of its own on a 2-core machine; both comparisons use the same clients.
 * - Garou load: senders post SendMessage in a closed loop (a bounded number of messages not yet delivered to every
 *   member), one new message per delivered one, then (second figure) BURST_MESSAGES at a time; every member
 *   decodes every frame with the spec's FrameDecoder; afterwards every member must have received every message
 *   exactly once. The closed loop counts deliveries, not MessageAcks: the server acks a message before fanning it
 *   out, so a window of acks would not bound what waits in the server's per-connection backlogs.
 * - Besides rates, both processes' CPU time and the packets the clients send back (nearly all ACKs) are reported:
 *   they show where the server's figure loses to the baseline's.
 * - Memory: this process's RSS / JS heap delta after forced GC, per client, before any load: first for 1,000 idle
 *   plain connections to the baseline server (the transport's share), then for 1,000 idle authenticated clients.
 *
 * Run with `npm run bench -- fanout` (or `node --expose-gc --import tsx bench/fanout/main.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { resolveConfig } from '../../reference-server/config.js';
import { GarouServer } from '../../reference-server/server.js';
import { userIdForUsername } from '../../reference-server/user-identity.js';
import { encodeFrame } from '../../spec/index.js';
import { generateSelfSignedCert } from '../../transport/index.js';
import { FleetProcess } from './fleet-process.js';
import { perClient, settledMemory, type MemoryPerClient } from './idle-memory.js';
import { LOAD_CONTENT, type FleetSnapshot, type LoadSummary } from './fleet-protocol.js';
import { RawFanoutServer } from './raw-fanout-server.js';

const ROOM_SIZES = [10, 100, 1000];
/** Clients connected before the memory baseline is taken (code paths, buffers and JIT warmed up). */
const WARM_CLIENTS = 20;
/** Idle clients whose memory is measured; they then serve as room members. */
const IDLE_CLIENTS = 1000;
const SENDERS = 2;
/**
 * Messages of the closed loop not yet delivered to every member. 1,024 frames of ~285 B is ~the transport's
 * 256 KiB per-stream write buffer, the queue depth that bounds the baseline: both sides get the same pipeline depth.
 */
const WINDOW_MESSAGES = 1024;
/**
 * The second server figure: senders top the window up with this many messages at once, so that the server gets
 * messages in bursts and each member one large burst of frames, as the baseline's bulk writes give it.
 */
const BURST_MESSAGES = WINDOW_MESSAGES / 8;
const MEASURE_MS = 2000;
/**
 * Both pipelines start by filling ~256 KiB per receiver (1,024 frames x N), which takes the server a moment per
 * member before the rate is steady.
 */
const warmupMs = (members: number): number => 500 + 2 * members;
const GOAL_RATIO = 0.7;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  /** Deliveries (frames decoded by receivers) per second. */
  perSecond: number;
  /** CPU of this process (the server side) and of the fleet, in cores (1 = one core busy all the time). */
  serverCores: number;
  clientCores: number;
  /** Packets the clients sent (ACKs, and SendMessage for the server load) per 100 deliveries. */
  clientPacketsPer100: number;
}

interface RoomRow {
  members: number;
  /** One measurement per window, in order. */
  garou: Measured[];
  /** The same load, topped up BURST_MESSAGES at a time. */
  bursty: Measured[];
  raw: Measured[];
  loads: LoadSummary[];
}

/** The window with the highest rate: interference from other processes only ever lowers a rate. */
function best(runs: Measured[]): Measured {
  return runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
}

/** Server-side CPU time per delivery, microseconds: steadier than the rate when other processes compete. */
function microsPerDelivery(m: Measured): number {
  return m.perSecond > 0 ? (m.serverCores * 1e6) / m.perSecond : 0;
}

/** Warm-up, then `count` consecutive measurement windows of the counter `pick`, with both processes' CPU time. */
async function measureWindows(
  fleet: FleetProcess,
  members: number,
  count: number,
  pick: (s: FleetSnapshot) => number,
): Promise<Measured[]> {
  await sleep(warmupMs(members));
  const windows: Measured[] = [];
  let first = await fleet.snapshot();
  for (let i = 0; i < count; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await sleep(MEASURE_MS);
    const last = await fleet.snapshot();
    const used = process.cpuUsage(cpu);
    const elapsedMs = performance.now() - started;
    const fleetMs = last.atMs - first.atMs;
    const deliveries = pick(last) - pick(first);
    windows.push({
      perSecond: deliveries / (fleetMs / 1000),
      serverCores: (used.user + used.system) / 1000 / elapsedMs,
      clientCores: (last.cpuMicros - first.cpuMicros) / 1000 / fleetMs,
      clientPacketsPer100: deliveries > 0 ? (100 * (last.packetsSent - first.packetsSent)) / deliveries : 0,
    });
    first = last;
  }
  return windows;
}

/** One baseline run: the raw server writes to the first `members` connections for a warm-up and one window. */
async function measureRaw(fleet: FleetProcess, raw: RawFanoutServer, members: number): Promise<Measured> {
  raw.start(members);
  const [window] = await measureWindows(fleet, members, 1, (s) => s.rawDeliveries);
  raw.stop();
  await fleet.request({ op: 'wait-quiet', quietMs: 200 });
  return window!;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kb = (bytes: number): string => `${fmt(bytes / 1024, 1)} KB`;

async function main(): Promise<void> {
  const started = performance.now();
  const tls = await generateSelfSignedCert();
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-fanout-bench-'));
  // Rate limiter off: the bench measures capacity, and one sender posts far more than a chat user would.
  const config = resolveConfig({ port: 0, rate_limit: 0, max_connections: 20_000, log_level: 'silent' });
  const server = await GarouServer.start(config, { cert: tls.cert, key: tls.key, dataDir });
  const fleet = await FleetProcess.start();
  let raw: RawFanoutServer | null = null;
  try {
    // The baseline's frame: a RoomMessage as the server fans it out during the load (same fields and sizes).
    const frame = encodeFrame('RoomMessage', {
      message_id: 123_456,
      room_id: 1000,
      sender: { user_id: userIdForUsername('bench-00000'), username: 'bench-00000', avatar_url: null },
      content: LOAD_CONTENT,
      timestamp: Date.now(),
      reply_to: null,
      attachments: [],
      nonce: 'm12345',
    });
    raw = await RawFanoutServer.start(tls, frame);

    // Memory first, in a process that has done nothing else yet. The plain connections go first: the General
    // join flood below leaves freed native memory behind that later connections would reuse unseen.
    console.log(
      `memory: ${IDLE_CLIENTS} idle plain connections, then ${IDLE_CLIENTS} idle authenticated clients ...`,
    );
    const rawAddress = { host: raw.address.host, port: raw.address.port };
    await fleet.request({ op: 'connect-raw', count: WARM_CLIENTS, ...rawAddress });
    await raw.whenConnected(WARM_CLIENTS);
    await sleep(300);
    const beforeRaw = settledMemory();
    await fleet.request({ op: 'connect-raw', count: IDLE_CLIENTS, ...rawAddress });
    await raw.whenConnected(WARM_CLIENTS + IDLE_CLIENTS);
    await sleep(500);
    const rawMemory = perClient(beforeRaw, settledMemory(), IDLE_CLIENTS);

    const { host, port } = server.address;
    await fleet.request({ op: 'connect-members', count: WARM_CLIENTS, host, port });
    await sleep(300);
    const beforeGarou = settledMemory();
    await fleet.request({ op: 'connect-members', count: IDLE_CLIENTS, host, port });
    await sleep(500);
    const garouMemory = perClient(beforeGarou, settledMemory(), IDLE_CLIENTS);

    console.log(`rooms of ${ROOM_SIZES.join(', ')} members: joining ...`);
    for (const members of ROOM_SIZES) await fleet.request({ op: 'join-room', roomId: members, members });

    const rows: RoomRow[] = [];
    for (const members of ROOM_SIZES) {
      console.log(`room of ${members}: baseline, reference server, baseline ...`);
      // Baseline, server, server, baseline (ABBA): a drift in what else runs on the machine hits both sides alike,
      // and the server's deep pipeline is filled and drained once.
      const row: RoomRow = { members, garou: [], bursty: [], raw: [], loads: [] };
      row.raw.push(await measureRaw(fleet, raw, members));
      await fleet.request({
        op: 'start-load',
        roomId: members,
        members,
        senders: Math.min(SENDERS, members),
        windowMessages: WINDOW_MESSAGES,
      });
      row.garou.push(...(await measureWindows(fleet, members, 2, (s) => s.roomDeliveries)));
      await fleet.request({ op: 'set-top-up', messages: BURST_MESSAGES });
      row.bursty.push(...(await measureWindows(fleet, members, 1, (s) => s.roomDeliveries)));
      row.loads.push(await fleet.stopLoad());
      row.raw.push(await measureRaw(fleet, raw, members));
      rows.push(row);
    }
    report(rows, garouMemory, rawMemory, performance.now() - started);
    const failed = rows.filter((r) => r.loads.some((l) => l.mismatchedMembers > 0 || l.errors > 0));
    if (failed.length > 0) {
      console.error(`exactly-once check FAILED for rooms of ${failed.map((r) => r.members).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    fleet.stop();
    await raw?.close();
    await server.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(
  rows: RoomRow[],
  garouMemory: MemoryPerClient,
  rawMemory: MemoryPerClient,
  elapsedMs: number,
): void {
  const ratioOf = (server: Measured, raw: Measured): number =>
    raw.perSecond > 0 ? server.perSecond / raw.perSecond : 0;
  const verdict = (ratio: number): string => `${fmt(ratio, 2)} ${ratio >= GOAL_RATIO ? 'met' : 'MISSED'}`;
  const table = new Table({
    head: [
      'members',
      'raw transport frames/s',
      'server deliveries/s',
      `ratio (goal >= ${GOAL_RATIO})`,
      'server msgs/s',
      `server deliveries/s, bursts of ${BURST_MESSAGES}`,
      'ratio',
    ],
  });
  for (const r of rows) {
    const raw = best(r.raw);
    const garou = best(r.garou);
    const bursty = best(r.bursty);
    table.push([
      fmt(r.members),
      fmt(raw.perSecond),
      fmt(garou.perSecond),
      verdict(ratioOf(garou, raw)),
      fmt(garou.perSecond / r.members),
      fmt(bursty.perSecond),
      verdict(ratioOf(bursty, raw)),
    ]);
  }
  console.log(table.toString());

  const costs = new Table({
    head: [
      'members: raw / server / server in bursts',
      'server CPU cores',
      'server CPU µs per delivery',
      'client CPU cores',
      'client packets per 100 deliveries',
    ],
  });
  for (const r of rows) {
    const runs = [best(r.raw), best(r.garou), best(r.bursty)];
    const column = (value: (m: Measured) => string): string => runs.map(value).join(' / ');
    costs.push([
      fmt(r.members),
      column((m) => fmt(m.serverCores, 2)),
      column((m) => fmt(microsPerDelivery(m), 2)),
      column((m) => fmt(m.clientCores, 2)),
      column((m) => fmt(m.clientPacketsPer100, 1)),
    ]);
  }
  console.log(costs.toString());

  const memory = new Table({
    head: ['memory per connected client (server process)', 'RSS', 'JS heap', 'external + ArrayBuffers'],
  });
  memory.push(
    [
      `reference server, ${fmt(garouMemory.clients)} idle authenticated clients in General`,
      kb(garouMemory.rss),
      kb(garouMemory.heap),
      kb(garouMemory.external),
    ],
    [
      `transport alone: ${fmt(rawMemory.clients)} idle plain QUIC connections, same settings`,
      kb(rawMemory.rss),
      kb(rawMemory.heap),
      kb(rawMemory.external),
    ],
  );
  console.log(memory.toString());

  const windows = rows
    .map(
      (r) =>
        `${r.members}: raw ${r.raw.map((m) => fmt(m.perSecond)).join(', ')}; ` +
        `server ${r.garou.map((m) => fmt(m.perSecond)).join(', ')}; ` +
        `in bursts ${r.bursty.map((m) => fmt(m.perSecond)).join(', ')}`,
    )
    .join('\n  ');
  const checks = rows
    .map((r) => {
      const sent = r.loads.reduce((n, l) => n + l.sent, 0);
      const deliveries = r.loads.reduce((n, l) => n + l.deliveries, 0);
      const mismatched = r.loads.reduce((n, l) => n + l.mismatchedMembers, 0);
      const short = r.loads.reduce((n, l) => n + l.shortMembers, 0);
      const verdict =
        mismatched > 0
          ? `${mismatched} members MISMATCHED`
          : short > 0
            ? `no duplicates; ${short} members still short at the drain deadline (QUIC loss-recovery backoff), not verified`
            : 'each member got each exactly once';
      return `${r.members}: ${fmt(sent)} messages, ${fmt(deliveries)} deliveries, ${verdict}`;
    })
    .join('; ');
  console.log(
    [
      'Setup: servers (the reference server; the baseline plain transport server) in this process, all clients in ONE',
      '  child process on one client endpoint; UDP loopback; 2 cores, shared with whatever else runs on the machine.',
      '  Cost table (each cell: raw / server / server in bursts, for the reported windows): CPU in cores busy',
      '  (1.00 = one core saturated); client packets are what the clients sent back, nearly all ACKs: a client ACKs',
      '  each burst it receives, and a fan-out server sends every member a burst per batch of messages it has read,',
      '  a bulk writer one large one. Small bursts cost both sides packets: that is the gap between the two ratios.',
      `Server deliveries: RoomMessage frames decoded (FrameDecoder) by room members; ${SENDERS} members post SendMessage`,
      `  in a closed loop (at most ${fmt(WINDOW_MESSAGES)} messages not yet delivered to every member), a new message as`,
      `  soon as one is delivered; "in bursts": ${BURST_MESSAGES} new messages once ${BURST_MESSAGES} are delivered. Rate limiter`,
      '  off; hot-room defaults (the room is promoted to hot streams early in the load); sender echoes count.',
      'Raw transport frames: one RoomMessage frame pre-encoded once, one write() per frame to each of the N receivers',
      '  as fast as backpressure allows, decoded by the same clients.',
      'Per room size: baseline, server (two windows, then one in bursts), baseline; each run and the switch to',
      `  bursts get 500 ms + 2 ms per member of warm-up; every window is ${MEASURE_MS} ms;`,
      `  the best window of each side is reported. All windows (deliveries/s):\n  ${windows}`,
      "Memory: delta after forced GC / N in the server process, before any load. RSS includes the JS heap, quiche's",
      '  native state and what the allocator kept from the join flood (each join of General is announced to every',
      '  earlier member until General reaches large_room_threshold, PROTOCOL.md 16.2).',
      `Exactly-once: ${checks}.`,
      `Whole run: ${fmt(elapsedMs / 1000, 1)} s.`,
    ].join('\n'),
  );
}

await main();
process.exit(process.exitCode ?? 0);
