import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../reference-server/rate-limiter.js';

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect(bucket.take(0)).toEqual({ allowed: true });
    expect(bucket.take(0)).toEqual({ allowed: true });
    expect(bucket.take(0)).toEqual({ allowed: true });
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterMs: 100 });
    expect(bucket.take(50)).toEqual({ allowed: false, retryAfterMs: 50 });
    expect(bucket.take(100)).toEqual({ allowed: true });
  });

  it('refills at the rate up to the burst only', () => {
    const bucket = new TokenBucket(10, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    expect(bucket.available(10_000)).toBe(3);
  });

  it('sustains exactly the rate over time', () => {
    const bucket = new TokenBucket(100, 1, 0);
    let allowed = 0;
    // One attempt per millisecond for 1 s: the bucket admits the initial token plus 100 refills.
    for (let t = 0; t <= 1000; t++) if (bucket.take(t).allowed) allowed++;
    expect(allowed).toBe(101);
  });

  it('rate 0 disables limiting', () => {
    const bucket = new TokenBucket(0, 1, 0);
    for (let i = 0; i < 1000; i++) expect(bucket.take(0).allowed).toBe(true);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(10, 1, 1000);
    expect(bucket.take(1000).allowed).toBe(true);
    expect(bucket.take(500).allowed).toBe(false);
    expect(bucket.take(1100).allowed).toBe(true);
  });
});
