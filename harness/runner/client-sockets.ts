/**
 * The UDP sockets of a worker's client fleet: several QUIC endpoints, each on its own socket with a large
 * receive buffer, clients spread over them round-robin. One socket for thousands of clients
 * overflows its receive buffer at the first burst of fan-out (the kernel then drops datagrams before the
 * harness sees them, and the run measures its own loss); n buffers absorb n times the burst. The kernel's
 * drop counters of these sockets are read every health sample and at the end (udp-drops.ts) so a run says
 * when the load generator dropped packets.
 */
import { QuicEndpoint } from '../../transport/index.js';
import { sumKnown, type ClientSocketReport } from '../metrics/client-socket-report.js';
import { readMaxReceiveBuffer, readSocketDrops } from '../metrics/udp-drops.js';

/**
 * Clients per socket: a new socket for every this many clients. 3,125 is the load per socket that 50,000 clients
 * on MAX_SOCKETS sockets carry without kernel drops (bench/scale); each socket costs its own readable events,
 * receive calls and endpoint flushes, so fewer, fuller sockets read bigger batches (20k x 0.05 scale run: 16 -> 5
 * sockets cut the harness's CPU per delivery by ~10%, no drops).
 */
export const CLIENTS_PER_SOCKET = 3125;
/** Sockets per worker at most. */
export const MAX_SOCKETS = 16;
/** SO_RCVBUF asked for each socket (the kernel caps it at net.core.rmem_max). */
export const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/** How many sockets a fleet of `clients` clients gets. */
export function socketCountFor(clients: number): number {
  return Math.max(1, Math.min(MAX_SOCKETS, Math.ceil(clients / CLIENTS_PER_SOCKET)));
}

/** A worker's client sockets. */
export class ClientSockets {
  private constructor(readonly endpoints: readonly QuicEndpoint[]) {}

  /** Binds the sockets for `clients` clients on `host` (an IP literal; any port). */
  static async bind(host: string, clients: number): Promise<ClientSockets> {
    const endpoints: QuicEndpoint[] = [];
    try {
      for (let i = socketCountFor(clients); i > 0; i--) {
        endpoints.push(await QuicEndpoint.bind({ host, recvBufferSize: RECEIVE_BUFFER_BYTES }));
      }
    } catch (error) {
      await Promise.all(endpoints.map((endpoint) => endpoint.close({ timeoutMs: 0 })));
      throw error;
    }
    return new ClientSockets(endpoints);
  }

  /** The socket (index into `endpoints`) of the client at `position` among the worker's clients: round-robin. */
  socketOf(position: number): number {
    return position % this.endpoints.length;
  }

  /** Datagrams the kernel dropped at these sockets so far; null when its counters cannot be read. */
  drops(): number | null {
    const reading = this.reading();
    return reading === null || reading.found === 0 ? null : reading.drops;
  }

  private reading() {
    return readSocketDrops(this.endpoints.map((endpoint) => endpoint.localAddress.port));
  }

  /** The kernel's drop counters of the sockets now. */
  report(): ClientSocketReport {
    const reading = this.reading();
    return {
      sockets: this.endpoints.length,
      receiveBufferBytes: RECEIVE_BUFFER_BYTES,
      rmemMax: readMaxReceiveBuffer(),
      socketsRead: reading?.found ?? 0,
      drops: reading === null || reading.found === 0 ? null : reading.drops,
      sendDrops: sumKnown(this.endpoints.map((endpoint) => endpoint.sendDrops())),
    };
  }

  /** Closes every endpoint (their connections first, see QuicEndpoint.close). */
  async close(options: Parameters<QuicEndpoint['close']>[0]): Promise<void> {
    await Promise.all(this.endpoints.map((endpoint) => endpoint.close(options)));
  }
}
