import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fnv1a64,
  issueToken,
  userIdForUsername,
  validateUsername,
  verifyToken,
} from '../../reference-server/user-identity.js';

/** Independent reference: textbook FNV-1a 64 on BigInt. */
function referenceFnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

const enc = new TextEncoder();

describe('fnv1a64', () => {
  it('matches published test vectors', () => {
    expect(BigInt(fnv1a64(enc.encode('')))).toBe(0xcbf29ce484222325n);
    expect(BigInt(fnv1a64(enc.encode('a')))).toBe(0xaf63dc4c8601ec8cn);
    expect(BigInt(fnv1a64(enc.encode('foobar')))).toBe(0x85944171f73967e8n);
  });

  it('matches a BigInt reference on arbitrary bytes, in canonical u64 form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const got = fnv1a64(bytes);
        const want = referenceFnv1a64(bytes);
        expect(BigInt(got)).toBe(want);
        // Canonical: number exactly when the value is a safe integer.
        expect(typeof got === 'number').toBe(want <= BigInt(Number.MAX_SAFE_INTEGER));
      }),
      { numRuns: 500 },
    );
  });

  it('user ids hash the UTF-8 username', () => {
    expect(BigInt(userIdForUsername('alice'))).toBe(referenceFnv1a64(enc.encode('alice')));
    expect(BigInt(userIdForUsername('żółw 🐢'))).toBe(referenceFnv1a64(enc.encode('żółw 🐢')));
  });
});

describe('validateUsername', () => {
  it('trims and accepts 1 to 50 code points', () => {
    expect(validateUsername('  bob ')).toEqual({ ok: true, username: 'bob' });
    expect(validateUsername('x'.repeat(50))).toMatchObject({ ok: true });
    // 50 emoji are 100 UTF-16 units but 50 characters.
    expect(validateUsername('🐢'.repeat(50))).toMatchObject({ ok: true });
  });

  it('rejects empty and too long names', () => {
    expect(validateUsername('   ')).toMatchObject({ ok: false });
    expect(validateUsername('')).toMatchObject({ ok: false });
    expect(validateUsername('x'.repeat(51))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('50'),
    });
  });
});

describe('tokens', () => {
  const secret = 'test-secret';
  const now = 1_700_000_000;

  it('round-trips a valid token', () => {
    const token = issueToken(secret, 'carol', 60, now);
    expect(verifyToken(secret, token, now + 59)).toEqual({ ok: true, username: 'carol', exp: now + 60 });
  });

  it('rejects an expired token', () => {
    const token = issueToken(secret, 'carol', 60, now);
    expect(verifyToken(secret, token, now + 60)).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects a token signed with another secret', () => {
    const token = issueToken('other', 'carol', 60, now);
    expect(verifyToken(secret, token, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a forged payload with the original signature', () => {
    const token = issueToken(secret, 'carol', 60, now);
    const signature = token.split('.')[1];
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: now + 60 })).toString('base64url');
    expect(verifyToken(secret, `${forged}.${signature}`, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    // Extending the expiry is a forgery too.
    const later = Buffer.from(JSON.stringify({ sub: 'carol', exp: now + 9999 })).toString('base64url');
    expect(verifyToken(secret, `${later}.${signature}`, now + 100)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it.each(['', 'abc', 'a.b.c', '!!.??', 'e30.'])('rejects malformed token %j', (token) => {
    expect(verifyToken(secret, token, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('rejects a correctly signed payload of the wrong shape', () => {
    const payload = Buffer.from(JSON.stringify({ user: 'x' })).toString('base64url');
    const sig = createHmac('sha256', secret).update(payload).digest('base64url');
    expect(verifyToken(secret, `${payload}.${sig}`, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to issue a token for an invalid username', () => {
    expect(() => issueToken(secret, ' ', 60, now)).toThrow(RangeError);
  });
});
