/**
 * Reaching the target: name resolution (the transport takes IP literals) and a probe connection that does
 * the QUIC handshake and Hello/HelloAck with a bounded timeout, so an unreachable target fails fast and
 * clearly (exit code 3), and the run learns num_shards and the advertised hot-room parameters.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { epochNowMs } from '../metrics/clock.js';
import { ExitCode } from '../exit-codes.js';
import { FrameDecoder, encodeFrame, type HelloAck } from '../../spec/index.js';
import { QuicEndpoint, type ClientOptions } from '../../transport/index.js';
import { describeClose } from '../client/connect-failure.js';
import { RunError } from './run-error.js';

/** Resolves a host name to an IP literal (IP literals are returned as they are). */
export async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (error) {
    throw new RunError(
      ExitCode.TargetUnreachable,
      `cannot resolve target host "${host}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** What the probe learned. */
export interface ProbeResult {
  helloAck: HelloAck;
  /** Connection start to HelloAck, ms. */
  elapsedMs: number;
}

/**
 * Connects once, sends Hello, waits for HelloAck, and closes. Throws RunError(TargetUnreachable) when the
 * handshake or HelloAck does not complete within `timeoutMs`.
 */
export async function probeTarget(
  host: string,
  port: number,
  tls: ClientOptions,
  timeoutMs: number,
): Promise<ProbeResult> {
  const label = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const bindHost = host.includes(':') ? '::' : host.startsWith('127.') ? '127.0.0.1' : '0.0.0.0';
  const endpoint = await QuicEndpoint.bind({ host: bindHost });
  endpoint.onError = () => undefined;
  const started = epochNowMs();
  const connection = endpoint.connect(host, port, { ...tls, handshakeTimeoutMs: timeoutMs });
  try {
    const helloAck = await new Promise<HelloAck>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new RunError(
              ExitCode.TargetUnreachable,
              `target ${label} unreachable: no QUIC handshake and HelloAck within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const decoder = new FrameDecoder();
      connection.onEstablished = function () {
        this.openBidi();
        this.write(0, encodeFrame('Hello', { version: 1, capabilities: ['chat', 'presence'] }));
      };
      connection.onData = (streamId, data) => {
        if (streamId !== 0) return;
        decoder.push(data);
        try {
          for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
            if (frame.name === 'HelloAck') {
              clearTimeout(timer);
              resolve(frame.payload);
              return;
            }
            clearTimeout(timer);
            reject(
              new RunError(
                ExitCode.TargetUnreachable,
                `target ${label} answered Hello with ${frame.name}, not HelloAck`,
              ),
            );
            return;
          }
        } catch (error) {
          clearTimeout(timer);
          reject(
            new RunError(
              ExitCode.TargetUnreachable,
              `target ${label} sent an undecodable answer to Hello: ${String(error)}`,
            ),
          );
        }
      };
      connection.onClose = (info) => {
        clearTimeout(timer);
        const why =
          info.cause === 'handshake-timeout'
            ? `no QUIC handshake within ${timeoutMs} ms (nothing listening, or packets dropped)`
            : `connection closed during the handshake (${describeClose(info)})`;
        reject(new RunError(ExitCode.TargetUnreachable, `target ${label} unreachable: ${why}`));
      };
    });
    return { helloAck, elapsedMs: epochNowMs() - started };
  } finally {
    connection.onClose = null;
    connection.close(0, 'probe done');
    await endpoint.close({ timeoutMs: 500 });
  }
}
