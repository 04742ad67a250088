/**
 * `run --server-name`: the TLS server name reaches the probe and every client, worker processes included. The
 * reference server's certificate is for `localhost`; with the CA given, a run against 127.0.0.1 verifies the
 * certificate against the server name, so a wrong name is unreachable and the right one connects every client.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../harness/exit-codes.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { RunError } from '../../../harness/runner/run-error.js';
import { resolveConfig } from '../../../reference-server/config.js';
import { GarouServer } from '../../../reference-server/server.js';
import { generateSelfSignedCert } from '../../../transport/index.js';

const CLIENTS = 4;

const SCENARIO = `
name: server-name-e2e
seed: 7
clients: { count: ${CLIENTS}, connect_rate: 200, username: "sni-{i}" }
rooms:
  - { name: room, id: 700, members: all }
message_size: { fixed: 20 }
phases:
  - { name: chat, duration: 500ms, rate: { per_room: 4 } }
thresholds:
  - connect_failures == 0
`;

let dir: string;
let server: GarouServer;
let target: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-sni-e2e-'));
  const { cert, key } = await generateSelfSignedCert({ ipAddresses: [] });
  await writeFile(join(dir, 'ca.pem'), cert);
  await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
  server = await GarouServer.start(resolveConfig({}, { host: '127.0.0.1', port: 0 }), {
    cert,
    key,
    dataDir: dir,
  });
  target = `127.0.0.1:${server.address.port}`;
});

afterAll(async () => {
  await server.shutdown('test over');
  await rm(dir, { recursive: true, force: true });
});

const run = (serverName: string, workers: number) =>
  runScenario({
    scenarioFile: join(dir, 'scenario.yaml'),
    outDir: join(dir, 'reports'),
    target,
    caFile: join(dir, 'ca.pem'),
    serverName,
    workers,
  });

describe('run --server-name', () => {
  it('a name the certificate does not cover makes the target unreachable', async () => {
    const error = await run('not-the-certificate.example', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).exitCode).toBe(ExitCode.TargetUnreachable);
  });

  it('the certificate name connects every client, in worker processes too', async () => {
    const outcome = await run('localhost', 2);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
    expect(outcome.result.counters.connects).toBe(CLIENTS);
  }, 60_000);
});
