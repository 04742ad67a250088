/**
 * Stateless Retry tokens (RFC 9000 §8.1.2): the server hands one to a new client and
 * allocates connection state only when the client echoes it from the same IP address.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_LENGTH = 16;

/** Mints and validates Retry tokens bound to the client's IP and its original dcid. */
export class RetryTokens {
  constructor(
    private readonly secret: Buffer = randomBytes(32),
    /** How long a token stays valid, ms. A Retry round trip takes one RTT. */
    private readonly lifetimeMs = 10_000,
  ) {}

  /** Token layout: expiry ms (u64 BE) | odcid length (u8) | odcid | HMAC-SHA256(...)[0..16]. */
  mint(originalDcid: Uint8Array, clientHost: string, now = Date.now()): Buffer {
    const token = Buffer.allocUnsafe(9 + originalDcid.length + MAC_LENGTH);
    token.writeBigUInt64BE(BigInt(now + this.lifetimeMs), 0);
    token[8] = originalDcid.length;
    token.set(originalDcid, 9);
    const body = token.subarray(0, 9 + originalDcid.length);
    this.mac(body, clientHost).copy(token, body.length, 0, MAC_LENGTH);
    return token;
  }

  /** The original dcid carried by a valid, unexpired token from `clientHost`, else null. */
  validate(token: Uint8Array, clientHost: string, now = Date.now()): Buffer | null {
    if (token.length < 9 + MAC_LENGTH) return null;
    const bytes = Buffer.from(token.buffer, token.byteOffset, token.byteLength);
    const odcidLength = bytes[8] as number;
    if (odcidLength > 20 || bytes.length !== 9 + odcidLength + MAC_LENGTH) return null;
    const body = bytes.subarray(0, 9 + odcidLength);
    const expected = this.mac(body, clientHost).subarray(0, MAC_LENGTH);
    if (!timingSafeEqual(expected, bytes.subarray(body.length))) return null;
    if (Number(bytes.readBigUInt64BE(0)) < now) return null;
    return Buffer.from(bytes.subarray(9, 9 + odcidLength));
  }

  private mac(body: Buffer, clientHost: string): Buffer {
    return createHmac('sha256', this.secret).update(clientHost).update('\0').update(body).digest();
  }
}
