/**
 * garou-bench transport: a lean QUIC event loop over the native quiche binding shipped in
 * `@matrixai/quic`, shared by the reference server and the load-generating harness.
 *
 * ```ts
 * const { cert, key } = await generateSelfSignedCert();
 * const server = await QuicEndpoint.bind({ host: '127.0.0.1', port: 4433 });
 * server.listen({ cert, key });                       // ALPN 'chat' by default
 * server.onConnection = (conn) => {
 *   conn.onData = function (streamId, data, fin) { this.write(streamId, data, fin); }; // echo
 * };
 *
 * const client = await QuicEndpoint.bind();           // one socket for many connections
 * const conn = client.connect('127.0.0.1', 4433, { insecure: true });
 * await conn.whenEstablished();
 * const id = conn.openBidi();                          // 0, then 4, 8, ...
 * conn.write(id, Buffer.from('hello'), true);
 * ```
 */
export { QuicEndpoint } from './endpoint.js';
export type { EndpointCloseOptions, EndpointStats } from './endpoint.js';
export { QuicConnection, STOP_SENDING_CODE_UNKNOWN } from './connection.js';
export type {
  CloseCause,
  CloseInfo,
  ConnectionError,
  ConnectionSide,
  ConnectionState,
  ConnectionStats,
} from './connection.js';
export type { ClientOptions, Pem, ServerOptions, TransportOptions } from './options.js';
export { generateSelfSignedCert } from './certificates.js';
export type { CertificateAndKey, SelfSignedOptions } from './certificates.js';
export { createUdpPacketIO } from './udp-packet-io.js';
export type { UdpBindOptions } from './udp-packet-io.js';
export type { HostPort, PacketIO, PacketReceiver } from './packet-io.js';
export { TransportError } from './errors.js';
export type { TransportErrorCode } from './errors.js';
