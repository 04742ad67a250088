import { describe, expect, it } from 'vitest';
import { SendArena } from '../../transport/send-arena.js';

describe('SendArena', () => {
  it('never hands out bytes that were already taken', () => {
    const arena = new SendArena(1500);
    const taken: { buffer: Buffer; at: number; length: number; fill: number }[] = [];
    for (let i = 0; i < 1000; i++) {
      const view = arena.free();
      expect(view.length).toBeGreaterThanOrEqual(1500);
      const length = 100 + ((i * 37) % 1400);
      view.fill(i & 0xff, 0, length);
      const at = arena.take(length);
      taken.push({ buffer: arena.current, at, length, fill: i & 0xff });
    }
    for (const t of taken) {
      const bytes = t.buffer.subarray(t.at, t.at + t.length);
      expect(bytes.every((b) => b === t.fill)).toBe(true);
    }
  });

  it('returns the same free view until something is taken, and grows for larger packets', () => {
    const arena = new SendArena(1500);
    expect(arena.free()).toBe(arena.free());
    arena.ensureCapacity(9000);
    expect(arena.free().length).toBeGreaterThanOrEqual(9000);
  });
});

describe('SendArena recycling (the IO copies each packet)', () => {
  it('writes every packet over the last one, in one buffer, until a larger packet size needs a new one', () => {
    const arena = new SendArena(1500, true);
    const first = arena.current;
    for (let i = 0; i < 1000; i++) {
      const view = arena.free();
      expect(view.length).toBeGreaterThanOrEqual(1500);
      view.fill(i & 0xff, 0, 1200);
      expect(arena.take(1200)).toBe(0);
      expect(arena.current).toBe(first);
      expect(arena.current[1199]).toBe(i & 0xff);
    }
    arena.ensureCapacity(9000);
    expect(arena.free().length).toBeGreaterThanOrEqual(9000);
    expect(arena.current).not.toBe(first);
  });
});
