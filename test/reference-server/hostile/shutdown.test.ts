/**
 * Shutdown with many clients (issue 16, item 9; PROTOCOL.md 12/shutdown): every client gets Goodbye and the close,
 * and the server spends no fan-out on announcing the departures of connections it is closing itself.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';
import { startLoopbackServer, stopAll } from './loopback-server.js';

afterAll(removeTestDirs);
afterEach(stopAll);

describe('shutdown', () => {
  it('Goodbye and close to every client, and no RoomUserLeft or PresenceOffline fan-out', () => {
    const { service } = testService();
    const clients = Array.from({ length: 300 }, (_, i) => new TestClient(service).login(`user${i}`));
    for (const client of clients) client.port.clear();
    service.shutdown('server shutting down');
    for (const client of clients) {
      expect(client.controlOf('Goodbye').map((f) => f.payload.reason)).toEqual(['server shutting down']);
      expect(client.port.closed()?.code).toBe(0);
      const frames = client.port.streamsWritten().flatMap((s) => client.framesOn(s));
      expect(frames.map((f) => f.name)).toEqual(['Goodbye']);
      expect(client.port.datagrams()).toEqual([]);
    }
  });

  it('over loopback: 150 clients in General all see Goodbye and the connection close', async () => {
    const { server, connect } = await startLoopbackServer();
    const clients = [];
    for (let i = 0; i < 150; i++) clients.push(await connect());
    await Promise.all(clients.map((c, i) => c.login(`user${i}`)));
    const started = Date.now();
    await server.shutdown();
    const stopMs = Date.now() - started;
    await Promise.all(clients.map((c) => c.until(() => c.closeInfo !== null, 'connection close', 5000)));
    expect(clients.filter((c) => c.controlOf('Goodbye').length === 1)).toHaveLength(150);
    expect(clients.every((c) => c.closeInfo?.peerError?.code === 0)).toBe(true);
    expect(stopMs).toBeLessThan(5000);
  }, 60_000);
});
