/**
 * Builds native quiche configs. One config (one BoringSSL context) is shared by every
 * connection it applies to: building it per connection is what makes the stock layer's
 * connections heavy.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type { Config } from '@matrixai/quic/native/index.js';
import { pemBytes } from './certificates.js';
import { TransportError } from './errors.js';
import type { ClientOptions, ResolvedTransportOptions, ServerOptions } from './options.js';

const CC_ALGORITHMS = {
  reno: quiche.CongestionControlAlgorithm.Reno,
  cubic: quiche.CongestionControlAlgorithm.CUBIC,
  bbr: quiche.CongestionControlAlgorithm.BBR,
} as const;

function applyTransportOptions(config: Config, o: ResolvedTransportOptions): Config {
  config.setApplicationProtos(o.alpn);
  config.setMaxIdleTimeout(o.idleTimeoutMs);
  config.setMaxRecvUdpPayloadSize(65527);
  config.setMaxSendUdpPayloadSize(o.maxUdpPayload);
  config.setInitialMaxData(o.connectionWindow);
  config.setInitialMaxStreamDataBidiLocal(o.streamWindow);
  config.setInitialMaxStreamDataBidiRemote(o.streamWindow);
  config.setInitialMaxStreamDataUni(o.streamWindow);
  config.setInitialMaxStreamsBidi(o.maxStreamsBidi);
  config.setInitialMaxStreamsUni(o.maxStreamsUni);
  config.setMaxStreamWindow(Math.max(o.streamWindow, quiche.MAX_STREAM_WINDOW));
  config.setMaxConnectionWindow(Math.max(o.connectionWindow, quiche.MAX_CONNECTION_WINDOW));
  config.enableDgram(o.datagrams, o.datagramRecvQueue, o.datagramSendQueue);
  // We never migrate, and routing relies on the peer keeping its address.
  config.setDisableActiveMigration(true);
  config.setCcAlgorithm(CC_ALGORITHMS[o.congestionControl]);
  // quiche only advertises this (the peer's probe timeout includes it); the endpoint itself holds acknowledgements
  // back by up to ackDelayMs (see options.ts).
  config.setMaxAckDelay(o.advertisedMaxAckDelayMs);
  return config;
}

function withTls(
  where: string,
  verifyPeer: boolean,
  ca: Uint8Array | null,
  key: Uint8Array | null,
  cert: Uint8Array | null,
): Config {
  try {
    return quiche.Config.withBoringSslCtx(verifyPeer, false, ca, key && [key], cert && [cert], null);
  } catch (err) {
    throw new TransportError(
      'TLS_CONFIG',
      where,
      `BoringSSL rejected the TLS material: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Builds the config every accepted connection of a server shares. */
export function buildServerConfig(options: ServerOptions, o: ResolvedTransportOptions): Config {
  const key = pemBytes(options.key, 'listen.key');
  const cert = pemBytes(options.cert, 'listen.cert');
  return applyTransportOptions(withTls('listen', false, null, key, cert), o);
}

/** Builds a client config; verification follows `insecure` and `ca`. */
export function buildClientConfig(options: ClientOptions, o: ResolvedTransportOptions): Config {
  const ca = options.ca === undefined ? null : pemBytes(options.ca, 'connect.ca');
  return applyTransportOptions(withTls('connect', options.insecure !== true, ca, null, null), o);
}
