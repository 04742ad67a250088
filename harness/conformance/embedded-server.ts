/**
 * The embedded target: the reference server started in-process on an ephemeral loopback port with fast hot-room
 * parameters, so that a run without `--target` completes in about a minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../reference-server/config.js';
import { GarouServer } from '../../reference-server/server.js';
import { generateSelfSignedCert, type HostPort } from '../../transport/index.js';

/** Fast hot-room settings of the embedded server (file keys of reference-server/config.ts). */
export const EMBEDDED_HOT_ROOM_SETTINGS = {
  promote_rate: 20,
  demote_rate: 5,
  cool_down_ms: 2000,
  rate_window_ms: 1000,
  max_hot_rooms: 2,
} as const;

/**
 * Large-room threshold of the embedded server (PROTOCOL.md 16.2): small enough for 16.2/membership-events to reach
 * with a few probes, above the members any other check puts in one room (General included).
 */
export const EMBEDDED_LARGE_ROOM_THRESHOLD = 5;

/** A running embedded server. */
export interface EmbeddedServer {
  readonly address: HostPort;
  stop(): Promise<void>;
}

/** Starts the reference server on 127.0.0.1:0 with fast hot-room settings (overridable, file keys). */
export async function startEmbeddedServer(overrides: Record<string, number> = {}): Promise<EmbeddedServer> {
  const { cert, key } = await generateSelfSignedCert();
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-conformance-'));
  try {
    const config = resolveConfig(
      { ...EMBEDDED_HOT_ROOM_SETTINGS, large_room_threshold: EMBEDDED_LARGE_ROOM_THRESHOLD, ...overrides },
      { host: '127.0.0.1', port: 0 },
    );
    const server = await GarouServer.start(config, { cert, key, dataDir });
    return {
      address: server.address,
      async stop() {
        await server.shutdown('conformance run finished');
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
