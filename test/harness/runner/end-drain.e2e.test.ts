/**
 * Verdict honesty at the end of a run, on loopback against faulted reference servers:
 * - a server with a backlog (`late-fanout`: every RoomMessage leaves 2 s late, with a 1-s grace): the run keeps
 *   waiting after the grace while the missing deliveries still arrive, so they count as late, not lost; past
 *   `correctness.max_drain` what is still missing is lost;
 * - a server that never acks (`no-message-ack`): the deliveries of those messages are deliveries of ack-timed-out
 *   messages, not "unexpected" ones, across two worker processes (the timeouts are relayed).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { formatSummaryTable } from '../../../harness/report/console-summary.js';
import { startTestServer, type TestServer } from '../conformance/conformance-server.js';

let dir: string;
let server: TestServer | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-end-drain-e2e-'));
});

afterEach(async () => {
  await server?.stop();
  server = null;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCENARIO = (correctness: string, duration = '3s'): string => `
name: end-drain-e2e
seed: 12
clients: { count: 6, connect_rate: 300, username: "ed-{i}" }
rooms:
  - { name: room, id: 900, members: all }
message_size: { fixed: 40 }
# A send every 125 ms, so that the last ones surely fall after the cap in the max_drain test.
arrival: constant
phases:
  - { name: chat, duration: ${duration}, rate: { per_room: 8 } }
correctness: ${correctness}
`;

async function run(name: string, text: string, workers = 1) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  const notes: string[] = [];
  const outcome = await runScenario({
    scenarioFile: file,
    outDir: join(dir, 'reports'),
    target: `127.0.0.1:${(server as TestServer).address.port}`,
    workers,
    progress: null,
    log: (line) => notes.push(line),
  });
  return { result: outcome.result, notes };
}

describe('the wait after the last phase', () => {
  it('waits past the grace while missing deliveries still arrive: they are late, not lost', async () => {
    server = await startTestServer(['late-fanout']);
    const { result, notes } = await run('backlog', SCENARIO('{ grace: 1s }'));
    const total = result.correctness.total;
    expect(total.expected).toBeGreaterThan(50);
    // Every delivery left 2 s late: missing after its 1-s grace (as far as the 1-s housekeeping saw), then arrived.
    expect(total.loss).toBe(0);
    expect(total.seen).toBe(total.expected);
    expect(total.late).toBeGreaterThan(total.expected / 2);
    const drain = result.drain;
    expect(drain).toMatchObject({ extended: true, ended: 'nothing-missing', missingAtEnd: 0, graceMs: 1000 });
    // Default max_drain: 4 grace periods.
    expect(drain?.maxMs).toBe(4000);
    expect(drain?.waitedMs).toBeGreaterThan(1000);
    expect(drain?.waitedMs).toBeLessThanOrEqual(4000 + 100);
    expect(drain?.lateAfterGrace).toBeGreaterThan(0);
    expect(notes.join('\n')).toMatch(
      /grace over: \d+ expected deliveries still missing, and still arriving late/,
    );
    expect(formatSummaryTable(result)).toMatch(
      /drain: waited \d+\.\d s after the last phase .*stopped when none/,
    );
  }, 30_000);

  it('stops at correctness.max_drain: what has not arrived by then is lost', async () => {
    server = await startTestServer(['late-fanout']);
    const { result } = await run('capped', SCENARIO('{ grace: 1s, max_drain: 1500ms }'));
    const total = result.correctness.total;
    // Sent in the last ~0.5 s of the phase: due 2 s later, after the cap (1.5 s after the phase).
    expect(total.loss).toBeGreaterThan(0);
    expect(total.late).toBeGreaterThan(0);
    expect(total.seen + total.loss).toBe(total.expected);
    expect(result.drain).toMatchObject({ extended: true, ended: 'max-reached', maxMs: 1500 });
    expect(result.drain?.missingAtEnd).toBeGreaterThan(0);
    expect(formatSummaryTable(result)).toMatch(/stopped at correctness\.max_drain \(1\.5 s\)/);
  }, 30_000);

  it('does not wait past the grace for deliveries that never come (a server that drops)', async () => {
    server = await startTestServer(['no-sender-echo']);
    const { result } = await run('dropping', SCENARIO('{ grace: 1s }', '2s'));
    expect(result.correctness.total.loss).toBeGreaterThan(0);
    expect(result.drain).toMatchObject({ extended: false, ended: 'no-late-arrivals' });
    expect(result.drain?.waitedMs).toBeLessThan(1500);
  }, 30_000);
});

describe('deliveries of messages whose MessageAck never came', () => {
  it('count as such, not as unexpected, in every worker', async () => {
    server = await startTestServer(['no-message-ack']);
    const { result } = await run('no-acks', SCENARIO('{ grace: 1s }', '2s'), 2);
    const { counters, correctness, errorsByCode } = result;
    expect(counters.acked).toBe(0);
    expect(counters.sent).toBeGreaterThan(5);
    expect(errorsByCode.ack_timeout).toBe(counters.sent);
    expect(counters.delivered).toBeGreaterThan(30);
    expect(correctness.total.unexpected).toBe(0);
    expect(correctness.total.ackTimedOutDeliveries).toBe(counters.delivered);
    expect(correctness.rooms.find((r) => r.roomId === 900)?.ackTimedOutDeliveries).toBe(counters.delivered);
    expect(result.anomalies?.examples.filter((e) => e.kind === 'unexpected')).toEqual([]);
    expect(formatSummaryTable(result)).toMatch(/of ack t\/o/);
  }, 45_000);
});
