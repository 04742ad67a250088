/**
 * The packet I/O boundary of an endpoint. The endpoint only ever talks to a `PacketIO`,
 * so tests can swap the UDP socket for an in-memory network with loss, reordering,
 * duplication and delay.
 */

/** An IP address (literal, not a hostname) and a UDP port. */
export interface HostPort {
  host: string;
  port: number;
}

/** Called once per received datagram; `data` belongs to the receiver from then on. */
export type PacketReceiver = (data: Buffer, fromHost: string, fromPort: number) => void;

/** A datagram socket as the endpoint sees it. */
export interface PacketIO {
  /** The address peers reach this socket at (also handed to quiche as the local path address). */
  readonly localAddress: HostPort;
  /** Installs the single receiver; packets arriving before this call may be dropped. */
  start(receiver: PacketReceiver): void;
  /**
   * Hands one datagram to the network. The IO may keep a reference to `buffer`: the endpoint
   * never rewrites bytes it has handed over, so no copy is needed.
   */
  send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void;
  /**
   * True when `send` copies the bytes before it returns: the endpoint may then write its next packet over them
   * (one send buffer for the endpoint's life instead of a fresh one every 256 KiB of packets).
   */
  readonly copiesOnSend?: boolean;
  /**
   * Datagrams handed to `send` that never left (the IO's send queue was full while the socket was not writable, or
   * the kernel refused them), for IOs that count them. QUIC's loss recovery resends what they carried.
   */
  sendDrops?(): number;
  /** Stops delivering packets and releases the socket. */
  close(): Promise<void>;
}
