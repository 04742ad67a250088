/** ClientSockets: one socket per CLIENTS_PER_SOCKET clients (bounded), clients spread over them, drops read. */
import { describe, expect, it } from 'vitest';
import {
  CLIENTS_PER_SOCKET,
  ClientSockets,
  MAX_SOCKETS,
  socketCountFor,
} from '../../../harness/runner/client-sockets.js';
import { mergeClientSocketReports } from '../../../harness/metrics/client-socket-report.js';

describe('socketCountFor', () => {
  it('grows with the clients, from 1 to MAX_SOCKETS', () => {
    expect(socketCountFor(0)).toBe(1);
    expect(socketCountFor(CLIENTS_PER_SOCKET)).toBe(1);
    expect(socketCountFor(CLIENTS_PER_SOCKET + 1)).toBe(2);
    expect(socketCountFor(1_000_000)).toBe(MAX_SOCKETS);
  });
});

describe('ClientSockets on loopback', () => {
  it('binds distinct sockets, spreads clients round-robin and reads their drop counters', async () => {
    const sockets = await ClientSockets.bind('127.0.0.1', 2 * CLIENTS_PER_SOCKET + 1);
    try {
      expect(sockets.endpoints).toHaveLength(3);
      const ports = new Set(sockets.endpoints.map((e) => e.localAddress.port));
      expect(ports.size).toBe(3);
      expect([0, 1, 2, 3, 4].map((position) => sockets.socketOf(position))).toEqual([0, 1, 2, 0, 1]);
      const report = sockets.report();
      expect(report).toMatchObject({ sockets: 3, drops: process.platform === 'linux' ? 0 : null });
      // The native socket (when built) counts the datagrams it could not send; none here.
      const native = sockets.endpoints[0]?.sendDrops() !== null;
      expect(report.sendDrops).toBe(native ? 0 : null);
      if (process.platform === 'linux') expect(report.socketsRead).toBe(3);
    } finally {
      await sockets.close({ timeoutMs: 100 });
    }
  });

  it('adds up the reports of several workers; unknown drops stay unknown', () => {
    const known = { sockets: 2, receiveBufferBytes: 8, rmemMax: 4, socketsRead: 2, drops: 5 };
    const unknown = { ...known, socketsRead: 0, drops: null };
    expect(mergeClientSocketReports([known, known])).toMatchObject({ sockets: 4, socketsRead: 4, drops: 10 });
    expect(mergeClientSocketReports([unknown])?.drops).toBeNull();
    const sent = (sendDrops: number | null) => ({ ...known, sendDrops });
    expect(mergeClientSocketReports([sent(3), sent(null), sent(4)])?.sendDrops).toBe(7);
    expect(mergeClientSocketReports([sent(null), known])?.sendDrops).toBeNull();
    expect(mergeClientSocketReports([])).toBeNull();
  });
});
