/** The evidence and verdict sections of report.html and the text of `garou-bench explain`, on the sample run. */
import { describe, expect, it } from 'vitest';
import { AnomalyExamples } from '../../../harness/metrics/anomaly-examples.js';
import { anomalySectionHtml } from '../../../harness/report/anomaly-section.js';
import { explainResult } from '../../../harness/report/explain-text.js';
import { verdictSectionHtml } from '../../../harness/report/verdict-section.js';
import { sampleRun } from '../metrics/sample-run.js';

/** The sample run with one lost pair and its example (as the tracker records it, relative to the run start). */
function runWithLoss() {
  const { result } = sampleRun();
  result.correctness.total.loss = 1;
  const examples = new AnomalyExamples();
  examples.record('loss', {
    roomId: 5000,
    messageId: 42,
    sender: 1,
    recipient: 3,
    sentAt: 2500,
    ackedAt: 2510,
    membership: [{ from: 100, to: Infinity, certainFrom: 120, certainTo: Infinity }],
  });
  (result.anomalies as NonNullable<typeof result.anomalies>).examples = examples.list();
  return result;
}

describe('anomaly evidence in the reports', () => {
  const result = runWithLoss();

  it('report.html lists every counted kind with a table of examples, usernames and times since the start', () => {
    const html = anomalySectionHtml(result);
    const first = result.anomalies?.examples[0];
    expect(html).toContain(`<h3>${first?.kind}:`);
    expect(html).toContain(`#${first?.messageId}`);
    expect(html).toContain('<td>viral (5000)</td><td>#42</td>');
    expect(html).toContain('<td>+2.500s</td><td>+2.510s</td><td>-</td>');
    expect(html).toContain('+0.100s..open (certain +0.120s..open)');
  });

  it('explain prints the verdict and the same examples as text', () => {
    const text = explainResult(result);
    expect(text.split('\n')[0]).toMatch(/^sample-run against .*: (PASS|FAIL|INCONCLUSIVE)$/);
    expect(text).toContain(`#${result.anomalies?.examples[0]?.messageId}`);
    expect(text).toMatch(/membership\s+\+/);
  });

  it('the verdict section shows the status', () => {
    expect(verdictSectionHtml(result)).toContain(`<h2>Verdict: ${result.verdict?.status}</h2>`);
  });
});
