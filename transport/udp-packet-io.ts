/**
 * `PacketIO` over one node:dgram UDP socket.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { TransportError } from './errors.js';
import type { HostPort, PacketIO, PacketReceiver } from './packet-io.js';

/** Where and how to bind the UDP socket. */
export interface UdpBindOptions {
  /** IP literal to bind to (default `127.0.0.1`). Hostnames are rejected: resolve them first. */
  host?: string;
  /** UDP port (default 0: any free port). */
  port?: number;
  /** SO_RCVBUF in bytes (default 4 MiB; the kernel caps it at net.core.rmem_max). */
  recvBufferSize?: number;
  /** SO_SNDBUF in bytes (default 4 MiB; the kernel caps it at net.core.wmem_max). */
  sendBufferSize?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * Addresses are always IP literals here, so name resolution is the identity. Doing it
 * synchronously matters: node's default lookup defers every `send` to the next tick.
 */
function identityLookup(address: string, family: unknown, callback: LookupCallback): void {
  callback(null, address, typeof family === 'number' ? family : isIP(address));
}

class UdpPacketIO implements PacketIO {
  private receiver: PacketReceiver | null = null;
  private closed = false;

  constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: HostPort,
  ) {
    // Send errors (e.g. ICMP unreachable surfacing as ECONNREFUSED) must not crash the
    // process; QUIC loss recovery or the idle timeout deals with an unreachable peer.
    socket.on('error', () => undefined);
    socket.on('message', (data, rinfo) => {
      this.receiver?.(data, rinfo.address, rinfo.port);
    });
  }

  start(receiver: PacketReceiver): void {
    this.receiver = receiver;
  }

  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
    if (this.closed) return;
    this.socket.send(buffer, offset, length, toPort, toHost);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.receiver = null;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Binds a UDP socket and wraps it as a `PacketIO`. */
export async function createUdpPacketIO(options: UdpBindOptions = {}): Promise<PacketIO> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const family = isIP(host);
  if (family === 0) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      'createUdpPacketIO.host',
      `expected an IP literal, got "${host}"`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TransportError('INVALID_ARGUMENT', 'createUdpPacketIO.port', `expected 0..65535, got ${port}`);
  }
  const socket = dgram.createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    lookup: identityLookup as unknown as dgram.SocketOptions['lookup'],
    recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
    sendBufferSize: options.sendBufferSize ?? 4 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(
        new TransportError(
          'BIND_FAILED',
          'createUdpPacketIO',
          `cannot bind ${host}:${port}: ${err.message}`,
          { cause: err },
        ),
      );
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  const bound = socket.address();
  return new UdpPacketIO(socket, { host: bound.address, port: bound.port });
}
