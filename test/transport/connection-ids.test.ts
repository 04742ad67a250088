/** newConnectionId: random ids of CID_LENGTH bytes cut from a shared pool, never overwritten by later ids. */
import { describe, expect, it } from 'vitest';
import { newConnectionId } from '../../transport/connection-ids.js';
import { CID_LENGTH } from '../../transport/packet-header.js';

describe('newConnectionId', () => {
  it('gives distinct ids of CID_LENGTH bytes that later ids (across pool fills) leave intact', () => {
    const first = newConnectionId();
    const copy = Buffer.from(first);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newConnectionId();
      expect(id.length).toBe(CID_LENGTH);
      seen.add(id.toString('hex'));
    }
    expect(seen.size).toBe(2000);
    expect(seen.has(copy.toString('hex'))).toBe(false);
    expect(first.equals(copy)).toBe(true);
  });
});
