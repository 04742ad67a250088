/**
 * Bearer tokens for Auth method "token" (PROTOCOL.md 6.3/token): standard JWTs checked with `jose`.
 *
 * Accepted: HS256 signed with the server's token secret; RS256 and ES256 signed by a key of the configured
 * public key (PEM) or JWKS file. `exp` is required, `nbf`, and `aud` / `iss` when configured, are checked;
 * `sub` is the username. Every part must be canonical base64url: a token whose unused trailing bits were
 * flipped decodes to the same bytes, so a lenient decoder would accept a string the issuer never wrote.
 */
import { readFileSync } from 'node:fs';
import {
  SignJWT,
  createLocalJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { ConfigError } from './config.js';
import { validateUsername } from './user-identity.js';

/** Why a token was refused (sent in AuthFailed.message as "token refused: <reason>"). */
export type TokenFailure =
  | 'malformed'
  | 'bad_signature'
  | 'unsupported_algorithm'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'invalid_username';

/** Result of verifying a token. */
export type TokenCheck = { ok: true; username: string; exp: number } | { ok: false; reason: TokenFailure };

/** What the server trusts. */
export interface TokenTrust {
  /** HS256 secret (always set: the configured one or a random one per process). */
  secret: string;
  /** PEM (SPKI) public key for RS256/ES256, or null. */
  publicKeyPem: string | null;
  /** JSON Web Key Set for RS256/ES256, or null. */
  jwks: JSONWebKeySet | null;
  /** Required `aud`, or null for any. */
  audience: string | null;
  /** Required `iss`, or null for any. */
  issuer: string | null;
}

const ASYMMETRIC = ['RS256', 'ES256'] as const;
const CANONICAL_PART = /^[A-Za-z0-9_-]+$/;

/** Reads the key files named by the configuration; a missing or invalid file is a ConfigError naming it. */
export function loadTokenTrust(options: {
  secret: string;
  publicKeyFile: string | null;
  jwksFile: string | null;
  audience: string | null;
  issuer: string | null;
}): TokenTrust {
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(flag, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  let jwks: JSONWebKeySet | null = null;
  if (options.jwksFile !== null) {
    const text = read('--token-jwks', options.jwksFile);
    try {
      jwks = JSON.parse(text) as JSONWebKeySet;
    } catch {
      throw new ConfigError('--token-jwks', `${options.jwksFile} is not JSON`);
    }
    if (!Array.isArray(jwks?.keys))
      throw new ConfigError('--token-jwks', `${options.jwksFile} has no "keys" array (not a JWKS)`);
  }
  const publicKeyPem =
    options.publicKeyFile === null ? null : read('--token-public-key', options.publicKeyFile);
  if (publicKeyPem !== null && !publicKeyPem.includes('-----BEGIN PUBLIC KEY-----'))
    throw new ConfigError('--token-public-key', `${options.publicKeyFile} is not a PEM public key (SPKI)`);
  return { secret: options.secret, publicKeyPem, jwks, audience: options.audience, issuer: options.issuer };
}

/** Verifies tokens against a TokenTrust. */
export class TokenVerifier {
  private readonly secretKey: Uint8Array;
  private readonly jwksKey: JWTVerifyGetKey | null;
  private readonly pemKeys = new Map<string, ReturnType<typeof importSPKI>>();

  constructor(private readonly trust: TokenTrust) {
    this.secretKey = new TextEncoder().encode(trust.secret);
    this.jwksKey = trust.jwks === null ? null : createLocalJWKSet(trust.jwks);
  }

  /** Checks `token` at `nowSeconds`; never throws. */
  async verify(token: string, nowSeconds: number): Promise<TokenCheck> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every(isCanonicalBase64url)) return { ok: false, reason: 'malformed' };
    const asymmetric = this.jwksKey !== null || this.trust.publicKeyPem !== null;
    try {
      const { payload } = await jwtVerify(token, (header, jws) => this.keyFor(header.alg, header, jws), {
        algorithms: asymmetric ? ['HS256', ...ASYMMETRIC] : ['HS256'],
        currentDate: new Date(nowSeconds * 1000),
        requiredClaims: ['sub', 'exp'],
        ...(this.trust.audience === null ? {} : { audience: this.trust.audience }),
        ...(this.trust.issuer === null ? {} : { issuer: this.trust.issuer }),
      });
      const check = validateUsername(payload.sub as string);
      if (!check.ok) return { ok: false, reason: 'invalid_username' };
      return { ok: true, username: check.username, exp: payload.exp as number };
    } catch (error) {
      return { ok: false, reason: failureOf(error) };
    }
  }

  private keyFor(alg: string | undefined, ...jwksArgs: Parameters<JWTVerifyGetKey>) {
    if (alg === 'HS256') return this.secretKey;
    if (this.jwksKey !== null) return this.jwksKey(...jwksArgs);
    const pem = this.trust.publicKeyPem;
    if (pem === null || alg === undefined) throw new errors.JOSEAlgNotAllowed(`alg ${alg} not allowed`);
    let key = this.pemKeys.get(alg);
    if (key === undefined) this.pemKeys.set(alg, (key = importSPKI(pem, alg)));
    return key;
  }
}

/** Whether `part` is base64url as an encoder writes it (no padding, zero unused bits). */
function isCanonicalBase64url(part: string): boolean {
  return CANONICAL_PART.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
}

function failureOf(error: unknown): TokenFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not_yet_valid';
    if (error.claim === 'aud') return 'wrong_audience';
    if (error.claim === 'iss') return 'wrong_issuer';
    return 'malformed';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'unsupported_algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return 'bad_signature';
  // Key import of an asymmetric alg against a key of the other type, malformed JWS/JWT, bad JSON.
  if (error instanceof TypeError) return 'unsupported_algorithm';
  return 'malformed';
}

/** Options of `issueJwt`. */
export interface IssueOptions {
  ttlSeconds: number;
  nowSeconds?: number;
  audience?: string;
  issuer?: string;
}

/** Issues an HS256 JWT for `username` (sub), valid `ttlSeconds` from now (iat, exp; aud and iss when given). */
export async function issueJwt(secret: string, username: string, options: IssueOptions): Promise<string> {
  const check = validateUsername(username);
  if (!check.ok) throw new RangeError(`issueJwt: ${check.reason}`);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(check.username)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}
