/**
 * Threshold expressions of the scenario language, e.g. `deliver.p99 < 250ms`, `loss == 0`,
 * `throughput.deliveries >= 1000/s`, `ack.p95@surge <= 100ms`.
 *
 * Grammar: `<metric>[@<phase>] <op> <value>` with op one of `< <= > >= == !=`.
 * - latency: `<deliver|ack|connect|handshake|upload|schedule_lag|promotion|demotion>.<stat>`, stat one of
 *   `min mean max stddev` or a percentile `p50 p90 p99 p999 (=99.9) p9999 (=99.99) p99_9 p99.9 p100`;
 *   value is a duration ("250ms", "1s", "800us").
 * - counters: `sent acked delivered errors connect_failures ...` (see COUNTERS); value is a number.
 * - correctness (whole run only): `loss duplicates reorders (alias out_of_order) late unexpected expected seen
 *   ack_timed_out_deliveries` (alias ackTimedOutDeliveries, its summary.json name: deliveries of messages whose
 *   MessageAck timed out, recognised by nonce).
 * - ratios (whole run only): `loss_rate error_rate`; value is a fraction (0.001) or a percentage ("0.1%").
 * - throughput: `throughput.<sends|acks|deliveries>`; value is a rate (1000 or "1000/s").
 * `@<phase>` restricts latency, counter and throughput metrics to one phase.
 */
import {
  CORRECTNESS_FIELDS,
  COUNTERS,
  LATENCY_METRICS,
  RATIO_FIELDS,
  THROUGHPUT_FIELDS,
  type CorrectnessField,
  type CounterName,
  type LatencyMetric,
  type RatioField,
  type ThroughputField,
} from '../metrics/metric-names.js';
import {
  DURATION_EXPECTED,
  parseDuration,
  parseRate,
  QuantitySyntaxError,
  RATE_EXPECTED,
} from './quantities.js';
import { closestName } from './suggest.js';

/** Comparison operator of a threshold. */
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Statistic of a latency histogram: a percentile (0..100) or min/mean/max/stddev. */
export type LatencyStat =
  | { kind: 'percentile'; percentile: number }
  | { kind: 'min' }
  | { kind: 'mean' }
  | { kind: 'max' }
  | { kind: 'stddev' };

/** What a threshold measures. Values are in canonical units: ms for latency, per second for throughput, fraction for ratios. */
export type MetricRef =
  | { kind: 'latency'; metric: LatencyMetric; stat: LatencyStat; phase: string | undefined }
  | { kind: 'counter'; counter: CounterName; phase: string | undefined }
  | { kind: 'throughput'; field: ThroughputField; phase: string | undefined }
  | { kind: 'correctness'; field: CorrectnessField }
  | { kind: 'ratio'; ratio: RatioField };

/** A parsed threshold. `value` is in the metric's canonical unit. */
export interface Threshold {
  /** The expression as written. */
  expression: string;
  metric: MetricRef;
  op: ComparisonOp;
  value: number;
}

/** Thrown for a malformed or unknown threshold expression. */
export class ThresholdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
  }
}

const EXPRESSION_RE =
  /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_.]+)?)(?:@([^\s<>=!]+))?\s*(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$/;
/** Threshold names of the correctness figures whose summary.json name is not snake_case like the other metrics. */
const CORRECTNESS_NAMES: Partial<Record<CorrectnessField, string>> = {
  ackTimedOutDeliveries: 'ack_timed_out_deliveries',
};
const CORRECTNESS_ALIASES: Record<string, CorrectnessField> = {
  out_of_order: 'reorders',
  ack_timed_out_deliveries: 'ackTimedOutDeliveries',
};

/** The name a threshold uses for a correctness figure (e.g. `ack_timed_out_deliveries`). */
function correctnessName(field: CorrectnessField): string {
  return CORRECTNESS_NAMES[field] ?? field;
}

/** Every metric name a threshold accepts, for error messages and documentation. */
export function thresholdMetricNames(): string[] {
  return [
    ...LATENCY_METRICS.map((m) => `${m}.<p50|p90|p99|p999|min|mean|max|stddev>`),
    ...THROUGHPUT_FIELDS.map((f) => `throughput.${f}`),
    ...COUNTERS,
    ...CORRECTNESS_FIELDS.map(correctnessName),
    ...RATIO_FIELDS,
  ];
}

/** Parses one threshold expression; `phases` are the scenario's phase names (for `@phase`). */
export function parseThreshold(expression: string, phases: readonly string[]): Threshold {
  const match = EXPRESSION_RE.exec(expression);
  if (!match) {
    throw new ThresholdSyntaxError(
      `expected "<metric> <op> <value>" with op one of < <= > >= == != (e.g. "deliver.p99 < 250ms"), got ${JSON.stringify(expression)}`,
    );
  }
  const [, name, phase, op, valueText] = match as unknown as [
    string,
    string,
    string | undefined,
    ComparisonOp,
    string,
  ];
  if (phase !== undefined && !phases.includes(phase)) {
    const hint = closestName(phase, phases);
    throw new ThresholdSyntaxError(
      `unknown phase "${phase}" in ${JSON.stringify(expression)}${hint ? ` (did you mean "${hint}"?)` : ''}; phases: ${phases.join(', ')}`,
    );
  }
  const metric = parseMetric(name, phase);
  return { expression, metric, op, value: parseValue(metric, valueText) };
}

function parseMetric(name: string, phase: string | undefined): MetricRef {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const tail = dot < 0 ? undefined : name.slice(dot + 1);
  if ((LATENCY_METRICS as readonly string[]).includes(head)) {
    if (tail === undefined) {
      throw new ThresholdSyntaxError(
        `latency metric "${head}" needs a statistic, e.g. "${head}.p99" or "${head}.max"`,
      );
    }
    return { kind: 'latency', metric: head as LatencyMetric, stat: parseStat(head, tail), phase };
  }
  if (head === 'throughput') {
    if (tail === undefined || !(THROUGHPUT_FIELDS as readonly string[]).includes(tail)) {
      throw new ThresholdSyntaxError(
        `unknown throughput figure "${name}": expected one of ${THROUGHPUT_FIELDS.map((f) => `throughput.${f}`).join(', ')}`,
      );
    }
    return { kind: 'throughput', field: tail as ThroughputField, phase };
  }
  if (tail === undefined) {
    if ((COUNTERS as readonly string[]).includes(name))
      return { kind: 'counter', counter: name as CounterName, phase };
    const correctness = CORRECTNESS_ALIASES[name] ?? name;
    if ((CORRECTNESS_FIELDS as readonly string[]).includes(correctness)) {
      if (phase !== undefined)
        throw new ThresholdSyntaxError(`"${name}" is measured for the whole run only; drop "@${phase}"`);
      return { kind: 'correctness', field: correctness as CorrectnessField };
    }
    if ((RATIO_FIELDS as readonly string[]).includes(name)) {
      if (phase !== undefined)
        throw new ThresholdSyntaxError(`"${name}" is measured for the whole run only; drop "@${phase}"`);
      return { kind: 'ratio', ratio: name as RatioField };
    }
  }
  const known = [
    ...LATENCY_METRICS.map((m) => `${m}.p99`),
    ...THROUGHPUT_FIELDS.map((f) => `throughput.${f}`),
    ...COUNTERS,
    ...CORRECTNESS_FIELDS.map(correctnessName),
    ...Object.keys(CORRECTNESS_ALIASES),
    ...RATIO_FIELDS,
  ];
  const hint = closestName(name, known);
  throw new ThresholdSyntaxError(
    `unknown metric "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known metrics: ${thresholdMetricNames().join(', ')}`,
  );
}

function parseStat(metric: string, stat: string): LatencyStat {
  if (stat === 'min' || stat === 'mean' || stat === 'max' || stat === 'stddev') return { kind: stat };
  const percentile = /^p([0-9]+(?:[._][0-9]+)?)$/.exec(stat);
  if (percentile) {
    const digits = (percentile[1] as string).replace('_', '.');
    let value: number;
    if (digits.includes('.') || digits.length <= 2 || digits === '100') value = Number(digits);
    else value = Number(`${digits.slice(0, 2)}.${digits.slice(2)}`); // HdrHistogram style: p999 = 99.9
    if (value >= 0 && value <= 100) return { kind: 'percentile', percentile: value };
  }
  throw new ThresholdSyntaxError(
    `unknown statistic "${stat}" for "${metric}": expected a percentile (p50, p90, p99, p999, p99_9) or min, mean, max, stddev`,
  );
}

function parseValue(metric: MetricRef, text: string): number {
  try {
    switch (metric.kind) {
      case 'latency':
        return parseDuration(text);
      case 'throughput':
        return parseRate(/^[0-9.]+$/.test(text) ? Number(text) : text);
      case 'counter':
      case 'correctness':
        return parsePlainNumber(text, 'a number, e.g. 0 or 1000');
      case 'ratio': {
        if (text.endsWith('%'))
          return parsePlainNumber(text.slice(0, -1).trim(), 'a fraction or a percentage') / 100;
        return parsePlainNumber(text, 'a fraction like 0.001 or a percentage like "0.1%"');
      }
    }
  } catch (error) {
    if (!(error instanceof QuantitySyntaxError)) throw error;
    const what =
      metric.kind === 'latency'
        ? DURATION_EXPECTED
        : metric.kind === 'throughput'
          ? RATE_EXPECTED
          : error.expected;
    throw new ThresholdSyntaxError(
      `bad value ${JSON.stringify(text)} for ${formatMetricRef(metric)}: expected ${what}`,
    );
  }
}

function parsePlainNumber(text: string, expected: string): number {
  if (!/^[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$/i.test(text)) throw new QuantitySyntaxError(expected, text);
  return Number(text);
}

/** Canonical text of a metric reference, e.g. "deliver.p99@surge". */
export function formatMetricRef(metric: MetricRef): string {
  switch (metric.kind) {
    case 'latency': {
      const stat = metric.stat.kind === 'percentile' ? `p${metric.stat.percentile}` : metric.stat.kind;
      return `${metric.metric}.${stat}${metric.phase ? `@${metric.phase}` : ''}`;
    }
    case 'counter':
      return `${metric.counter}${metric.phase ? `@${metric.phase}` : ''}`;
    case 'throughput':
      return `throughput.${metric.field}${metric.phase ? `@${metric.phase}` : ''}`;
    case 'correctness':
      return correctnessName(metric.field);
    case 'ratio':
      return metric.ratio;
  }
}

/** Unit of a metric's canonical value: "ms", "/s", "" (count) or "ratio". */
export function metricUnit(metric: MetricRef): 'ms' | '/s' | '' | 'ratio' {
  switch (metric.kind) {
    case 'latency':
      return 'ms';
    case 'throughput':
      return '/s';
    case 'ratio':
      return 'ratio';
    default:
      return '';
  }
}

/** Applies a comparison operator. */
export function compare(actual: number, op: ComparisonOp, expected: number): boolean {
  switch (op) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}
