/**
 * Every way a connect fails on loopback reaches ClientEvents.connectFailed with its reason: a dead port
 * (handshake timeout), a certificate the client does not trust (TLS), a server at its connection limit
 * (refused), AuthFailed, a server that closes with an application code, and a bad address (local error).
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HoldTimer,
  IgnoreClientEvents,
  SimClient,
  type ClientContext,
  type ConnectFailure,
} from '../../../harness/client/index.js';
import type { ClientOptions } from '../../../transport/index.js';
import { QuicEndpoint, generateSelfSignedCert } from '../../../transport/index.js';
import { FakeChatServer } from '../fake-chat-server.js';

class Failures extends IgnoreClientEvents {
  readonly failures: ConnectFailure[] = [];
  override connectFailed(_client: SimClient, failure: ConnectFailure): void {
    this.failures.push(failure);
  }
}

let endpoint: QuicEndpoint;
let holdTimer: HoldTimer;

beforeAll(async () => {
  endpoint = await QuicEndpoint.bind();
  holdTimer = new HoldTimer();
});

afterAll(async () => {
  holdTimer.stop();
  await endpoint.close({ timeoutMs: 200 });
});

/** Connects one client and waits for its failure (bounded). */
async function failureOf(port: number, tls: ClientOptions, host = '127.0.0.1'): Promise<ConnectFailure> {
  const events = new Failures();
  const context: ClientContext = { endpoint, events, tls, holdTimer };
  new SimClient(0, 'probe', context).connect(host, port);
  const deadline = Date.now() + 4000;
  while (events.failures.length === 0) {
    if (Date.now() > deadline) throw new Error('no connect failure within 4 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return events.failures[0] as ConnectFailure;
}

describe('connect failure reasons', () => {
  it('a port where nothing answers: handshake-timeout', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const failure = await failureOf(silent.address().port, { insecure: true, handshakeTimeoutMs: 300 });
      expect(failure.reason).toBe('handshake-timeout');
    } finally {
      silent.close();
    }
  });

  it('a certificate signed by another CA: tls, naming the alert', async () => {
    const server = await FakeChatServer.start();
    try {
      const other = await generateSelfSignedCert();
      const failure = await failureOf(server.port, { insecure: false, ca: other.cert });
      expect(failure.reason).toBe('tls');
      expect(failure.detail).toMatch(/TLS alert \d+/);
    } finally {
      await server.close();
    }
  });

  it('a server at its connection limit: refused', async () => {
    const { cert, key } = await generateSelfSignedCert();
    const full = await QuicEndpoint.bind();
    full.listen({ cert, key, maxConnections: 0 });
    try {
      const failure = await failureOf(full.localAddress.port, { insecure: true });
      expect(failure.reason).toBe('refused');
    } finally {
      await full.close({ timeoutMs: 200 });
    }
  });

  it('AuthFailed: auth-failed with the code and message', async () => {
    const server = await FakeChatServer.start({ refuseAuth: () => true });
    try {
      const failure = await failureOf(server.port, { insecure: true });
      expect(failure).toEqual({ reason: 'auth-failed', detail: 'AuthFailed 1003: refused by the test' });
    } finally {
      await server.close();
    }
  });

  it('a server that closes before AuthOk: server-closed with its code', async () => {
    const server = await FakeChatServer.start({ closeOnHello: { code: 1007, reason: 'go away' } });
    try {
      const failure = await failureOf(server.port, { insecure: true });
      expect(failure.reason).toBe('server-closed');
      expect(failure.detail).toContain('application code 0x3ef "go away"');
    } finally {
      await server.close();
    }
  });

  it('an address the socket cannot use: local-error', async () => {
    const failure = await failureOf(4433, { insecure: true }, 'not-an-ip');
    expect(failure.reason).toBe('local-error');
    expect(failure.detail).toContain('not-an-ip');
  });
});
