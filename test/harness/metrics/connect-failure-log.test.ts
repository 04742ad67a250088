/** ConnectFailureLog: counts by reason, the first examples, and the exact merge of several workers. */
import { describe, expect, it } from 'vitest';
import {
  CONNECT_FAILURE_EXAMPLES,
  ConnectFailureLog,
  mergeConnectFailures,
  totalConnectFailures,
} from '../../../harness/metrics/connect-failure-log.js';

describe('ConnectFailureLog', () => {
  it('counts every failure and keeps the first examples of each reason', () => {
    const log = new ConnectFailureLog();
    for (let i = 0; i < 10; i++) log.record(i, { reason: 'handshake-timeout', detail: `t${i}` }, 1000 + i);
    log.record(42, { reason: 'auth-failed', detail: 'AuthFailed 1003' }, 5);
    const snapshot = log.snapshot();
    expect(log.total).toBe(11);
    expect(snapshot['handshake-timeout']?.count).toBe(10);
    expect(snapshot['handshake-timeout']?.examples.map((e) => e.client)).toEqual([0, 1, 2]);
    expect(snapshot['auth-failed']).toEqual({
      count: 1,
      examples: [{ client: 42, atMs: 5, detail: 'AuthFailed 1003' }],
    });
  });

  it('merges workers: counts summed, the earliest examples across workers kept', () => {
    const a = new ConnectFailureLog();
    const b = new ConnectFailureLog();
    for (let i = 0; i < 4; i++) a.record(2 * i, { reason: 'refused', detail: 'a' }, 100 + 10 * i);
    for (let i = 0; i < 4; i++) b.record(2 * i + 1, { reason: 'refused', detail: 'b' }, 105 + 10 * i);
    b.record(9, { reason: 'tls', detail: 'alert' }, 1);
    const merged = mergeConnectFailures([a.snapshot(), b.snapshot()]);
    expect(totalConnectFailures(merged)).toBe(9);
    expect(merged.refused?.count).toBe(8);
    expect(merged.refused?.examples.map((e) => e.client)).toEqual(
      [0, 1, 2].slice(0, CONNECT_FAILURE_EXAMPLES),
    );
    expect(merged.tls?.count).toBe(1);
  });
});
