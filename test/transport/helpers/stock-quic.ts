/**
 * Setup for the stock @matrixai/quic classes (QUICServer / QUICClient), as their own
 * tests build them: HMAC crypto callbacks for Retry tokens, random bytes for client
 * connection ids, and a silent logger (the default one prints every state change).
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { QUICClient, QUICServer } from '@matrixai/quic';

type Logger = NonNullable<ConstructorParameters<typeof QUICServer>[0]['logger']>;

/** A logger that drops everything (the stock classes only call these methods). */
export const silentLogger = (() => {
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    getChild: () => logger,
  };
  return logger as unknown as Logger;
})();

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Server crypto: HMAC-SHA256 sign/verify over a random key. */
export function stockServerCrypto(): ConstructorParameters<typeof QUICServer>[0]['crypto'] {
  const key = new Uint8Array(32);
  randomFillSync(key);
  const sign = async (k: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> =>
    toArrayBuffer(createHmac('sha256', Buffer.from(k)).update(Buffer.from(data)).digest());
  return {
    key: toArrayBuffer(key),
    ops: {
      sign,
      verify: async (k, data, sig) => {
        const expected = Buffer.from(await sign(k, data));
        const actual = Buffer.from(sig);
        return expected.length === actual.length && timingSafeEqual(expected, actual);
      },
    },
  };
}

/** Client crypto: random connection ids. */
export const stockClientCrypto = {
  ops: {
    randomBytes: async (data: ArrayBuffer): Promise<void> => {
      randomFillSync(new Uint8Array(data));
    },
  },
};

/** Starts a stock QUICServer on 127.0.0.1 with ALPN 'chat'. */
export async function startStockServer(cert: string, key: string): Promise<QUICServer> {
  const server = new QUICServer({
    crypto: stockServerCrypto(),
    logger: silentLogger,
    config: { key, cert, verifyPeer: false, applicationProtos: ['chat'] },
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  return server;
}

/** Connects a stock QUICClient (no certificate verification) with ALPN 'chat'. */
export function connectStockClient(port: number): Promise<QUICClient> {
  return QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    localHost: '127.0.0.1',
    crypto: stockClientCrypto,
    logger: silentLogger,
    config: { verifyPeer: false, applicationProtos: ['chat'] },
  });
}

/** Reads a web ReadableStream to its end. */
export async function readToEnd(readable: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
