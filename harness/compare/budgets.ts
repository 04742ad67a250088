/**
 * Performance budgets: how much worse than the baseline a metric may get before the gate fails.
 *
 * Syntax `<metric>=<change>`: `deliver.p99=+10%` (may rise 10%), `throughput.deliveries=-5%` (may drop 5%),
 * `errors=+0` (may not rise at all), `deliver.p50=+2ms` (absolute, in the metric's unit or with a unit suffix).
 * The sign says which way is worse and must match the metric (latency rises, throughput drops); an unsigned
 * change means "in the worse direction". `%` is always relative to the baseline median.
 *
 * Budgets come, lowest priority first, from DEFAULT_BUDGETS, a `budgets:` section of a YAML file (the scenario,
 * once its schema accepts the section, or a standalone file) and `--budget` flags; a later source replaces an
 * earlier budget of the same metric.
 */
import { parseDocument } from 'yaml';
import { ThresholdSyntaxError } from '../scenario/threshold.js';
import { parseMetricName, METRIC_NAME_RE, type ComparedMetric } from './compared-metrics.js';
import { CompareInputError } from './errors.js';

/** A budget of one metric. */
export interface Budget {
  /** As written, e.g. "deliver.p99=+10%". */
  text: string;
  metric: ComparedMetric;
  /** `relative`: `amount` is a fraction of the baseline median (0.1 = 10%); `absolute`: in the metric's unit. */
  kind: 'relative' | 'absolute';
  /** How much worse the metric may get; never negative (the direction comes from the metric). */
  amount: number;
  /** Where it came from: "default", "--budget", or a file name. */
  source: string;
}

/** A budget that cannot be parsed; the message names the budget, where it came from, and what is expected. */
export class BudgetSyntaxError extends CompareInputError {
  constructor(text: string, source: string, reason: string) {
    super(`budget ${JSON.stringify(text)}${source === '--budget' ? '' : ` (${source})`}: ${reason}`);
    this.name = 'BudgetSyntaxError';
  }
}

/** Budgets applied unless `--no-default-budgets`: tail and median delivery latency, ack tail, throughput, correctness. */
export const DEFAULT_BUDGETS: readonly string[] = [
  'deliver.p50=+10%',
  'deliver.p99=+10%',
  'ack.p99=+10%',
  'throughput.deliveries=-5%',
  'loss=+0',
  'duplicates=+0',
  'errors=+0',
];

const CHANGE_RE = /^([+-])?\s*([0-9]+(?:\.[0-9]+)?)\s*(%|us|µs|ms|s|\/s)?$/;
const LATENCY_UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };
const CHANGE_EXPECTED =
  'a change like "+10%" (relative to the baseline), "+0" or "+2ms" (absolute), "-5%" for throughput';

/**
 * Parses `<metric>=<change>`. `phases` are the phase names `@phase` may use (undefined: any).
 * Throws BudgetSyntaxError.
 */
export function parseBudget(
  text: string,
  options: { phases?: readonly string[]; source?: string } = {},
): Budget {
  const source = options.source ?? '--budget';
  const eq = text.indexOf('=');
  if (eq < 0)
    throw new BudgetSyntaxError(text, source, `expected <metric>=<change>, e.g. "deliver.p99=+10%"`);
  return parseBudgetEntry(text.slice(0, eq).trim(), text.slice(eq + 1).trim(), { ...options, source, text });
}

/** Parses one budget given as metric and change (e.g. a `budgets:` map entry). Throws BudgetSyntaxError. */
export function parseBudgetEntry(
  metricName: string,
  change: string | number,
  options: { phases?: readonly string[]; source?: string; text?: string } = {},
): Budget {
  const source = options.source ?? '--budget';
  const changeText = typeof change === 'number' ? String(change) : change.trim();
  const text = options.text ?? `${metricName}=${changeText}`;
  const fail = (reason: string): never => {
    throw new BudgetSyntaxError(text, source, reason);
  };
  if (metricName === '') fail('the metric name is missing, e.g. "deliver.p99=+10%"');
  if (!METRIC_NAME_RE.test(metricName))
    fail(`"${metricName}" is not a metric name like "deliver.p99", "throughput.deliveries" or "errors"`);
  if (options.phases !== undefined && metricName.includes('@')) {
    const phase = metricName.slice(metricName.indexOf('@') + 1);
    if (!options.phases.includes(phase))
      fail(`unknown phase "${phase}": the runs have ${listOrNone(options.phases)}`);
  }
  let metric: ComparedMetric;
  try {
    metric = parseMetricName(metricName, options.phases);
  } catch (error) {
    if (error instanceof ThresholdSyntaxError) return fail(error.message);
    throw error;
  }
  const match = CHANGE_RE.exec(changeText);
  if (!match) return fail(`bad change ${JSON.stringify(changeText)}: expected ${CHANGE_EXPECTED}`);
  const [, sign, digits, unit] = match as unknown as [string, string | undefined, string, string | undefined];
  let amount = Number(digits);
  const lowerIsBetter = metric.direction === 'lower-is-better';
  if (amount > 0 && sign === (lowerIsBetter ? '-' : '+')) {
    const worse = lowerIsBetter ? 'rises' : 'drops';
    const right = lowerIsBetter ? '+' : '-';
    fail(
      `${metric.name} gets worse when it ${worse}, so its budget is the allowed ${lowerIsBetter ? 'rise' : 'drop'}: ` +
        `write "${metricName}=${right}${digits}${unit ?? ''}"`,
    );
  }
  if (unit === '%') {
    amount /= 100;
    if (!lowerIsBetter && amount > 1) fail(`${metric.name} cannot drop by more than 100%`);
    return { text, metric, kind: 'relative', amount, source };
  }
  if (unit !== undefined) {
    if (metric.unit === 'ms' && unit in LATENCY_UNIT_MS) amount *= LATENCY_UNIT_MS[unit] as number;
    else if (!(metric.unit === '/s' && unit === '/s')) {
      const allowed =
        metric.unit === 'ms' ? 'us, ms or s' : metric.unit === '/s' ? '/s' : 'none (a plain number)';
      fail(
        `unit "${unit}" does not fit ${metric.name} (unit ${metric.unit || 'count'}); allowed: ${allowed} or %`,
      );
    }
  }
  return { text, metric, kind: 'absolute', amount, source };
}

function listOrNone(names: readonly string[]): string {
  return names.length ? `phases ${names.map((n) => `"${n}"`).join(', ')}` : 'no phases';
}

/**
 * Budgets of the `budgets:` section of a YAML document: a map (`deliver.p99: +10%`) or a list of
 * `metric=change` strings. Returns [] when the document has no such section.
 */
export function budgetsFromYaml(text: string, file: string, phases?: readonly string[]): Budget[] {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    throw new CompareInputError(`${file}: not valid YAML (${doc.errors[0]?.message.split('\n')[0]})`);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('budgets' in data)) return [];
  const section = (data as { budgets: unknown }).budgets;
  const options = { source: file, ...(phases === undefined ? {} : { phases }) };
  if (Array.isArray(section)) {
    return section.map((entry, i) => {
      if (typeof entry !== 'string')
        throw new CompareInputError(`${file}: budgets[${i}] must be a string like "deliver.p99=+10%"`);
      return parseBudget(entry, options);
    });
  }
  if (section !== null && typeof section === 'object') {
    return Object.entries(section as Record<string, unknown>).map(([metric, change]) => {
      if (typeof change !== 'string' && typeof change !== 'number')
        throw new CompareInputError(`${file}: budgets.${metric} must be a change like "+10%" or 0`);
      return parseBudgetEntry(metric, change, options);
    });
  }
  throw new CompareInputError(
    `${file}: "budgets" must be a map like {deliver.p99: "+10%"} or a list like ["deliver.p99=+10%"]`,
  );
}

/** Merges budget sources, lowest priority first: a later budget replaces an earlier one of the same metric. */
export function mergeBudgets(...sources: ReadonlyArray<readonly Budget[]>): Budget[] {
  const byMetric = new Map<string, Budget>();
  for (const source of sources) for (const budget of source) byMetric.set(budget.metric.name, budget);
  return [...byMetric.values()];
}

/** The change a budget allows, as written in reports: "+10%", "-5%", "+0", "+2ms". */
export function formatBudget(budget: Budget): string {
  const sign = budget.metric.direction === 'lower-is-better' ? '+' : '-';
  if (budget.kind === 'relative') return `${sign}${Number((budget.amount * 100).toPrecision(6))}%`;
  const unit = budget.metric.unit === 'ms' ? 'ms' : budget.metric.unit === '/s' ? '/s' : '';
  return `${sign}${Number(budget.amount.toPrecision(6))}${unit}`;
}
