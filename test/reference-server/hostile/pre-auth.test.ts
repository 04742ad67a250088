/**
 * Hostile clients that hold connection slots without authenticating (issue 16, item 4; PROTOCOL.md
 * 17/handshake-deadline, 17/unauthenticated-cap): a deadline for Hello and Auth, and caps on unauthenticated
 * connections per address and overall that evict the oldest, so an honest client always gets a slot.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../spec/index.js';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';
import { startLoopbackServer, stopAll, within } from './loopback-server.js';

afterAll(removeTestDirs);
afterEach(stopAll);

describe('handshake deadline', () => {
  it('a connection that has not authenticated within handshake_deadline_ms is closed', () => {
    const { service, clock } = testService({ handshake_deadline_ms: 2000 });
    const silent = new TestClient(service);
    const helloOnly = new TestClient(service);
    helloOnly.control('Hello', { version: 1, capabilities: ['chat'] });
    const honest = new TestClient(service);
    clock.advance(1000);
    honest.login('alice');
    clock.advance(1500);
    service.tick();
    expect(silent.session.state).toBe('closed');
    expect(helloOnly.session.state).toBe('closed');
    expect(helloOnly.port.closed()?.code).toBe(ERROR_CODES.AUTH_REQUIRED);
    expect(helloOnly.errors().map((e) => e.code)).toEqual([ERROR_CODES.AUTH_REQUIRED]);
    // No Error before HelloAck (PROTOCOL.md 14/no-error-before-hello-ack).
    expect(silent.controlFrames()).toEqual([]);
    expect(honest.session.state).toBe('ready');
  });
});

describe('unauthenticated caps', () => {
  it('the oldest unauthenticated connection of an address is evicted for a new one', () => {
    const { service } = testService({ max_unauthenticated_per_address: 3 });
    const idle = Array.from({ length: 3 }, () => new TestClient(service, '192.0.2.7'));
    const other = new TestClient(service, '192.0.2.8');
    const fresh = new TestClient(service, '192.0.2.7');
    expect(idle.map((c) => c.session.state)).toEqual(['closed', 'await-hello', 'await-hello']);
    expect(other.session.state).toBe('await-hello');
    fresh.login('alice');
    expect(fresh.session.state).toBe('ready');
    // Authenticated connections no longer count.
    new TestClient(service, '192.0.2.7');
    expect(idle[1]!.session.state).toBe('await-hello');
  });

  it('over all addresses, unauthenticated connections take at most half of max_connections', () => {
    const { service } = testService({ max_connections: 10, max_unauthenticated: 1000 });
    const clients = Array.from({ length: 8 }, (_, i) => new TestClient(service, `192.0.2.${i}`));
    expect(clients.filter((c) => c.session.state !== 'closed')).toHaveLength(5);
  });

  it('over loopback: 20 silent connections with max_connections 20 do not lock out an honest client', async () => {
    const { connect } = await startLoopbackServer({
      max_connections: 20,
      max_unauthenticated_per_address: 1000,
    });
    const silent = [];
    for (let i = 0; i < 20; i++) {
      try {
        silent.push(await within(connect(), 1000, 'silent connection'));
      } catch {
        break; // the server is full
      }
    }
    // The transport counts a connection from its first packet, the server's admission only once it is established,
    // so the honest client may be refused while evicted connections are still closing: like a real client it
    // retries. Before the caps it stayed locked out for the whole window (every retry refused).
    const deadline = Date.now() + 3000;
    let honest: Awaited<ReturnType<typeof connect>> | null = null;
    while (honest === null && Date.now() < deadline) {
      try {
        honest = await within(connect(), Math.max(1, deadline - Date.now()), 'honest connection');
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(honest, 'an honest client got a slot within 3 s').not.toBeNull();
    await honest!.login('alice');
    expect(honest!.controlOf('AuthOk')).toHaveLength(1);
  });
});
