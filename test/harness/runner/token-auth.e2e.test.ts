/**
 * Simulated clients that log in with JWTs (`clients.auth: {method: token}`) against the embedded server, which
 * is started with the same secret; a missing secret variable is a scenario error naming the field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimClient } from '../../../harness/client/sim-client.js';
import { ExitCode } from '../../../harness/exit-codes.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { parseScenario } from '../../../harness/scenario/load.js';

const scenario = (auth: string) => `
name: token-e2e
seed: 9
clients: { count: 6, connect_rate: 200, username: "jwt-{i}", auth: ${auth} }
rooms:
  - { name: room, id: 600, members: all }
message_size: { fixed: 30 }
phases:
  - { name: chat, duration: 1s, rate: { per_room: 6 } }
correctness: { grace: 500ms }
thresholds:
  - loss == 0
  - connect_failures == 0
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-token-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clients.auth method token', () => {
  it('logs every client in with its own JWT and runs the scenario', async () => {
    process.env.GAROU_TEST_TOKEN_SECRET = 'e2e-secret';
    const file = join(dir, 'token.yaml');
    await writeFile(file, scenario('{ method: token, secret_env: GAROU_TEST_TOKEN_SECRET, ttl: 10m }'));
    // The clients run in this process (one worker): record what each sends as Auth credentials.
    const sent: Array<string | null> = [];
    const proto = SimClient.prototype as unknown as { sendAuth(this: SimClient): void };
    const sendAuth = proto.sendAuth;
    const spy = vi.spyOn(proto, 'sendAuth').mockImplementation(function (this: SimClient) {
      sent.push(this.authToken);
      sendAuth.call(this);
    });
    const outcome = await runScenario({ scenarioFile: file, outDir: join(dir, 'reports'), progress: null });
    spy.mockRestore();
    expect(sent).toHaveLength(6);
    for (const token of sent) expect(token?.split('.')).toHaveLength(3);
    expect(new Set(sent).size).toBe(6);
    expect(outcome.result.counters.connects).toBe(6);
    expect(outcome.result.counters.connect_failures).toBe(0);
    expect(outcome.result.counters.delivered).toBeGreaterThan(0);
    expect(outcome.exitCode).toBe(ExitCode.Ok);
  }, 60_000);

  it('reports a missing secret variable at its field', () => {
    delete process.env.GAROU_TEST_TOKEN_MISSING;
    expect(() =>
      parseScenario(scenario('{ method: token, secret_env: GAROU_TEST_TOKEN_MISSING }'), 's.yaml'),
    ).toThrow(/clients\.auth\.secret_env.*GAROU_TEST_TOKEN_MISSING is not set/s);
    expect(() => parseScenario(scenario('{ method: token }'), 's.yaml')).toThrow(
      /needs secret or secret_env/,
    );
  });
});
