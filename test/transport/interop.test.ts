/**
 * Interoperability with the stock @matrixai/quic classes over UDP loopback, both ways:
 * our client against QUICServer (which always answers with a Retry), and QUICClient
 * against our server. Handshake, streams in both directions, close codes.
 */
import { events } from '@matrixai/quic';
import type { QUICConnection, QUICStream } from '@matrixai/quic';
import { describe, expect, it, vi } from 'vitest';
import { QuicEndpoint } from '../../transport/index.js';
import type { QuicConnection } from '../../transport/index.js';
import { testCertificate } from './helpers/endpoints.js';
import { connectStockClient, readToEnd, startStockServer } from './helpers/stock-quic.js';
import { StreamRecorder } from './helpers/streams.js';

vi.setConfig({ testTimeout: 15_000 });

function nextStockStream(conn: QUICConnection): Promise<QUICStream> {
  return new Promise((resolve) => {
    conn.addEventListener(
      events.EventQUICConnectionStream.name,
      (evt: Event) => resolve((evt as events.EventQUICConnectionStream).detail),
      { once: true },
    );
  });
}

function stockConnectionError(conn: QUICConnection): Promise<{ isApp: boolean; errorCode: number }> {
  return new Promise((resolve) => {
    conn.addEventListener(
      events.EventQUICConnectionError.name,
      (evt: Event) =>
        resolve(
          (evt as events.EventQUICConnectionError).detail.data as { isApp: boolean; errorCode: number },
        ),
      { once: true },
    );
  });
}

async function writeStock(stream: QUICStream, data: string): Promise<void> {
  const writer = stream.writable.getWriter();
  await writer.write(Buffer.from(data));
  await writer.close();
}

describe('our client -> stock QUICServer', () => {
  it('handshakes through Retry, exchanges streams both ways and closes with our code', async () => {
    const { cert, key } = await testCertificate();
    const stock = await startStockServer(cert, key);
    const ours = await QuicEndpoint.bind();
    try {
      const stockConnection = new Promise<QUICConnection>((resolve) => {
        stock.addEventListener(
          events.EventQUICServerConnection.name,
          (evt: Event) => resolve((evt as events.EventQUICServerConnection).detail),
          { once: true },
        );
      });
      const client = ours.connect('127.0.0.1', stock.port, { insecure: true });
      const recorder = new StreamRecorder(client);
      await client.whenEstablished();
      expect(client.alpn).toBe('chat');
      const peer = await stockConnection;

      // Our bidi stream: request up, response down on the same stream.
      const incoming = nextStockStream(peer);
      const id = client.openBidi();
      client.write(id, Buffer.from('ping from ours'), true);
      const stockStream = await incoming;
      expect(stockStream.streamId).toBe(id);
      expect((await readToEnd(stockStream.readable)).toString()).toBe('ping from ours');
      await writeStock(stockStream, 'pong from stock');
      await recorder.settled(id);
      expect(recorder.bytes(id).toString()).toBe('pong from stock');

      // A stream the stock server opens towards us.
      const serverUni = peer.newStream('uni');
      await writeStock(serverUni, 'pushed by stock');
      await recorder.settled(serverUni.streamId);
      expect(recorder.opened).toContain(serverUni.streamId);
      expect(recorder.bytes(serverUni.streamId).toString()).toBe('pushed by stock');

      const peerError = stockConnectionError(peer);
      client.close(5, 'ours is done');
      expect(await peerError).toMatchObject({ isApp: true, errorCode: 5 });
      expect((await client.whenClosed()).cause).toBe('local');
    } finally {
      await ours.close({ timeoutMs: 500 });
      await stock.stop({ force: true });
    }
  });
});

describe('stock QUICClient -> our server', () => {
  it('handshakes, exchanges streams both ways and reports the stock close code', async () => {
    const { cert, key } = await testCertificate();
    const ours = await QuicEndpoint.bind();
    ours.listen({ cert, key });
    const accepted = new Promise<QuicConnection>((resolve) => {
      ours.onConnection = resolve;
    });
    const stock = await connectStockClient(ours.localAddress.port);
    try {
      const server = await accepted;
      expect(server.alpn).toBe('chat');
      server.onData = function (id, data, fin) {
        // Echo, upper-cased, on the same stream.
        this.write(id, Buffer.from(data.toString().toUpperCase()), fin);
      };

      const stream = stock.connection.newStream('bidi');
      const response = readToEnd(stream.readable);
      await writeStock(stream, 'hello ours');
      expect((await response).toString()).toBe('HELLO OURS');

      // Our server pushes on a uni stream; the stock client sees it as a new stream.
      const incoming = nextStockStream(stock.connection);
      const uni = server.openUni();
      expect(uni).toBe(3);
      server.write(uni, Buffer.from('pushed by ours'), true);
      const pushed = await incoming;
      expect(pushed.streamId).toBe(uni);
      expect((await readToEnd(pushed.readable)).toString()).toBe('pushed by ours');

      const closed = server.whenClosed();
      await stock.destroy({ isApp: true, errorCode: 9, force: true });
      expect(await closed).toMatchObject({ cause: 'peer', peerError: { isApp: true, code: 9 } });
    } finally {
      await stock.destroy({ force: true }).catch(() => undefined);
      await ours.close({ timeoutMs: 500 });
    }
  });
});
