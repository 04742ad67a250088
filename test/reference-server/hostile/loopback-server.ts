/**
 * A reference server and a client endpoint on 127.0.0.1 for the hostile-client tests, cleaned up by `stopAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../reference-server/config.js';
import { GarouServer } from '../../../reference-server/server.js';
import { QuicEndpoint, generateSelfSignedCert, type CertificateAndKey } from '../../../transport/index.js';
import { QuicTestClient } from '../quic-test-client.js';

let certificate: Promise<CertificateAndKey> | null = null;
const cleanups: (() => Promise<void> | void)[] = [];

/** Starts a server with config-file `settings` (port 0) and a client endpoint; `connect` opens one client. */
export async function startLoopbackServer(settings: Record<string, unknown> = {}) {
  certificate ??= generateSelfSignedCert();
  const { cert, key } = await certificate;
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-hostile-'));
  const config = resolveConfig({ port: 0, ...settings });
  const server = await GarouServer.start(config, { cert, key, dataDir });
  const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1' });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => server.shutdown());
  cleanups.push(() => endpoint.close({ timeoutMs: 200 }));
  const connect = () => QuicTestClient.connect(endpoint, server.address.host, server.address.port);
  return { server, endpoint, connect, dataDir };
}

/** Stops everything started by startLoopbackServer (call from afterEach). */
export async function stopAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Resolves with `promise`'s value, or rejects naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms),
    ),
  ]);
}
