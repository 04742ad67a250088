/**
 * Server cost of a client's arrival and departure as the number of connected clients grows, with the large-room
 * rule (PROTOCOL.md 16.2) off and at its default threshold, measured in the same run.
 *
 * The protocol core (ChatService and its sessions) runs in this process without a network: each client is a
 * ConnectionPort that only counts what it is given, logs in (Hello, Auth: auto-join of General, presence) and at
 * the end disconnects. Without the rule every arrival is announced to every earlier member (RoomUserJoined and a
 * presence datagram), so the cost per client grows with the number of clients; with it the cost per client should
 * stay flat. Printed per size: frames and datagrams queued per client, CPU microseconds per client (arrival and
 * departure), and the ratio of the per-client CPU to that of the smallest size.
 *
 * Run with `npm run bench -- server-scale` (or `node --import tsx bench/server-scale/main.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { ChatService } from '../../reference-server/chat-service.js';
import { resolveConfig } from '../../reference-server/config.js';
import type { ConnectionPort } from '../../reference-server/connection-port.js';
import { encodeFrame } from '../../spec/index.js';

/** Client counts per mode; without large rooms the cost is quadratic, so the largest size is left out. */
const SIZES = { off: [1000, 2000, 5000], default: [1000, 5000, 20_000, 50_000] } as const;
const CONTROL_STREAM = 0;

/** A connection that counts what the core queues on it. */
class CountingPort implements ConnectionPort {
  static frames = 0;
  static datagrams = 0;
  send(): void {
    CountingPort.frames++;
  }
  finish(): void {}
  abortStream(): void {}
  sendDatagram(): void {
    CountingPort.datagrams++;
  }
  close(): void {}
}

interface Row {
  mode: string;
  clients: number;
  framesPerClient: number;
  datagramsPerClient: number;
  microsPerClient: number;
}

function measure(mode: 'off' | 'default', clients: number, dataDir: string): Row {
  const config = resolveConfig({
    max_connections: 100_000,
    max_room_members: 100_000,
    ...(mode === 'off' ? { large_room_threshold: 0 } : {}),
  });
  const service = new ChatService(config, { dataDir });
  const hello = encodeFrame('Hello', { version: 1, capabilities: ['chat', 'presence'] });
  CountingPort.frames = 0;
  CountingPort.datagrams = 0;
  const cpu = process.cpuUsage();
  const sessions = [];
  for (let i = 0; i < clients; i++) {
    const session = service.connect(new CountingPort());
    session.onStreamData(CONTROL_STREAM, hello, false);
    session.onStreamData(
      CONTROL_STREAM,
      encodeFrame('Auth', { method: 'username', credentials: `scale-${i}` }),
      false,
    );
    sessions.push(session);
  }
  for (const session of sessions) session.onClosed();
  const used = process.cpuUsage(cpu);
  return {
    mode: mode === 'off' ? 'large rooms off' : `threshold ${config.largeRoomThreshold} (default)`,
    clients,
    framesPerClient: CountingPort.frames / clients,
    datagramsPerClient: CountingPort.datagrams / clients,
    microsPerClient: (used.user + used.system) / clients,
  };
}

function main(): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-scale-bench-'));
  try {
    // Warm-up: JIT the arrival and departure paths before the first measured size.
    measure('default', 1000, dataDir);
    const rows: Row[] = [];
    for (const mode of ['off', 'default'] as const)
      for (const clients of SIZES[mode]) rows.push(measure(mode, clients, dataDir));
    const table = new Table({
      head: ['mode', 'clients', 'frames / client', 'datagrams / client', 'CPU µs / client', 'vs 1,000'],
    });
    for (const row of rows) {
      const base = rows.find((r) => r.mode === row.mode && r.clients === 1000)!;
      table.push([
        row.mode,
        row.clients.toLocaleString('en-US'),
        row.framesPerClient.toFixed(1),
        row.datagramsPerClient.toFixed(1),
        row.microsPerClient.toFixed(1),
        `${(row.microsPerClient / base.microsPerClient).toFixed(2)}x`,
      ]);
    }
    console.log(table.toString());
    console.log(
      'Each client: Hello, Auth (AuthOk, ShardAssignment, auto-join of General, presence), later its disconnect.\n' +
        '  Protocol core only (no QUIC, no JSON decode on the receiving side); one process; the machine is shared.',
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main();
