import { describe, expect, it } from 'vitest';
import { RetryTokens } from '../../transport/retry-token.js';

const odcid = Buffer.from('0123456789abcdef', 'hex');

describe('RetryTokens', () => {
  it('returns the original dcid for a token from the same address', () => {
    const tokens = new RetryTokens();
    const token = tokens.mint(odcid, '10.0.0.1');
    expect(tokens.validate(token, '10.0.0.1')?.equals(odcid)).toBe(true);
  });

  it('rejects another address, another server secret, expiry and tampering', () => {
    const tokens = new RetryTokens(Buffer.alloc(32, 1), 1000);
    const now = 1_000_000;
    const token = tokens.mint(odcid, '10.0.0.1', now);
    expect(tokens.validate(token, '10.0.0.2', now)).toBeNull();
    expect(new RetryTokens(Buffer.alloc(32, 2)).validate(token, '10.0.0.1', now)).toBeNull();
    expect(tokens.validate(token, '10.0.0.1', now + 1001)).toBeNull();
    expect(tokens.validate(token, '10.0.0.1', now + 999)?.equals(odcid)).toBe(true);
    for (let i = 0; i < token.length; i++) {
      const bad = Buffer.from(token);
      bad[i] = (bad[i] as number) ^ 1;
      expect(tokens.validate(bad, '10.0.0.1', now)).toBeNull();
    }
    expect(tokens.validate(token.subarray(0, 10), '10.0.0.1', now)).toBeNull();
  });
});
