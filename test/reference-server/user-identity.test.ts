import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a64, userIdForUsername, validateUsername } from '../../reference-server/user-identity.js';

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
