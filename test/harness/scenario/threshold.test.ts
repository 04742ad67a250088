import { describe, expect, it } from 'vitest';
import {
  compare,
  formatMetricRef,
  parseThreshold,
  ThresholdSyntaxError,
} from '../../../harness/scenario/threshold.js';

const phases = ['warm-up', 'surge'];

describe('parseThreshold', () => {
  it('parses latency percentiles with durations in ms', () => {
    const t = parseThreshold('deliver.p99 < 250ms', phases);
    expect(t.metric).toEqual({
      kind: 'latency',
      metric: 'deliver',
      stat: { kind: 'percentile', percentile: 99 },
      phase: undefined,
    });
    expect(t.op).toBe('<');
    expect(t.value).toBe(250);
  });

  it.each([
    ['ack.p95 <= 100ms', 95, 100],
    ['deliver.p999 < 1s', 99.9, 1000],
    ['deliver.p9999 < 2s', 99.99, 2000],
    ['deliver.p99_9 < 800us', 99.9, 0.8],
    ['deliver.p99.9 < 3ms', 99.9, 3],
    ['connect.p100 < 1s', 100, 1000],
    ['ack.p50<5ms', 50, 5],
  ])('%s', (expression, percentile, value) => {
    const t = parseThreshold(expression, phases);
    expect(t.metric.kind === 'latency' && t.metric.stat).toEqual({ kind: 'percentile', percentile });
    expect(t.value).toBeCloseTo(value, 9);
  });

  it('parses counters, correctness, ratios and throughput', () => {
    expect(parseThreshold('loss == 0', phases).metric).toEqual({ kind: 'correctness', field: 'loss' });
    expect(parseThreshold('out_of_order == 0', phases).metric).toEqual({
      kind: 'correctness',
      field: 'reorders',
    });
    // Named like the other metrics (snake_case), or as in summary.json.
    for (const name of ['ack_timed_out_deliveries', 'ackTimedOutDeliveries']) {
      const t = parseThreshold(`${name} <= 10`, phases);
      expect(t.metric).toEqual({ kind: 'correctness', field: 'ackTimedOutDeliveries' });
      expect(formatMetricRef(t.metric)).toBe('ack_timed_out_deliveries');
      expect(t.value).toBe(10);
    }
    expect(parseThreshold('errors == 0', phases).metric).toEqual({
      kind: 'counter',
      counter: 'errors',
      phase: undefined,
    });
    const ratio = parseThreshold('loss_rate < 0.1%', phases);
    expect(ratio.metric).toEqual({ kind: 'ratio', ratio: 'loss_rate' });
    expect(ratio.value).toBeCloseTo(0.001, 12);
    const tp = parseThreshold('throughput.deliveries >= 1000/s', phases);
    expect(tp.metric).toEqual({ kind: 'throughput', field: 'deliveries', phase: undefined });
    expect(tp.value).toBe(1000);
    expect(parseThreshold('throughput.sends >= 60/m', phases).value).toBe(1);
    expect(parseThreshold('throughput.sends >= 140', phases).value).toBe(140);
  });

  it('scopes to a phase with @phase', () => {
    const t = parseThreshold('deliver.p99@surge < 300ms', phases);
    expect(t.metric).toMatchObject({ kind: 'latency', phase: 'surge' });
    expect(formatMetricRef(t.metric)).toBe('deliver.p99@surge');
  });

  it.each([
    ['delivr.p99 < 250ms', /unknown metric "delivr.p99" \(did you mean "deliver.p99"\?\)/],
    ['latency < 250ms', /unknown metric "latency"/],
    ['deliver < 250ms', /needs a statistic/],
    ['deliver.p99 < 250', /bad value "250" for deliver.p99: expected a duration/],
    ['deliver.p99 < fast', /expected a duration/],
    ['loss == none', /bad value "none" for loss: expected a number/],
    ['deliver.q99 < 1s', /unknown statistic "q99"/],
    ['deliver.p99 << 1s', /bad value "< 1s" for deliver.p99/],
    ['deliver.p99 250ms', /expected "<metric> <op> <value>"/],
    ['deliver.p99@surj < 1s', /unknown phase "surj" .*did you mean "surge"/],
    ['loss@surge == 0', /whole run only/],
    ['ack_timed_out_deliveries@surge == 0', /whole run only/],
    ['ack_timedout_deliveries == 0', /did you mean "ack_timed_out_deliveries"/],
    ['ack_timed_out_deliveries == some', /bad value "some" for ack_timed_out_deliveries: expected a number/],
    ['throughput.msgs > 5/s', /unknown throughput figure/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseThreshold(expression, phases)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(expression, phases)).toThrow(message);
  });
});

describe('compare', () => {
  it('applies each operator', () => {
    expect([compare(1, '<', 2), compare(2, '<', 2), compare(2, '<=', 2), compare(3, '>', 2)]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect([compare(2, '>=', 3), compare(0, '==', 0), compare(1, '==', 0), compare(1, '!=', 0)]).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});
