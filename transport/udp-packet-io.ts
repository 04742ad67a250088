/**
 * `PacketIO` over one UDP socket: the batched native socket (native-udp-io.ts) when its addon was built, else
 * node:dgram. GAROU_UDP_IO=dgram|native forces one.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { TransportError } from './errors.js';
import { createNativeUdpPacketIO, loadNativeUdp, nativeUdpUnavailableReason } from './native-udp-io.js';
import type { HostPort, PacketIO, PacketReceiver } from './packet-io.js';

/** Which socket implementation carries the datagrams. */
export type UdpIoKind = 'native' | 'dgram';

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
  /**
   * `native` (batched sendmmsg/recvmmsg; an error when the addon is missing) or `dgram` (node:dgram). Default:
   * the GAROU_UDP_IO environment variable, else `native` when the addon was built, else `dgram`.
   */
  io?: UdpIoKind;
}

/** The socket implementation `options.io` and GAROU_UDP_IO ask for, checked against what is built. */
export function resolveUdpIo(requested: string | undefined = process.env.GAROU_UDP_IO): UdpIoKind {
  if (requested === undefined || requested === '') return loadNativeUdp() === null ? 'dgram' : 'native';
  if (requested === 'dgram') return 'dgram';
  if (requested !== 'native') {
    throw new TransportError(
      'INVALID_ARGUMENT',
      'GAROU_UDP_IO',
      `expected "native" or "dgram", got "${requested}"`,
    );
  }
  if (loadNativeUdp() === null) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      'GAROU_UDP_IO',
      `native UDP I/O asked for but unavailable: ${nativeUdpUnavailableReason()}`,
    );
  }
  return 'native';
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
  const recvBufferSize = options.recvBufferSize ?? 4 * 1024 * 1024;
  const sendBufferSize = options.sendBufferSize ?? 4 * 1024 * 1024;
  if (resolveUdpIo(options.io) === 'native') {
    return createNativeUdpPacketIO(
      loadNativeUdp()!,
      family === 6 ? 6 : 4,
      host,
      port,
      recvBufferSize,
      sendBufferSize,
    );
  }
  const socket = dgram.createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    lookup: identityLookup as unknown as dgram.SocketOptions['lookup'],
    recvBufferSize,
    sendBufferSize,
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
