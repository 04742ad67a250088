import { describe, expect, it } from 'vitest';
import {
  CID_LENGTH,
  cidKey,
  coalescedHandshakeEnd,
  destinationCidKey,
  isLongHeader,
} from '../../transport/packet-header.js';

const cid = Buffer.from(Array.from({ length: CID_LENGTH }, (_, i) => i + 1));

describe('destinationCidKey', () => {
  it('reads the dcid of a short-header packet', () => {
    const packet = Buffer.concat([Buffer.from([0x40]), cid, Buffer.from('payload')]);
    expect(isLongHeader(packet)).toBe(false);
    expect(destinationCidKey(packet)).toBe(cidKey(cid));
  });

  it('reads the length-prefixed dcid of a long-header packet', () => {
    const dcid = Buffer.from([9, 8, 7, 6, 5, 4, 3, 2]);
    const packet = Buffer.concat([
      Buffer.from([0xc0, 0, 0, 0, 1, dcid.length]),
      dcid,
      Buffer.from([0, 1, 2]),
    ]);
    expect(isLongHeader(packet)).toBe(true);
    expect(destinationCidKey(packet)).toBe(cidKey(dcid));
  });

  it('rejects datagrams too short or with an impossible dcid length', () => {
    expect(destinationCidKey(Buffer.alloc(0))).toBeNull();
    expect(destinationCidKey(Buffer.from([0x40, 1, 2]))).toBeNull();
    expect(
      destinationCidKey(Buffer.from([0xc0, 0, 0, 0, 1, 21, ...new Array<number>(30).fill(0)])),
    ).toBeNull();
    expect(destinationCidKey(Buffer.from([0xc0, 0, 0, 0, 1, 8, 1, 2]))).toBeNull();
  });

  it('keys distinct ids distinctly and equal ids equally', () => {
    const other = Buffer.from(cid);
    other[CID_LENGTH - 1] = 0xff;
    expect(cidKey(other)).not.toBe(cidKey(cid));
    expect(cidKey(Buffer.from(cid))).toBe(cidKey(cid));
  });
});

describe('coalescedHandshakeEnd', () => {
  /** A Handshake packet (QUIC v1) with 8-byte connection ids and `payload` bytes after the Length field. */
  function handshakePacket(payload: number, lengthBytes: 1 | 2 | 4 = 2): Buffer {
    const cid = Buffer.alloc(8, 7);
    const length =
      lengthBytes === 1
        ? Buffer.from([payload])
        : lengthBytes === 2
          ? Buffer.from([0x40 | (payload >> 8), payload & 0xff])
          : Buffer.from([0x80, 0, payload >> 8, payload & 0xff]);
    return Buffer.concat([
      Buffer.from([0xe1, 0, 0, 0, 1, 8]),
      cid,
      Buffer.from([8]),
      cid,
      length,
      Buffer.alloc(payload, 0xaa),
    ]);
  }
  const shortHeader = Buffer.concat([Buffer.from([0x41]), Buffer.alloc(40, 3)]);

  it('finds the end of a Handshake packet with a 1-RTT packet behind it, for each varint size', () => {
    for (const size of [1, 2, 4] as const) {
      const handshake = handshakePacket(size === 1 ? 40 : 300, size);
      const datagram = Buffer.concat([Buffer.alloc(5), handshake, shortHeader]);
      expect(coalescedHandshakeEnd(datagram, 5, handshake.length + shortHeader.length)).toBe(
        handshake.length,
      );
    }
  });

  it('leaves a lone Handshake packet, an Initial and a short-header packet whole', () => {
    const handshake = handshakePacket(100);
    expect(coalescedHandshakeEnd(handshake, 0, handshake.length)).toBe(-1);
    const initial = Buffer.concat([Buffer.from([0xc1]), handshake.subarray(1), shortHeader]);
    expect(coalescedHandshakeEnd(initial, 0, initial.length)).toBe(-1);
    expect(coalescedHandshakeEnd(shortHeader, 0, shortHeader.length)).toBe(-1);
  });

  it('leaves a Version Negotiation packet whole even when its random first byte reads as Handshake', () => {
    // 0xe2: long header with "type 2" bits; version 0; dcid and scid of 8; supported version 1. Read as a Handshake
    // packet, its version list's first byte would be a Length of 0 and the last 3 bytes would leave on their own.
    const cid = Buffer.alloc(8, 9);
    const negotiation = Buffer.concat([
      Buffer.from([0xe2, 0, 0, 0, 0, 8]),
      cid,
      Buffer.from([8]),
      cid,
      Buffer.from([0, 0, 0, 1]),
    ]);
    expect(coalescedHandshakeEnd(negotiation, 0, negotiation.length)).toBe(-1);
  });

  it('returns -1 for a truncated header or a Length past the datagram', () => {
    const handshake = handshakePacket(100);
    expect(coalescedHandshakeEnd(handshake, 0, 12)).toBe(-1);
    expect(coalescedHandshakeEnd(handshake, 0, handshake.length - 1)).toBe(-1);
  });
});
