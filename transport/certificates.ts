/**
 * TLS material: self-signed certificates for tests and server defaults, and PEM checks
 * before the bytes reach BoringSSL (whose own errors do not say which input was bad).
 */
import { generate } from 'selfsigned';
import { TransportError } from './errors.js';
import type { Pem } from './options.js';

/** A PEM certificate and its private key. */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** Options for {@link generateSelfSignedCert}. */
export interface SelfSignedOptions {
  /** DNS names in the certificate. Default `['localhost']`. */
  dnsNames?: string[];
  /** IP addresses in the certificate. Default `['127.0.0.1', '::1']`. */
  ipAddresses?: string[];
  /** Validity in days from now. Default 365. */
  days?: number;
}

/**
 * Generates a self-signed ECDSA P-256 certificate (fast to sign with, so handshakes stay
 * cheap) valid for localhost and the loopback addresses by default.
 */
export async function generateSelfSignedCert(options: SelfSignedOptions = {}): Promise<CertificateAndKey> {
  const dnsNames = options.dnsNames ?? ['localhost'];
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1', '::1'];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + (options.days ?? 365) * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // No keyUsage: a self-signed leaf used as its own trust anchor must not forbid
      // certificate signing, or BoringSSL rejects the chain (unknown_ca).
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          ...ipAddresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Returns the bytes of PEM text, or throws a TransportError naming `where` if it is not PEM. */
export function pemBytes(value: Pem, where: string): Uint8Array {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array) text = decoder.decode(value);
  else throw new TransportError('INVALID_ARGUMENT', where, 'expected PEM text as a string or Buffer');
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
    throw new TransportError('TLS_CONFIG', where, 'no "-----BEGIN ...-----" block found; expected PEM');
  }
  return encoder.encode(text.trim() + '\n');
}
