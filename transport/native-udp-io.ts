/**
 * `PacketIO` over the garou_udp addon (native/udp_io.c): the datagrams sent during one JavaScript turn leave with
 * one sendmmsg(2) per 64, and each readable event reads up to 32 datagrams with one recvmmsg(2) and calls into
 * JavaScript once. node:dgram pays a system call, and on receive a Buffer, an rinfo object and an event emit, per
 * datagram (transport/README.md, "Where the CPU goes"). Linux only; udp-packet-io.ts falls back to dgram when the
 * addon was not built.
 */
import { createRequire } from 'node:module';
import { TransportError } from './errors.js';
import type { HostPort, PacketIO, PacketReceiver } from './packet-io.js';

/** Datagrams one readable event reads at most (RECV_BATCH in udp_io.c). */
const RECV_BATCH = 32;

type Handle = { readonly __garouUdp: unique symbol };
type BatchCallback = (count: number, data: Buffer, hosts: string[]) => void;

/** The addon's exports (see the comment at the top of native/udp_io.c). */
interface GarouUdpAddon {
  open(
    family: 4 | 6,
    host: string,
    port: number,
    recvBufferSize: number,
    sendBufferSize: number,
    meta: Int32Array,
    onBatch: BatchCallback,
  ): Handle;
  localAddress(handle: Handle): [string, number];
  send(handle: Handle, buffer: Buffer, offset: number, length: number, host: string, port: number): void;
  flush(handle: Handle): void;
  stats(handle: Handle): number[];
  close(handle: Handle): void;
}

/** Counters of the batched socket, beside the endpoint's own. */
export interface NativeUdpStats {
  /** Datagrams the kernel accepted. */
  datagramsSent: number;
  /** sendmmsg calls (datagramsSent / sendCalls is the send batch size). */
  sendCalls: number;
  /** Datagrams that could not leave (rejected by the kernel, or the queue full while the socket was not writable). */
  sendDrops: number;
  datagramsReceived: number;
  /** recvmmsg calls. */
  receiveCalls: number;
  /** Times the socket's send buffer was full and the queue waited for it to drain. */
  writableWaits: number;
}

let addon: GarouUdpAddon | null | undefined;
let loadError = '';

/** The addon, or null (with the reason in `nativeUdpUnavailableReason`) when it was not built or cannot load. */
export function loadNativeUdp(): GarouUdpAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== 'linux') {
    loadError = `batched UDP needs Linux, this is ${process.platform}`;
    return null;
  }
  const require = createRequire(import.meta.url);
  // From transport/ (sources run with tsx) or dist/transport/ (the built package).
  for (const path of ['../build/Release/garou_udp.node', '../../build/Release/garou_udp.node']) {
    try {
      addon = require(path) as GarouUdpAddon;
      return addon;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND') loadError = `${path}: ${(error as Error).message}`;
    }
  }
  loadError ||= 'build/Release/garou_udp.node was not built (npm install prints why)';
  return null;
}

/** Why `loadNativeUdp` returned null. */
export function nativeUdpUnavailableReason(): string {
  return loadError;
}

class NativeUdpPacketIO implements PacketIO {
  private receiver: PacketReceiver | null = null;
  private closed = false;
  private flushQueued = false;
  private readonly handle: Handle;
  readonly localAddress: HostPort;
  /** `send` copies each datagram into the socket's own send queue (udp_io.c's js_send). */
  readonly copiesOnSend = true;

  constructor(
    private readonly native: GarouUdpAddon,
    family: 4 | 6,
    host: string,
    port: number,
    recvBufferSize: number,
    sendBufferSize: number,
  ) {
    const meta = new Int32Array(3 * RECV_BATCH);
    const onBatch: BatchCallback = (count, data, hosts) => {
      let at = 0;
      for (let i = 0; i < count; i++) {
        // Re-read each time: the receiver may close the socket in the middle of a batch.
        const receiver = this.receiver;
        if (receiver === null) return;
        const length = meta[3 * i] as number;
        receiver(
          data.subarray(at, at + length),
          hosts[meta[3 * i + 2] as number] as string,
          meta[3 * i + 1] as number,
        );
        at += length;
      }
    };
    this.handle = native.open(family, host, port, recvBufferSize, sendBufferSize, meta, onBatch);
    const [boundHost, boundPort] = native.localAddress(this.handle);
    this.localAddress = { host: boundHost, port: boundPort };
  }

  start(receiver: PacketReceiver): void {
    this.receiver = receiver;
  }

  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
    if (this.closed) return;
    this.native.send(this.handle, buffer, offset, length, toHost, toPort);
    if (!this.flushQueued) {
      // What this turn's JavaScript (a whole endpoint flush) sends leaves in sendmmsg batches: 64 each as they
      // fill up, the rest when the turn's JavaScript finishes.
      this.flushQueued = true;
      queueMicrotask(this.flushSends);
    }
  }

  private readonly flushSends = (): void => {
    this.flushQueued = false;
    if (!this.closed) this.native.flush(this.handle);
  };

  sendDrops(): number {
    return this.stats().sendDrops;
  }

  /** The socket's counters. */
  stats(): NativeUdpStats {
    const [datagramsSent, sendCalls, sendDrops, datagramsReceived, receiveCalls, writableWaits] =
      this.native.stats(this.handle) as [number, number, number, number, number, number];
    return { datagramsSent, sendCalls, sendDrops, datagramsReceived, receiveCalls, writableWaits };
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.receiver = null;
      // Sends what is still queued, then releases the socket.
      this.native.close(this.handle);
    }
    return Promise.resolve();
  }
}

/** Binds a batched UDP socket on an IP literal of `family` (checked by the caller) and wraps it as a `PacketIO`. */
export function createNativeUdpPacketIO(
  native: GarouUdpAddon,
  family: 4 | 6,
  host: string,
  port: number,
  recvBufferSize: number,
  sendBufferSize: number,
): PacketIO & { stats(): NativeUdpStats } {
  try {
    return new NativeUdpPacketIO(native, family, host, port, recvBufferSize, sendBufferSize);
  } catch (error) {
    throw new TransportError(
      'BIND_FAILED',
      'createUdpPacketIO',
      `cannot bind ${host}:${port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
