/** The end-of-run console summary: plain-text tables (cli-table3) read from a RunResult. */
import Table from 'cli-table3';
import { LATENCY_METRICS } from '../metrics/metric-names.js';
import type { RunResult } from '../metrics/run-result.js';
import { formatCount, formatMs, formatOffset, formatRate, formatThresholdValue } from './format.js';
import { correctnessCells, correctnessHead } from './correctness-columns.js';
import { drainFactLine } from './drain-facts.js';
import { fleetFactLines } from './fleet-facts.js';
import { segmentFactLines } from './segment-facts.js';

const plain = { head: [] as string[], border: [] as string[], compact: true };

/** Formats the whole summary (several tables) as text for the terminal. No colours: callers may add them. */
export function formatSummaryTable(result: RunResult): string {
  const sections: string[] = [];
  sections.push(
    `${result.scenario.name} against ${result.target}: ${result.verdict?.status === 'INCONCLUSIVE' ? 'INCONCLUSIVE' : result.passed ? 'PASSED' : 'FAILED'} ` +
      `(${(result.durationMs / 1000).toFixed(1)}s, ${result.workers} worker${result.workers === 1 ? '' : 's'})`,
  );

  const latency = new Table({
    head: ['latency', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
    style: plain,
  });
  for (const metric of LATENCY_METRICS) {
    const s = result.latency[metric];
    if (s.count === 0) continue;
    latency.push([
      metric,
      formatCount(s.count),
      formatMs(s.p50),
      formatMs(s.p90),
      formatMs(s.p99),
      formatMs(s.p999),
      formatMs(s.max),
    ]);
  }
  sections.push(latency.toString());

  const c = result.counters;
  const t = result.throughput;
  const traffic = new Table({ head: ['traffic', 'total', 'rate'], style: plain });
  traffic.push(
    ['sent', formatCount(c.sent), formatRate(t.sends)],
    ['acked', formatCount(c.acked), formatRate(t.acks)],
    ['delivered', formatCount(c.delivered), formatRate(t.deliveries)],
    ['connects / failures', `${formatCount(c.connects)} / ${formatCount(c.connect_failures)}`, ''],
  );
  // Rows of optional behaviour only when it happened, so the usual table stays short.
  if (c.disconnects > 0 || c.drop_reconnects > 0)
    traffic.push([
      'dropped / reconnected',
      `${formatCount(c.disconnects)} / ${formatCount(c.drop_reconnects)}`,
      '',
    ]);
  if (c.receipts_delivered > 0 || c.receipts_read > 0)
    traffic.push([
      'receipts delivered / read',
      `${formatCount(c.receipts_delivered)} / ${formatCount(c.receipts_read)}`,
      '',
    ]);
  traffic.push([
    'errors',
    formatCount(c.errors),
    Object.entries(result.errorsByCode)
      .map(([code, n]) => `${code}: ${n}`)
      .join(', '),
  ]);
  sections.push(traffic.toString());

  const d = result.correctness.total;
  const correctness = new Table({ head: correctnessHead(false), style: plain });
  correctness.push(correctnessCells(d, false));
  sections.push(correctness.toString());
  const drain = drainFactLine(result);
  if (drain !== null) sections.push(drain);

  if (result.events.length) {
    const events = new Table({ head: ['event', 'room', 'at', 'phase', 'reaction'], style: plain });
    for (const e of result.events) {
      events.push([
        e.type,
        e.room ?? String(e.roomId),
        formatOffset(e.offsetMs),
        e.phase ?? '-',
        formatMs(e.reactionMs),
      ]);
    }
    sections.push(events.toString());
  }

  if (result.thresholds.length || result.expectations.length) {
    const checks = new Table({ head: ['check', 'actual', 'result'], style: plain });
    for (const th of result.thresholds) {
      checks.push([
        th.expression,
        formatThresholdValue(th.actual, th.unit) + (th.note ? ` (${th.note})` : ''),
        th.passed ? 'PASS' : 'FAIL',
      ]);
    }
    for (const ex of result.expectations) checks.push([ex.text, ex.actual, ex.passed ? 'PASS' : 'FAIL']);
    sections.push(checks.toString());
  }

  sections.push(
    `harness scheduling lag: p99 ${formatMs(result.schedulingLag.p99)}, max ${formatMs(result.schedulingLag.max)}`,
  );
  sections.push(...segmentFactLines(result));
  sections.push(...fleetFactLines(result));
  return sections.join('\n');
}
