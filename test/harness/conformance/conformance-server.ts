/**
 * Test helpers: a reference server (optionally with faults) on 127.0.0.1, and a run of chosen checks against it
 * with short timeouts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_CHECKS } from '../../../harness/conformance/checks/index.js';
import { EMBEDDED_LARGE_ROOM_THRESHOLD } from '../../../harness/conformance/embedded-server.js';
import type { SuiteResult } from '../../../harness/conformance/results.js';
import { selectChecks } from '../../../harness/conformance/selection.js';
import type { RunSettings } from '../../../harness/conformance/suite-environment.js';
import { runSuite } from '../../../harness/conformance/suite-runner.js';
import { ResolvedTarget } from '../../../harness/conformance/target.js';
import { resolveConfig } from '../../../reference-server/config.js';
import { faultComposition } from '../../support/server-faults/fault-composition.js';
import type { FaultName } from '../../support/server-faults/faults.js';
import { GarouServer } from '../../../reference-server/server.js';
import { generateSelfSignedCert, type CertificateAndKey, type HostPort } from '../../../transport/index.js';

let certificate: Promise<CertificateAndKey> | null = null;

/** Fast hot-room settings for tests (a 10-message burst promotes; demotion within about 3 s). */
export const TEST_HOT_ROOM_SETTINGS = {
  promote_rate: 20,
  demote_rate: 5,
  cool_down_ms: 1000,
  rate_window_ms: 500,
  max_hot_rooms: 2,
} as const;

/** Short waits: enough on loopback, and a failing check costs about one timeout. */
export const TEST_SETTINGS: RunSettings = {
  timeoutMs: 1500,
  settleMs: 150,
  alpn: 'chat',
  seed: 4242,
  hostileRuns: 6,
};

/** A running test server. */
export interface TestServer {
  readonly address: HostPort;
  stop(): Promise<void>;
}

/** Starts a reference server on 127.0.0.1:0 with the given faults and fast hot-room settings. */
export async function startTestServer(faults: readonly FaultName[] = []): Promise<TestServer> {
  certificate ??= generateSelfSignedCert();
  const { cert, key } = await certificate;
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-conformance-test-'));
  const config = resolveConfig(
    { ...TEST_HOT_ROOM_SETTINGS, large_room_threshold: EMBEDDED_LARGE_ROOM_THRESHOLD },
    { host: '127.0.0.1', port: 0 },
  );
  const server = await GarouServer.start(config, {
    cert,
    key,
    dataDir,
    composition: faultComposition(faults),
  });
  return {
    address: server.address,
    async stop() {
      await server.shutdown('test over');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the checks with these ids (in suite order) against a server. */
export async function runChecks(
  address: HostPort,
  ids: readonly string[],
  settings = TEST_SETTINGS,
): Promise<SuiteResult> {
  const { checks } = selectChecks(
    ALL_CHECKS.filter((c) => ids.includes(c.id)),
    [],
    [],
  );
  const target = await ResolvedTarget.open(address, { ca: null, serverName: null, handshakeTimeoutMs: 2000 });
  try {
    return await runSuite({ target, embedded: false, settings, hotFlags: {}, checks });
  } finally {
    await target.close();
  }
}

/** The verdict of one check in a result, with its details for assertion messages. */
export function verdictOf(result: SuiteResult, id: string): string {
  const check = result.checks.find((c) => c.id === id);
  if (!check) return 'missing';
  if (check.status === 'fail') return `fail: expected ${check.expected}; actual ${check.actual}`;
  if (check.status === 'skip') return `skip: ${check.reason}`;
  return 'pass';
}
