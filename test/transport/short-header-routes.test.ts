/**
 * ShortHeaderRoutes: a short-header datagram finds the connection whose own id is its destination id, and only
 * that one; anything the index cannot answer exactly (unknown id, a prefix two ids share) is left to the
 * endpoint's map.
 */
import { describe, expect, it } from 'vitest';
import { CID_LENGTH, cidKey } from '../../transport/packet-header.js';
import { ShortHeaderRoutes } from '../../transport/short-header-routes.js';

/** A connection as the index sees it. */
function conn(cid: Buffer): { cidKey: string } {
  return { cidKey: cidKey(cid) };
}

function cidOf(fill: number, last = fill): Buffer {
  const cid = Buffer.alloc(CID_LENGTH, fill);
  cid[CID_LENGTH - 1] = last;
  return cid;
}

/** A short-header datagram to `cid`: first byte 0x40 (fixed bit), the id, then some payload. */
function datagramTo(cid: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x40]), cid, Buffer.alloc(24, 0xee)]);
}

describe('ShortHeaderRoutes', () => {
  it('finds a connection by the destination id of a short-header datagram', () => {
    const routes = new ShortHeaderRoutes<{ cidKey: string }>();
    const a = conn(cidOf(0x11));
    const b = conn(cidOf(0xf7));
    routes.add(a);
    routes.add(b);
    expect(routes.find(datagramTo(cidOf(0x11)))).toBe(a);
    expect(routes.find(datagramTo(cidOf(0xf7)))).toBe(b);
    expect(routes.find(datagramTo(cidOf(0x12)))).toBeUndefined();
  });

  it('answers nothing for an id that shares the prefix but differs later, or a datagram too short for an id', () => {
    const routes = new ShortHeaderRoutes<{ cidKey: string }>();
    routes.add(conn(cidOf(0x22)));
    expect(routes.find(datagramTo(cidOf(0x22, 0x23)))).toBeUndefined();
    expect(routes.find(datagramTo(cidOf(0x22)).subarray(0, CID_LENGTH))).toBeUndefined();
  });

  it('leaves ids that share a prefix to the map, and forgets removed connections', () => {
    const routes = new ShortHeaderRoutes<{ cidKey: string }>();
    const a = conn(cidOf(0x33, 1));
    const b = conn(cidOf(0x33, 2));
    const c = conn(cidOf(0x44));
    routes.add(a);
    routes.add(b);
    routes.add(c);
    expect(routes.find(datagramTo(cidOf(0x33, 1)))).toBeUndefined();
    expect(routes.find(datagramTo(cidOf(0x33, 2)))).toBeUndefined();
    routes.remove(c);
    expect(routes.find(datagramTo(cidOf(0x44)))).toBeUndefined();
    // Removing one of two that shared a prefix does not hand the prefix to the other: it stays with the map.
    routes.remove(a);
    expect(routes.find(datagramTo(cidOf(0x33, 2)))).toBeUndefined();
  });

  it('ignores ids of another length than ours', () => {
    const routes = new ShortHeaderRoutes<{ cidKey: string }>();
    routes.add({ cidKey: 'short' });
    expect(routes.size).toBe(0);
  });
});
