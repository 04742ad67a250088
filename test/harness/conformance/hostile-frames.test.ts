import { describe, expect, it } from 'vitest';
import { sampleHostile } from '../../../harness/conformance/hostile-frames.js';

const hex = (pieces: readonly Uint8Array[]): string =>
  pieces.map((p) => Buffer.from(p).toString('hex')).join('|');

describe('sampleHostile', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = sampleHostile('chat-commands', 7, 5).map((s) => hex(s.pieces));
    const b = sampleHostile('chat-commands', 7, 5).map((s) => hex(s.pieces));
    const c = sampleHostile('chat-commands', 8, 5).map((s) => hex(s.pieces));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('never finishes control streams or datagrams, and always has pieces', () => {
    for (const target of ['control', 'datagram'] as const)
      for (const sequence of sampleHostile(target, 1, 20)) {
        expect(sequence.fin).toBe(false);
        expect(sequence.pieces.length).toBeGreaterThan(0);
      }
  });
});
