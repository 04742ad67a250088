/**
 * The transport over real UDP on 127.0.0.1: handshake, streams both ways, backpressure,
 * datagrams, resets, close codes, limits, timeouts, and many clients on one socket.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  QuicEndpoint,
  STOP_SENDING_CODE_UNKNOWN,
  TransportError,
  createUdpPacketIO,
  generateSelfSignedCert,
} from '../../transport/index.js';
import type { CloseInfo, PacketIO, PacketReceiver, QuicConnection } from '../../transport/index.js';
import { INSECURE, endpointPair, testCertificate } from './helpers/endpoints.js';
import type { EndpointPair } from './helpers/endpoints.js';
import { StreamRecorder, payload, sleep, writeAll } from './helpers/streams.js';

vi.setConfig({ testTimeout: 10_000 });

/** A packet I/O that, once armed, sends the next two packets in reverse order. */
class SwapNextTwo implements PacketIO {
  armed = false;
  swapped = false;
  private held: [Buffer, string, number] | null = null;

  constructor(private readonly inner: PacketIO) {}

  get localAddress(): PacketIO['localAddress'] {
    return this.inner.localAddress;
  }

  start(receiver: PacketReceiver): void {
    this.inner.start(receiver);
  }

  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
    if (this.armed && this.held === null) {
      this.held = [Buffer.from(buffer.subarray(offset, offset + length)), toHost, toPort];
      return;
    }
    this.inner.send(buffer, offset, length, toHost, toPort);
    if (this.held !== null) {
      const [held, host, port] = this.held;
      this.inner.send(held, 0, held.length, host, port);
      this.held = null;
      this.armed = false;
      this.swapped = true;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

let pair: EndpointPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

async function established(
  options = {},
  clientOptions = INSECURE,
): Promise<{
  p: EndpointPair;
  client: QuicConnection;
  server: QuicConnection;
}> {
  const p = await endpointPair(options);
  pair = p;
  const client = p.connect(clientOptions);
  await client.whenEstablished();
  const server = await p.acceptedAt(0);
  return { p, client, server };
}

/**
 * A stream round trip: the server's answer follows its HANDSHAKE_DONE, so the client's handshake is confirmed
 * after it. For tests of what comes later (datagrams, close codes), not of the handshake's last round trip.
 */
async function handshakeConfirmed(
  client: QuicConnection,
  server: QuicConnection,
  atClient = new StreamRecorder(client),
  atServer = new StreamRecorder(server),
): Promise<void> {
  const ready = client.openBidi();
  client.write(ready, Buffer.from('ready?'), false);
  await atServer.receivedData(ready);
  server.write(ready, Buffer.from('ready'), false);
  await atClient.receivedData(ready);
}

describe('handshake', () => {
  it('establishes both sides with the negotiated ALPN and addresses', async () => {
    const p = await endpointPair();
    pair = p;
    const client = p.connect();
    let clientEstablished = 0;
    client.onEstablished = function () {
      expect(this).toBe(client);
      clientEstablished++;
    };
    expect(client.state).toBe('handshaking');
    await client.whenEstablished();
    const server = await p.acceptedAt(0);
    expect(clientEstablished).toBe(1);
    expect(client.state).toBe('established');
    expect(server.state).toBe('established');
    expect(client.alpn).toBe('chat');
    expect(server.alpn).toBe('chat');
    expect(client.side).toBe('client');
    expect(server.side).toBe('server');
    expect(server.remoteAddress).toEqual(p.client.localAddress);
    expect(client.remoteAddress).toEqual(p.server.localAddress);
    expect(client.id).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reaches each server of a client endpoint that connects to several, in any order', async () => {
    // Client connects to one peer share its address objects: a connect to another peer must not reuse them.
    const p = await endpointPair();
    pair = p;
    const { cert, key } = await testCertificate();
    const other = await QuicEndpoint.bind({ host: '127.0.0.1' });
    try {
      other.listen({ cert, key });
      const otherAccepted: QuicConnection[] = [];
      other.onConnection = (conn) => otherAccepted.push(conn);
      const to = (server: QuicEndpoint): QuicConnection =>
        p.client.connect(server.localAddress.host, server.localAddress.port, INSECURE);
      const conns = [to(p.server), to(p.server), to(other), to(p.server), to(other)];
      await Promise.all(conns.map((c) => c.whenEstablished()));
      const servers = [p.server, p.server, other, p.server, other];
      conns.forEach((c, i) => {
        expect(c.remoteAddress).toEqual((servers[i] as QuicEndpoint).localAddress);
        expect(c.localAddress).toEqual(p.client.localAddress);
        expect(c.alpn).toBe('chat');
      });
      await p.acceptedAt(2);
      await vi.waitFor(() => expect(otherAccepted).toHaveLength(2));
      expect(p.accepted).toHaveLength(3);
    } finally {
      await other.close({ timeoutMs: 500 });
    }
  });

  it('fails the handshake when ALPN lists do not intersect', async () => {
    const p = await endpointPair({ alpn: ['chat'] });
    pair = p;
    const client = p.connect({ insecure: true, alpn: ['other'] });
    await expect(client.whenEstablished()).rejects.toThrow(TransportError);
    const info = await client.whenClosed();
    expect(info.wasEstablished).toBe(false);
    // TLS alert no_application_protocol (120) maps to QUIC crypto error 0x100 + 120.
    expect(info.peerError?.code ?? info.localError?.code).toBe(0x100 + 120);
    expect(p.accepted).toHaveLength(0);
  });

  it('verifies the server certificate against a CA and a server name', async () => {
    const p = await endpointPair();
    pair = p;
    const { cert } = await testCertificate();
    const good = p.connect({ ca: cert, serverName: 'localhost' });
    await good.whenEstablished();
    const other = await generateSelfSignedCert();
    const bad = p.connect({ ca: other.cert, serverName: 'localhost' });
    await expect(bad.whenEstablished()).rejects.toThrow(/closed before establishment/);
    const info = bad.closeInfo as CloseInfo;
    expect(info.cause).toBe('transport-error');
    // BoringSSL: unknown_ca alert (48) -> crypto error 0x100 + 48.
    expect(info.localError).toMatchObject({ isApp: false, code: 0x100 + 48 });
  });

  it('gives up with handshake-timeout when nobody answers', async () => {
    const silent = await QuicEndpoint.bind();
    const client = await QuicEndpoint.bind();
    try {
      const conn = client.connect('127.0.0.1', silent.localAddress.port, {
        insecure: true,
        handshakeTimeoutMs: 200,
      });
      const info = await conn.whenClosed();
      expect(info.cause).toBe('handshake-timeout');
      expect(info.wasEstablished).toBe(false);
      expect(conn.state === 'closing' || conn.state === 'closed').toBe(true);
    } finally {
      await Promise.all([client.close({ timeoutMs: 100 }), silent.close()]);
    }
  });

  it('completes through a stateless Retry when retry is on', async () => {
    const { p, client, server } = await established({ retry: true });
    expect(p.server.stats().retriesSent).toBe(1);
    const recorder = new StreamRecorder(server);
    const id = client.openBidi();
    client.write(id, Buffer.from('after retry'), true);
    await recorder.settled(id);
    expect(recorder.bytes(id).toString()).toBe('after retry');
  });
});

describe('streams', () => {
  it('carries client bidi streams both ways with FIN', async () => {
    const { client, server } = await established();
    const atServer = new StreamRecorder(server);
    const atClient = new StreamRecorder(client);
    const a = client.openBidi();
    const b = client.openBidi();
    expect([a, b]).toEqual([0, 4]);
    const request = payload(50_000, 1);
    await writeAll(client, a, request, true);
    client.write(b, Buffer.from('second'), true);
    await Promise.all([atServer.settled(a), atServer.settled(b)]);
    expect(atServer.opened).toEqual([0, 4]);
    expect(atServer.bytes(a).equals(request)).toBe(true);
    expect(atServer.bytes(b).toString()).toBe('second');
    const response = payload(70_000, 2);
    await writeAll(server, a, response, true);
    await atClient.settled(a);
    expect(atClient.bytes(a).equals(response)).toBe(true);
    expect(atClient.opened).toEqual([]);
  });

  it('carries server-initiated bidi streams and uni streams in both directions', async () => {
    const { client, server } = await established();
    const atServer = new StreamRecorder(server);
    const atClient = new StreamRecorder(client);
    const serverBidi = server.openBidi();
    const serverUni = server.openUni();
    const clientUni = client.openUni();
    expect([serverBidi, serverUni, clientUni]).toEqual([1, 3, 2]);
    server.write(serverBidi, Buffer.from('from server bidi'), true);
    server.write(serverUni, Buffer.from('from server uni'), true);
    client.write(clientUni, Buffer.from('from client uni'), true);
    await Promise.all([
      atClient.settled(serverBidi),
      atClient.settled(serverUni),
      atServer.settled(clientUni),
    ]);
    expect(atClient.bytes(serverBidi).toString()).toBe('from server bidi');
    expect(atClient.bytes(serverUni).toString()).toBe('from server uni');
    expect(atServer.bytes(clientUni).toString()).toBe('from client uni');
    expect(atClient.opened.sort()).toEqual([1, 3]);
    client.write(serverBidi, Buffer.from('reply'), true);
    await atServer.settled(serverBidi);
    expect(atServer.bytes(serverBidi).toString()).toBe('reply');
    expect(server.openUni()).toBe(7);
    expect(client.openUni()).toBe(6);
  });

  it('keeps a stream invisible to the peer until its first bytes', async () => {
    const { client, server } = await established();
    const atServer = new StreamRecorder(server);
    const silent = client.openBidi();
    const used = client.openBidi();
    client.write(used, Buffer.from('x'), true);
    await atServer.settled(used);
    expect(atServer.opened).toEqual([used]);
    client.write(silent, Buffer.alloc(0), true);
    await atServer.settled(silent);
    expect(atServer.opened).toEqual([used, silent]);
    expect(atServer.bytes(silent).length).toBe(0);
  });

  it('bounds what write() accepts and completes a large write through onDrain', async () => {
    const { client, server } = await established(
      { streamWriteBuffer: 64 * 1024 },
      {
        insecure: true,
        streamWriteBuffer: 64 * 1024,
        streamWindow: 256 * 1024,
      },
    );
    const atServer = new StreamRecorder(server);
    const id = client.openBidi();
    const big = payload(4 * 1024 * 1024, 3);
    const accepted = client.write(id, big, true);
    // quiche takes at most the stream's flow-control credit; the transport queues 64 KiB more.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    expect(client.writableBytes(id)).toBe(0);
    expect(client.write(id, big.subarray(accepted), true)).toBe(0);
    const drains = await writeAll(client, id, big.subarray(accepted), true);
    expect(drains).toBeGreaterThan(0);
    await atServer.settled(id);
    expect(atServer.bytes(id).equals(big)).toBe(true);
  });

  it('hands queued bytes of more urgent streams to quiche first', async () => {
    const { client, server } = await established();
    const finished: number[] = [];
    server.onData = (id, _data, fin) => {
      if (fin) finished.push(id);
    };
    const background = client.openUni();
    const urgent = client.openUni();
    client.setPriority(background, 7, false);
    client.setPriority(urgent, 0, false);
    // Small writes queue (and coalesce) until the next flush: both streams compete there.
    const piece = payload(1000, 5);
    for (let i = 0; i < 200; i++) expect(client.write(background, piece)).toBe(1000);
    for (let i = 0; i < 200; i++) expect(client.write(urgent, piece)).toBe(1000);
    client.write(background, Buffer.alloc(0), true);
    client.write(urgent, Buffer.alloc(0), true);
    for (let i = 0; i < 200 && finished.length < 2; i++) await sleep(5);
    expect(finished).toEqual([urgent, background]);
  });

  it('reports a peer reset with its code and a stop-sending with its code', async () => {
    // The client probes for STOP_SENDING after every packet: quiche forgets a stopped stream (and its code) once
    // the client's RESET_STREAM answering it is acknowledged, which may come before a throttled probe.
    const { client, server } = await established({}, { ...INSECURE, stopProbeIntervalMs: 0 });
    const atServer = new StreamRecorder(server);
    const atClient = new StreamRecorder(client);
    const resetMe = client.openBidi();
    client.write(resetMe, Buffer.from('partial'));
    client.resetStream(resetMe, 5);
    await atServer.settled(resetMe);
    expect(atServer.streams.get(resetMe)?.resetCode).toBe(5);
    expect(client.write(resetMe, Buffer.from('more'))).toBe(0);

    const stopMe = client.openUni();
    client.write(stopMe, Buffer.from('hello'));
    // STOP_SENDING is only meaningful for a stream the server knows: wait for its bytes. The server sends the ACK
    // of them before STOP_SENDING, in separate packets, so the client still knows the stream when it is stopped.
    await atServer.receivedData(stopMe);
    server.stopSending(stopMe, 9);
    expect(await atClient.stopped(stopMe)).toBe(9);
    expect(client.write(stopMe, Buffer.from('ignored'))).toBe(0);
    expect(client.writableBytes(stopMe)).toBe(0);
  });

  it('reports STOP_SENDING of a stream quiche already discarded as a stop, never as an endpoint error', async () => {
    // A peer that sends STOP_SENDING with (or before) the ACK of the stream's bytes: quiche marks the stream
    // complete and collects it before we can ask about it. Ours never does; the server's packets after the
    // stream's bytes arrived (the ACK, then STOP_SENDING) are swapped on the way to give the same order.
    const swap = new SwapNextTwo(await createUdpPacketIO({ host: '127.0.0.1' }));
    const p = await endpointPair(
      {},
      { server: swap, client: await createUdpPacketIO({ host: '127.0.0.1' }) },
    );
    pair = p;
    // Probing for stops at most every 200 ms: none runs between the two swapped packets.
    const client = p.connect({ ...INSECURE, stopProbeIntervalMs: 200 });
    await client.whenEstablished();
    const server = await p.acceptedAt(0);
    const atClient = new StreamRecorder(client);
    const errors: unknown[] = [];
    p.client.onError = (error) => errors.push(error);
    server.onData = function (id) {
      swap.armed = true;
      this.stopSending(id, 9);
    };
    const stream = client.openUni();
    client.write(stream, Buffer.from('hello'));
    expect(await atClient.stopped(stream)).toBe(STOP_SENDING_CODE_UNKNOWN);
    expect(swap.swapped).toBe(true);
    expect(errors).toEqual([]);
    expect(client.write(stream, Buffer.from('ignored'))).toBe(0);
    expect(client.writableBytes(stream)).toBe(0);
    expect(client.state).toBe('established');
  });

  it('throws typed errors for streams this side cannot use', async () => {
    const p = await endpointPair({ maxStreamsBidi: 2 });
    pair = p;
    const client = p.connect();
    expect(() => client.openBidi()).toThrow(expect.objectContaining({ code: 'CONNECTION_STATE' }));
    await client.whenEstablished();
    const server = await p.acceptedAt(0);
    expect(client.openBidi()).toBe(0);
    expect(client.openBidi()).toBe(4);
    expect(client.streamsLeft().bidi).toBe(0);
    expect(() => client.openBidi()).toThrow(expect.objectContaining({ code: 'STREAM_LIMIT' }));
    expect(() => client.write(8, Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'STREAM_STATE' }),
    );
    expect(() => client.write(3, Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'STREAM_STATE' }),
    );
    expect(() => server.write(2, Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'STREAM_STATE' }),
    );
    expect(() => client.write(-1, Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => client.setPriority(0, 9)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    client.setPriority(0, 0, false);
  });
});

describe('datagrams', () => {
  it('delivers datagrams intact in both directions', async () => {
    const { client, server } = await established();
    const atServer = new StreamRecorder(server);
    const atClient = new StreamRecorder(client);
    // Datagrams are unreliable, and quiche drops a 1-RTT packet coalesced behind a Handshake packet the server can
    // no longer decrypt (it discarded those keys when the handshake completed); the client sends such Handshake
    // packets (acks, a repeated Finished) until HANDSHAKE_DONE arrives, which took long enough on a busy machine
    // for these datagrams to be lost. The test is about their contents: it starts once the handshake is confirmed.
    await handshakeConfirmed(client, server, atClient, atServer);
    expect(client.maxDatagramSize()).toBeGreaterThan(1000);
    const sent = [Buffer.from('one'), payload(1000, 4), Buffer.from('three')];
    for (const d of sent) expect(client.sendDatagram(d)).toBe(true);
    expect(server.sendDatagram(Buffer.from('back'))).toBe(true);
    expect(client.sendDatagram(Buffer.alloc(5000))).toBe(false);
    // Up to 3 s: the datagrams take milliseconds, but CI runs this beside CPU-heavy test files on 2 cores.
    for (let i = 0; i < 300 && (atServer.datagrams.length < 3 || atClient.datagrams.length < 1); i++)
      await sleep(10);
    expect(atServer.datagrams.map((d) => d.toString('hex'))).toEqual(sent.map((d) => d.toString('hex')));
    expect(atClient.datagrams.map((d) => d.toString())).toEqual(['back']);
  });

  it('refuses datagrams when the peer disabled them', async () => {
    const { client } = await established({ datagrams: false });
    expect(client.maxDatagramSize()).toBeNull();
    expect(client.sendDatagram(Buffer.from('x'))).toBe(false);
  });
});

describe('close', () => {
  it('delivers the application error code and reason to the peer', async () => {
    const { client, server } = await established();
    // A close before the handshake is confirmed is test/transport/endpoint.closing.test.ts's subject.
    await handshakeConfirmed(client, server);
    const id = client.openBidi();
    const serverClosed = server.whenClosed();
    let clientInfo: CloseInfo | null = null;
    client.onClose = (info) => {
      clientInfo = info;
    };
    client.close(77, 'bye now');
    expect(client.state).toBe('closing');
    expect(await serverClosed).toEqual({
      cause: 'peer',
      wasEstablished: true,
      localError: null,
      peerError: { isApp: true, code: 77, reason: 'bye now' },
    });
    await client.whenClosed();
    expect(clientInfo).toMatchObject({
      cause: 'local',
      localError: { isApp: true, code: 77, reason: 'bye now' },
    });
    expect(client.write(id, Buffer.from('x'))).toBe(0);
    expect(() => client.openBidi()).toThrow(expect.objectContaining({ code: 'CONNECTION_STATE' }));
  });

  it('closes an idle connection on both sides after the idle timeout', async () => {
    const { client, server } = await established(
      { idleTimeoutMs: 300 },
      { insecure: true, idleTimeoutMs: 300 },
    );
    const [c, s] = await Promise.all([client.whenClosed(), server.whenClosed()]);
    expect(c.cause).toBe('idle-timeout');
    expect(s.cause).toBe('idle-timeout');
  });

  it('closes every connection with the endpoint', async () => {
    const { p, client, server } = await established();
    await handshakeConfirmed(client, server);
    const serverClosed = server.whenClosed();
    await p.client.close({ errorCode: 3, reason: 'shutdown' });
    expect((await serverClosed).peerError).toEqual({ isApp: true, code: 3, reason: 'shutdown' });
    expect(p.client.connectionCount).toBe(0);
    expect(() => p.client.connect('127.0.0.1', 1)).toThrow(
      expect.objectContaining({ code: 'ENDPOINT_CLOSED' }),
    );
  });
});

describe('limits and scale', () => {
  it('refuses connections beyond maxConnections with CONNECTION_REFUSED', async () => {
    const p = await endpointPair({ maxConnections: 2 });
    pair = p;
    const first = p.connect();
    const second = p.connect();
    await Promise.all([first.whenEstablished(), second.whenEstablished()]);
    const third = p.connect();
    await expect(third.whenEstablished()).rejects.toThrow(/closed before establishment: peer/);
    const info = await third.whenClosed();
    expect(info.cause).toBe('peer');
    expect(info.peerError).toMatchObject({ isApp: false, code: 0x2 });
    expect(p.server.stats().connectionsRefused).toBeGreaterThanOrEqual(1);
    expect(p.accepted).toHaveLength(2);
    first.close();
    // A connection stops counting against the limit once its close is reported.
    await Promise.race(p.accepted.map((conn) => conn.whenClosed()));
    const fourth = p.connect();
    await fourth.whenEstablished();
    expect((await p.acceptedAt(2)).state).toBe('established');
  });

  it('multiplexes 200 client connections over one client socket', async () => {
    const p = await endpointPair();
    pair = p;
    p.server.onConnection = (conn) => {
      conn.onData = function (id, data, fin) {
        this.write(id, data, fin);
      };
    };
    const n = 200;
    const conns = Array.from({ length: n }, () => p.connect());
    await Promise.all(conns.map((c) => c.whenEstablished()));
    expect(p.client.connectionCount).toBe(n);
    expect(p.server.connectionCount).toBe(n);
    const echoes = await Promise.all(
      conns.map(
        (conn, i) =>
          new Promise<string>((resolve) => {
            const chunks: Buffer[] = [];
            conn.onData = (_id, data, fin) => {
              chunks.push(data);
              if (fin) resolve(Buffer.concat(chunks).toString());
            };
            const id = conn.openBidi();
            conn.write(id, Buffer.from(`client ${i}`), true);
          }),
      ),
    );
    expect(echoes).toEqual(conns.map((_c, i) => `client ${i}`));
    const stats = conns[0]?.stats();
    expect(stats?.sentPackets).toBeGreaterThan(0);
    expect(stats?.recvBytes).toBeGreaterThan(0);
    expect(stats?.cwnd).toBeGreaterThan(0);
  });
});

describe('packets for no connection', () => {
  it('answers an unknown version with Version Negotiation and drops stray packets without state', async () => {
    const p = await endpointPair();
    pair = p;
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));
    try {
      const replies: Buffer[] = [];
      raw.on('message', (m) => replies.push(m));
      const { port } = p.server.localAddress;
      // Long header, reserved version 0x1a2a3a4a, dcid 8 bytes, scid 8 bytes, padded to 1200.
      const initial = Buffer.alloc(1200);
      Buffer.from([0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 8, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9]).copy(
        initial,
      );
      raw.send(initial, port, '127.0.0.1');
      // Short header for an unknown connection, and a one-byte datagram.
      raw.send(Buffer.alloc(60, 0x41), port, '127.0.0.1');
      raw.send(Buffer.from([0x00]), port, '127.0.0.1');
      for (let i = 0; i < 50 && (replies.length < 1 || p.server.stats().packetsDropped < 2); i++)
        await sleep(10);
      // One assertion over everything observed, so a failure shows every count at once. (Its rare failure was real:
      // a Version Negotiation whose random first byte read as Handshake left split in two; see packet-header.ts.)
      const stats = p.server.stats();
      expect({
        replies: replies.map((r) => r.toString('hex').slice(0, 40)),
        versionNegotiationsSent: stats.versionNegotiationsSent,
        packetsDropped: stats.packetsDropped,
        connections: p.server.connectionCount,
      }).toEqual({
        // version 0 = Version Negotiation, echoing our scid (9...9) as its dcid
        replies: [expect.stringMatching(/^[89a-f][0-9a-f]00000000080909090909090909/)],
        versionNegotiationsSent: 1,
        packetsDropped: 2,
        connections: 0,
      });
    } finally {
      raw.close();
    }
  });
});

describe('configuration errors', () => {
  it('names the bad option', async () => {
    const endpoint = await QuicEndpoint.bind();
    try {
      expect(() => endpoint.listen({ cert: 'not pem', key: 'not pem' })).toThrow(
        expect.objectContaining({ code: 'TLS_CONFIG', where: 'listen.key' }),
      );
      const { cert, key } = await testCertificate();
      expect(() => endpoint.listen({ cert, key, maxStreamsBidi: -1 })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', where: 'listen.maxStreamsBidi' }),
      );
      expect(() => endpoint.connect('localhost', 4433)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', where: 'connect.host' }),
      );
      expect(() => endpoint.connect('127.0.0.1', 4433, { alpn: [] })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', where: 'connect.alpn' }),
      );
    } finally {
      await endpoint.close();
    }
    await expect(QuicEndpoint.bind({ host: 'example.invalid' })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
