import { describe, expect, it } from 'vitest';
import { CID_LENGTH, cidKey, destinationCidKey, isLongHeader } from '../../transport/packet-header.js';

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
