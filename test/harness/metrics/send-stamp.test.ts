import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSendStamp, encodeSendStamp } from '../../../harness/metrics/send-stamp.js';

describe('send stamp nonce', () => {
  it('round-trips client, sequence and scheduled time to the microsecond', () => {
    const stamp = { client: 12_345, seq: 987_654, scheduledAtMs: 1_735_000_000_123.456 };
    const nonce = encodeSendStamp(stamp);
    expect(nonce).toMatch(/^gb1\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$/);
    expect(nonce.length).toBeLessThan(32);
    const back = decodeSendStamp(nonce);
    expect(back?.client).toBe(12_345);
    expect(back?.seq).toBe(987_654);
    expect(back?.scheduledAtMs).toBeCloseTo(stamp.scheduledAtMs, 3);
  });

  it('ignores nonces it did not write', () => {
    for (const nonce of [null, undefined, '', 'abc', 'gb1.1.2', 'gb1.x.y.z!', 'gb2.1.2.3']) {
      expect(decodeSendStamp(nonce)).toBeUndefined();
    }
  });

  it('accepts exactly gb1.<a>.<b>.<c> with non-empty [0-9a-z] fields in the safe range', () => {
    // Reference: the format's definition (split, regex, parseInt), against the hand-rolled parser.
    const reference = (nonce: string): [number, number, number] | undefined => {
      if (!nonce.startsWith('gb1.')) return undefined;
      const parts = nonce.slice(4).split('.');
      if (parts.length !== 3 || !parts.every((p) => /^[0-9a-z]+$/.test(p))) return undefined;
      const values = parts.map((p) => parseInt(p, 36)) as [number, number, number];
      return values.every(Number.isSafeInteger) ? values : undefined;
    };
    const field = fc.stringMatching(/^[0-9a-z.A-Z!-]{0,12}$/);
    fc.assert(
      fc.property(fc.array(field, { minLength: 0, maxLength: 5 }), fc.boolean(), (fields, prefixed) => {
        const nonce = (prefixed ? 'gb1.' : '') + fields.join('.');
        const expected = reference(nonce);
        const back = decodeSendStamp(nonce);
        if (expected === undefined) expect(back).toBeUndefined();
        else
          expect(back).toEqual({ client: expected[0], seq: expected[1], scheduledAtMs: expected[2] / 1000 });
      }),
      { numRuns: 2000 },
    );
    expect(decodeSendStamp('gb1.1.2.' + 'z'.repeat(11))).toBeUndefined();
    expect(decodeSendStamp('gb1.1.2.' + 'z'.repeat(10))).toEqual({
      client: 1,
      seq: 2,
      scheduledAtMs: parseInt('z'.repeat(10), 36) / 1000,
    });
  });
});
