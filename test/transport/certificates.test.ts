import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSelfSignedCert, pemBytes } from '../../transport/certificates.js';

describe('generateSelfSignedCert', () => {
  it('produces a P-256 certificate for localhost and loopback IPs, matching its key', async () => {
    const { cert, key } = await generateSelfSignedCert();
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(createPrivateKey(key).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });
});

describe('pemBytes', () => {
  it('accepts PEM strings and buffers and names the option otherwise', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    expect(Buffer.from(pemBytes(pem, 'x')).toString()).toBe(pem + '\n');
    expect(Buffer.from(pemBytes(Buffer.from(pem), 'x')).toString()).toBe(pem + '\n');
    expect(() => pemBytes('hello', 'listen.cert')).toThrow(
      expect.objectContaining({ code: 'TLS_CONFIG', where: 'listen.cert' }),
    );
    expect(() => pemBytes(42 as unknown as string, 'listen.key')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', where: 'listen.key' }),
    );
  });
});
