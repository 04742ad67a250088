import { describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../../../harness/metrics/threshold-evaluation.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { parseThreshold } from '../../../harness/scenario/threshold.js';
import { syntheticRun } from '../compare/synthetic-runs.js';

function evaluate(expression: string, result: RunResult) {
  const [evaluated] = evaluateThresholds([parseThreshold(expression, [])], result);
  return evaluated!;
}

describe('evaluateThresholds on correctness figures', () => {
  it('judges deliveries of ack-timed-out messages (ack_timed_out_deliveries)', () => {
    const result = syntheticRun({ seed: 3 });
    result.correctness.total.ackTimedOutDeliveries = 4;
    result.correctness.total.unexpected = 0;
    expect(evaluate('ack_timed_out_deliveries == 0', result)).toMatchObject({
      metric: 'ack_timed_out_deliveries',
      actual: 4,
      expected: 0,
      passed: false,
      note: null,
    });
    expect(evaluate('ackTimedOutDeliveries <= 4', result)).toMatchObject({ actual: 4, passed: true });
    expect(evaluate('unexpected == 0', result)).toMatchObject({ actual: 0, passed: true });
  });

  it('says a figure a result of an older version lacks is not in it, and fails the check', () => {
    const result = syntheticRun({ seed: 3 });
    delete (result.correctness.total as Partial<RunResult['correctness']['total']>).ackTimedOutDeliveries;
    expect(evaluate('ack_timed_out_deliveries == 0', result)).toMatchObject({
      actual: null,
      passed: false,
      note: 'not in this result (written by an older version)',
    });
  });
});
