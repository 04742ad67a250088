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
});
