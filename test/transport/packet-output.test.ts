/**
 * PacketOutput: quiche's send loop into the packet IO (at most `limit` packets, cut short or not), a Handshake packet
 * with packets coalesced behind it leaving as two datagrams, stateless packets, and the counters of each.
 */
import { describe, expect, it } from 'vitest';
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import type { PacketIO } from '../../transport/packet-io.js';
import { PacketOutput } from '../../transport/packet-output.js';
import type { SendCounters } from '../../transport/packet-output.js';

/** A packet IO that records what it is handed (copies, as the arena may reuse its memory). */
class RecordingIO implements PacketIO {
  readonly localAddress = { host: '127.0.0.1', port: 4433 };
  readonly sent: { bytes: Buffer; host: string; port: number }[] = [];
  constructor(readonly copiesOnSend: boolean) {}
  start(): void {}
  send(buffer: Buffer, offset: number, length: number, host: string, port: number): void {
    this.sent.push({ bytes: Buffer.from(buffer.subarray(offset, offset + length)), host, port });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** quiche's send(): writes the queued packets one per call, then null; throws at a packet that is an Error. */
function nativeSending(packets: (Buffer | Error)[]): NativeConnection {
  const queue = [...packets];
  return {
    send(out: Uint8Array) {
      const next = queue.shift();
      if (next === undefined) return null;
      if (next instanceof Error) throw next;
      out.set(next);
      return [
        next.length,
        { from: { host: '127.0.0.1', port: 4433 }, to: { host: '10.0.0.9', port: 9 }, at: 0 },
      ];
    },
  } as unknown as NativeConnection;
}

function newOutput(copiesOnSend = false): { io: RecordingIO; counters: SendCounters; output: PacketOutput } {
  const io = new RecordingIO(copiesOnSend);
  const counters = { packetsSent: 0, bytesSent: 0, packetsDropped: 0 };
  return { io, counters, output: new PacketOutput(io, counters) };
}

/** A 1-RTT (short header) packet of `n` bytes, marked with `mark`. */
const shortPacket = (n: number, mark: number): Buffer => Buffer.alloc(n, mark).fill(0x40, 0, 1);

/** A QUIC v1 Handshake packet with empty connection ids and a 5-byte body, followed by a 1-RTT packet. */
function coalescedHandshake(): { datagram: Buffer; handshakeLength: number } {
  const handshake = Buffer.from([0xe0, 0, 0, 0, 1, 0, 0, 5, 1, 2, 3, 4, 5]);
  return { datagram: Buffer.concat([handshake, shortPacket(30, 7)]), handshakeLength: handshake.length };
}

describe('PacketOutput', () => {
  it.each([false, true])(
    'sends every packet quiche writes, to its address, and counts them (copying IO: %s)',
    (copies) => {
      const { io, counters, output } = newOutput(copies);
      const packets = [shortPacket(100, 1), shortPacket(1200, 2), shortPacket(40, 3)];
      expect(output.sendAll(nativeSending(packets))).toBe(false);
      expect(io.sent.map((d) => d.bytes)).toEqual(packets);
      expect(io.sent.every((d) => d.host === '10.0.0.9' && d.port === 9)).toBe(true);
      expect(counters).toEqual({ packetsSent: 3, bytesSent: 1340, packetsDropped: 0 });
    },
  );

  it('stops at `limit` packets and says it was cut short', () => {
    const { io, output } = newOutput();
    const native = nativeSending([shortPacket(50, 1), shortPacket(50, 2), shortPacket(50, 3)]);
    expect(output.sendAll(native, 2)).toBe(true);
    expect(io.sent).toHaveLength(2);
    expect(output.sendAll(native, 2)).toBe(false);
    expect(io.sent.map((d) => d.bytes[1])).toEqual([1, 2, 3]);
  });

  it('ends the loop when quiche throws', () => {
    const { io, output } = newOutput();
    expect(output.sendAll(nativeSending([shortPacket(50, 1), new Error('Done'), shortPacket(50, 2)]))).toBe(
      false,
    );
    expect(io.sent).toHaveLength(1);
  });

  it('sends a Handshake packet with a 1-RTT packet behind it as two datagrams', () => {
    const { io, counters, output } = newOutput();
    const { datagram, handshakeLength } = coalescedHandshake();
    output.sendAll(nativeSending([datagram]));
    expect(io.sent.map((d) => d.bytes)).toEqual([
      datagram.subarray(0, handshakeLength),
      datagram.subarray(handshakeLength),
    ]);
    expect(counters.packetsSent).toBe(2);
    expect(counters.bytesSent).toBe(datagram.length);
  });

  it('sends a stateless packet, or counts it dropped when it cannot be written', () => {
    const { io, counters, output } = newOutput();
    output.sendStateless('10.0.0.7', 7, (out) => {
      out.fill(9, 0, 60);
      return 60;
    });
    expect(io.sent).toEqual([{ bytes: Buffer.alloc(60, 9), host: '10.0.0.7', port: 7 }]);
    output.sendStateless('10.0.0.7', 7, () => {
      throw new Error('BufferTooShort');
    });
    expect(io.sent).toHaveLength(1);
    expect(counters).toEqual({ packetsSent: 1, bytesSent: 60, packetsDropped: 1 });
  });

  it('holds packets up to the largest payload asked for', () => {
    const { io, output } = newOutput(true);
    output.ensureCapacity(4000);
    output.sendAll(nativeSending([shortPacket(3900, 4)]));
    expect(io.sent[0]?.bytes).toEqual(shortPacket(3900, 4));
  });
});
