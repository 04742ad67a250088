/**
 * ServerAdmission: a listener's answer to a long-header datagram for no known connection, with real quiche packets:
 * a new connection, Version Negotiation, a drop, CONNECTION_REFUSED over the limit, and Retry then the token's check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { quiche } from '@matrixai/quic/native/index.js';
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import type { CertificateAndKey } from '../../transport/certificates.js';
import { newConnectionId } from '../../transport/connection-ids.js';
import { resolveTransportOptions } from '../../transport/options.js';
import type { ServerOptions } from '../../transport/options.js';
import type { PacketIO } from '../../transport/packet-io.js';
import { PacketOutput } from '../../transport/packet-output.js';
import { buildClientConfig } from '../../transport/quiche-config.js';
import { ServerAdmission } from '../../transport/server-admission.js';
import { testCertificate } from './helpers/endpoints.js';

const SERVER = { host: '127.0.0.1', port: 4433 };
const CLIENT = { host: '127.0.0.1', port: 50000 };

let certificate: CertificateAndKey;
beforeAll(async () => {
  certificate = await testCertificate();
});

/** The datagrams the server sent, copied. */
class RecordingIO implements PacketIO {
  readonly localAddress = SERVER;
  readonly sent: Buffer[] = [];
  start(): void {}
  send(buffer: Buffer, offset: number, length: number): void {
    this.sent.push(Buffer.from(buffer.subarray(offset, offset + length)));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function listener(options: Partial<ServerOptions> = {}) {
  const io = new RecordingIO();
  const counters = {
    packetsSent: 0,
    bytesSent: 0,
    packetsDropped: 0,
    connectionsRefused: 0,
    retriesSent: 0,
    versionNegotiationsSent: 0,
  };
  const admission = new ServerAdmission(
    { ...certificate, ...options },
    new PacketOutput(io, counters),
    counters,
  );
  return {
    io,
    counters,
    admission,
    admit: (data: Buffer) => admission.admit(data, CLIENT.host, CLIENT.port, SERVER),
  };
}

/** A quiche client and its first datagram (a padded Initial). */
function client(): { native: NativeConnection; initial: Buffer } {
  const config = buildClientConfig({ insecure: true }, resolveTransportOptions({}, 'connect'));
  const native = quiche.Connection.connect(null, newConnectionId(), CLIENT, SERVER, config);
  return { native, initial: nextDatagram(native) };
}

function nextDatagram(native: NativeConnection): Buffer {
  const out = Buffer.alloc(65535);
  const result = native.send(out);
  if (result === null) throw new Error('the client had nothing to send');
  return out.subarray(0, result[0]);
}

/** A long-header packet of `version` with 8-byte connection ids, `length` bytes long (default: padded as an Initial). */
function longHeaderOfVersion(version: number, length = 1200): Buffer {
  const packet = Buffer.alloc(length);
  packet[0] = 0xc0;
  packet.writeUInt32BE(version, 1);
  packet[5] = 8; // dcid length, 8-byte dcid, scid length, 8-byte scid
  packet[14] = 8;
  return packet;
}

describe('ServerAdmission', () => {
  it('accepts a client Initial: a quiche connection on a fresh connection id, leaving the count to the endpoint', () => {
    const { io, counters, admission, admit } = listener();
    const { initial } = client();
    expect(initial.length).toBeGreaterThanOrEqual(1200);
    const admitted = admit(initial);
    expect(admitted).not.toBeNull();
    expect(admitted?.retried).toBe(false);
    expect(admitted?.scid).toHaveLength(20);
    expect(admitted?.remote).toEqual(CLIENT);
    // Nothing is sent until the endpoint feeds the Initial to the connection.
    expect(admitted?.native.recv(initial, { from: CLIENT, to: SERVER })).toBe(initial.length);
    expect(io.sent).toHaveLength(0);
    expect(admission.connections).toBe(0);
    expect(counters.packetsDropped).toBe(0);
  });

  it('answers an unsupported version with Version Negotiation, and drops version 0', () => {
    const { io, counters, admit } = listener();
    expect(admit(longHeaderOfVersion(0x1a2a3a4a))).toBeNull();
    expect(io.sent).toHaveLength(1);
    expect(io.sent[0]?.readUInt32BE(1)).toBe(0);
    expect(counters.versionNegotiationsSent).toBe(1);
    // A Version Negotiation packet (version 0, one version listed) sent to the server is never answered.
    const versionNegotiation = longHeaderOfVersion(0, 27);
    versionNegotiation.writeUInt32BE(1, 23);
    expect(admit(versionNegotiation)).toBeNull();
    expect(io.sent).toHaveLength(1);
    expect(counters.packetsDropped).toBe(1);
  });

  it('drops an Initial in a datagram under 1200 bytes, and a long header that is no Initial', () => {
    const { io, counters, admit } = listener();
    const { initial } = client();
    expect(admit(initial.subarray(0, 1199))).toBeNull();
    const handshake = longHeaderOfVersion(1);
    handshake[0] = 0xe0;
    expect(admit(handshake)).toBeNull();
    expect(counters.packetsDropped).toBe(2);
    expect(io.sent).toHaveLength(0);
  });

  it('refuses a client over the connection limit with CONNECTION_REFUSED, after its first flight', () => {
    const { io, counters, admission, admit } = listener({ maxConnections: 1 });
    admission.connections = 1;
    const { native, initial } = client();
    expect(admit(initial)).toBeNull();
    expect(counters.connectionsRefused).toBe(1);
    expect(io.sent.length).toBeGreaterThan(0);
    for (const datagram of io.sent) native.recv(datagram, { from: SERVER, to: CLIENT });
    expect(native.peerError()).toMatchObject({ isApp: false, errorCode: 0x2 });
  });

  it('with retry: answers a token-less Initial with Retry, then accepts the Initial that echoes the token', () => {
    const { io, counters, admit } = listener({ retry: true });
    const { native, initial } = client();
    expect(admit(initial)).toBeNull();
    expect(counters.retriesSent).toBe(1);
    expect(io.sent).toHaveLength(1);
    native.recv(io.sent[0] as Buffer, { from: SERVER, to: CLIENT });
    const withToken = nextDatagram(native);
    const admitted = admit(withToken);
    expect(admitted?.retried).toBe(true);
    // A token is good for the address it was minted for only.
    const elsewhere = listener({ retry: true });
    expect(elsewhere.admit(withToken)).toBeNull();
    expect(elsewhere.counters.packetsDropped).toBe(1);
  });

  it('refuses a bad connection limit with INVALID_ARGUMENT', () => {
    expect(() => listener({ maxConnections: -1 })).toThrow(
      /listen\.maxConnections: expected an integer >= 0/,
    );
  });
});
