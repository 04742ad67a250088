/** JWTs for Auth "token": HS256 with the secret, RS256 (PEM) and ES256 (JWKS), claims, and no lenient decoding. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../reference-server/config.js';
import {
  TokenVerifier,
  issueJwt,
  loadTokenTrust,
  type TokenTrust,
} from '../../reference-server/token-verifier.js';

const secret = 'test-secret';
const now = 1_700_000_000;
const trust = (extra: Partial<TokenTrust> = {}): TokenTrust => ({
  secret,
  publicKeyPem: null,
  jwks: null,
  audience: null,
  issuer: null,
  ...extra,
});
const hs = new TokenVerifier(trust());

/** Flips the two unused low bits of the last base64url character of the signature (same decoded bytes). */
function flipUnusedBits(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = token.at(-1)!;
  return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 0b11];
}

describe('HS256 tokens', () => {
  it('round-trips a token issued by issue-token', async () => {
    const token = await issueJwt(secret, ' carol ', { ttlSeconds: 60, nowSeconds: now });
    expect(token.split('.')).toHaveLength(3);
    expect(await hs.verify(token, now + 59)).toEqual({ ok: true, username: 'carol', exp: now + 60 });
  });

  it('refuses expired, not-yet-valid, other-secret and forged tokens', async () => {
    const token = await issueJwt(secret, 'carol', { ttlSeconds: 60, nowSeconds: now });
    expect(await hs.verify(token, now + 60)).toEqual({ ok: false, reason: 'expired' });
    const other = await issueJwt('other', 'carol', { ttlSeconds: 60, nowSeconds: now });
    expect(await hs.verify(other, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: now + 60 })).toString('base64url');
    expect(await hs.verify(`${header}.${forged}.${signature}`, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const early = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'HS256' })
      .setNotBefore(now + 30)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await hs.verify(early, now)).toEqual({ ok: false, reason: 'not_yet_valid' });
  });

  it('refuses a token whose unused base64url bits were flipped (the old format accepted it)', async () => {
    const token = await issueJwt(secret, 'carol', { ttlSeconds: 60, nowSeconds: now });
    const flipped = flipUnusedBits(token);
    expect(flipped).not.toBe(token);
    // Same bytes once decoded: only a canonical-encoding check tells them apart.
    expect(Buffer.from(flipped.split('.')[2]!, 'base64url')).toEqual(
      Buffer.from(token.split('.')[2]!, 'base64url'),
    );
    expect(await hs.verify(flipped, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses alg "none", a missing sub or exp, and garbage', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'carol', exp: now + 60 }),
    ).toString('base64url')}.`;
    expect((await hs.verify(none, now)).ok).toBe(false);
    const noExp = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    expect(await hs.verify(noExp, now)).toEqual({ ok: false, reason: 'malformed' });
    for (const garbage of ['', 'abc', 'a.b.c', '!!.??.xx', 'e30.e30.'])
      expect(await hs.verify(garbage, now)).toMatchObject({ ok: false });
    const blank = await new SignJWT({ sub: '   ' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await hs.verify(blank, now)).toEqual({ ok: false, reason: 'invalid_username' });
  });

  it('checks aud and iss when the server requires them', async () => {
    const strict = new TokenVerifier(trust({ audience: 'garou', issuer: 'https://idp.example' }));
    const right = await issueJwt(secret, 'carol', {
      ttlSeconds: 60,
      nowSeconds: now,
      audience: 'garou',
      issuer: 'https://idp.example',
    });
    expect(await strict.verify(right, now)).toMatchObject({ ok: true });
    const wrongAud = await issueJwt(secret, 'carol', {
      ttlSeconds: 60,
      nowSeconds: now,
      audience: 'other',
      issuer: 'https://idp.example',
    });
    expect(await strict.verify(wrongAud, now)).toEqual({ ok: false, reason: 'wrong_audience' });
    const wrongIss = await issueJwt(secret, 'carol', {
      ttlSeconds: 60,
      nowSeconds: now,
      audience: 'garou',
      issuer: 'https://evil.example',
    });
    expect(await strict.verify(wrongIss, now)).toEqual({ ok: false, reason: 'wrong_issuer' });
  });
});

describe('RS256 and ES256 tokens', () => {
  it('accepts RS256 signed by the PEM key and refuses another key or an asymmetric alg without one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const verifier = new TokenVerifier(trust({ publicKeyPem: await exportSPKI(publicKey) }));
    const sign = (key: Parameters<SignJWT['sign']>[0]) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject('dave')
        .setExpirationTime(now + 60)
        .sign(key);
    expect(await verifier.verify(await sign(privateKey), now)).toMatchObject({ ok: true, username: 'dave' });
    const stranger = await generateKeyPair('RS256');
    expect(await verifier.verify(await sign(stranger.privateKey), now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    // A server with only a secret takes HS256 alone.
    expect(await hs.verify(await sign(privateKey), now)).toEqual({
      ok: false,
      reason: 'unsupported_algorithm',
    });
  });

  it('accepts ES256 signed by a key of the JWKS file, chosen by kid', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const dir = await mkdtemp(join(tmpdir(), 'garou-jwks-'));
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [jwk] }));
    const verifier = new TokenVerifier(
      loadTokenTrust({ secret, publicKeyFile: null, jwksFile: file, audience: null, issuer: null }),
    );
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('erin')
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect(await verifier.verify(token, now)).toMatchObject({ ok: true, username: 'erin' });
    expect(await verifier.verify(flipUnusedBits(token), now)).toMatchObject({ ok: false });
  });

  it('names the flag of an unreadable or invalid key file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'garou-jwks-'));
    await writeFile(join(dir, 'bad.json'), '{"nokeys": 1}');
    const load = (jwksFile: string | null, publicKeyFile: string | null) => () =>
      loadTokenTrust({ secret, publicKeyFile, jwksFile, audience: null, issuer: null });
    expect(load(join(dir, 'bad.json'), null)).toThrow(ConfigError);
    expect(load(join(dir, 'bad.json'), null)).toThrow(/--token-jwks.*not a JWKS/);
    expect(load(null, join(dir, 'missing.pem'))).toThrow(/--token-public-key.*ENOENT/);
  });
});
