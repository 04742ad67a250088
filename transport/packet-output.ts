/**
 * The outgoing datagrams of an endpoint: packets quiche writes into the send arena, handed to the packet IO (a
 * Handshake packet with 1-RTT packets behind it as two datagrams) and counted in the endpoint's stats.
 */
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import { coalescedHandshakeEnd } from './packet-header.js';
import type { PacketIO } from './packet-io.js';
import { SendArena } from './send-arena.js';

/** @internal The endpoint's counters this module adds to (a subset of EndpointStats). */
export interface SendCounters {
  packetsSent: number;
  bytesSent: number;
  /** A stateless packet quiche could not write counts as dropped. */
  packetsDropped: number;
}

/** @internal See the module comment. */
export class PacketOutput {
  private readonly arena: SendArena;
  /** quiche's send threw since the endpoint last cleared this (its state after a failed send is not known). */
  sendFailed = false;

  constructor(
    private readonly io: PacketIO,
    private readonly counters: SendCounters,
  ) {
    this.arena = new SendArena(undefined, io.copiesOnSend === true);
  }

  /** Raises the largest packet the arena must hold (a connection's max UDP payload). */
  ensureCapacity(maxUdpPayload: number): void {
    this.arena.ensureCapacity(maxUdpPayload);
  }

  /** quiche's send loop: the packets the connection wants to send now, at most `limit`; true if cut short. */
  sendAll(native: NativeConnection, limit = Infinity): boolean {
    const arena = this.arena;
    for (let sent = 0; sent < limit; sent++) {
      let result;
      try {
        result = native.send(arena.free());
      } catch {
        this.sendFailed = true;
        return false;
      }
      if (result === null) return false;
      const to = result[1].to;
      this.transmitPacket(result[0], to.host, to.port);
    }
    return true;
  }

  /** Sends the packet `write` puts into the arena (Version Negotiation, Retry); one it fails to write is dropped. */
  sendStateless(host: string, port: number, write: (out: Buffer) => number): void {
    const out = this.arena.free();
    let length: number;
    try {
      length = write(out);
    } catch {
      this.counters.packetsDropped++;
      return;
    }
    this.transmitPacket(length, host, port);
  }

  private transmitPacket(length: number, host: string, port: number): void {
    const at = this.arena.take(length);
    const buffer = this.arena.current;
    // A Handshake packet with 1-RTT packets behind it leaves as two datagrams (see coalescedHandshakeEnd).
    const split = coalescedHandshakeEnd(buffer, at, length);
    if (split > 0) {
      this.io.send(buffer, at, split, host, port);
      this.io.send(buffer, at + split, length - split, host, port);
      this.counters.packetsSent += 2;
    } else {
      this.io.send(buffer, at, length, host, port);
      this.counters.packetsSent++;
    }
    this.counters.bytesSent += length;
  }
}
