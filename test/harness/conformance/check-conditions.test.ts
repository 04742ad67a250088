/**
 * A check that fails while the harness stalls (the embedded server shares its event loop) is run once more and the
 * second verdict stands; a failure without a stall is final at once; every failure names the harness's conditions.
 */
import { describe, expect, it } from 'vitest';
import { fail, type ConformanceCheck } from '../../../harness/conformance/check.js';
import { DEFAULT_HOT_ROOM_PARAMS, SuiteEnvironment } from '../../../harness/conformance/suite-environment.js';
import { runCheck } from '../../../harness/conformance/suite-runner.js';
import type { ProbeTarget } from '../../../harness/conformance/probe-connection.js';
import type { EndpointStats, QuicEndpoint } from '../../../transport/index.js';

/** Packet counters that the test moves by hand: the meter reads only `stats()`. */
const counters: EndpointStats = {
  packetsReceived: 0,
  packetsSent: 0,
  bytesReceived: 0,
  bytesSent: 0,
  packetsDropped: 0,
  connectionsRefused: 0,
  retriesSent: 0,
  versionNegotiationsSent: 0,
};

const target: ProbeTarget = {
  endpoint: { stats: () => ({ ...counters }) } as unknown as QuicEndpoint,
  host: '127.0.0.1',
  port: 1,
  label: 'no server',
  clientOptions: () => ({}),
};

const environment = (): SuiteEnvironment =>
  new SuiteEnvironment(
    target,
    { timeoutMs: 3000, settleMs: 100, alpn: 'chat', seed: 1, hostileRuns: 1 },
    { numShards: 8, hot: DEFAULT_HOT_ROOM_PARAMS },
  );

/** Blocks the event loop for `ms`, as a starved or stalled harness would be. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else in this process runs meanwhile
  }
}

/** Lets the event-loop monitor sample the stall (it measures between turns of the loop). */
const nextTurns = () => new Promise((resolve) => setTimeout(resolve, 60));

function check(run: (attempt: number) => Promise<void>): ConformanceCheck & { attempts: number } {
  const c = {
    id: '6.1/test',
    title: 'a test check',
    rules: ['6.1'],
    attempts: 0,
    run: async () => {
      c.attempts += 1;
      await run(c.attempts);
    },
  };
  return c;
}

describe('runCheck under harness stalls', () => {
  it('runs a check that failed during a stall once more; the second verdict stands, with a warning', async () => {
    const c = check(async (attempt) => {
      if (attempt === 1) {
        await nextTurns();
        stall(1200);
        await nextTurns();
        fail('HelloAck within 3000 ms', 'nothing');
      }
    });
    const result = await runCheck(environment(), c);
    expect(c.attempts).toBe(2);
    expect(result.status).toBe('pass');
    expect(result.warnings[0]).toMatch(/^run twice: the first attempt failed while the harness stalled/);
    expect(result.warnings[0]).toMatch(
      /expected HelloAck within 3000 ms; saw nothing; harness during the check/,
    );
  });

  it('keeps a failure that happens again after the stall', async () => {
    const c = check(async (attempt) => {
      await nextTurns();
      if (attempt === 1) stall(1200);
      await nextTurns();
      fail('AuthOk', 'Error 1003');
    });
    const result = await runCheck(environment(), c);
    expect(c.attempts).toBe(2);
    expect(result.status).toBe('fail');
    expect(result.actual).toBe('Error 1003');
    expect(result.harness).toMatch(/^harness during the check: event loop late by up to \d+ ms/);
  });

  it('does not rerun a failure without a stall, and names the probe packets it saw', async () => {
    const c = check(async () => {
      counters.packetsSent += 3;
      counters.packetsReceived += 2;
      await nextTurns();
      fail('Pong', 'nothing');
    });
    const result = await runCheck(environment(), c);
    expect(c.attempts).toBe(1);
    expect(result.status).toBe('fail');
    expect(result.actual).toBe('nothing');
    expect(result.harness).toMatch(/probe packets sent 3, received 2$/);
    expect(result.warnings).toEqual([]);
  });
});
