import { describe, expect, it } from 'vitest';
import {
  BudgetSyntaxError,
  budgetsFromYaml,
  DEFAULT_BUDGETS,
  formatBudget,
  mergeBudgets,
  parseBudget,
} from '../../../harness/compare/budgets.js';
import { CompareInputError } from '../../../harness/compare/errors.js';

describe('parseBudget', () => {
  it('reads relative budgets in the worse direction of each metric', () => {
    const p99 = parseBudget('deliver.p99=+10%');
    expect(p99).toMatchObject({ kind: 'relative', amount: 0.1, source: '--budget' });
    expect(p99.metric).toMatchObject({ name: 'deliver.p99', direction: 'lower-is-better', unit: 'ms' });
    const throughput = parseBudget('throughput.deliveries=-5%');
    expect(throughput).toMatchObject({ kind: 'relative', amount: 0.05 });
    expect(throughput.metric.direction).toBe('higher-is-better');
  });

  it('reads absolute budgets, with units for latency', () => {
    expect(parseBudget('errors=+0')).toMatchObject({ kind: 'absolute', amount: 0 });
    expect(parseBudget('deliver.p50=+2ms')).toMatchObject({ kind: 'absolute', amount: 2 });
    expect(parseBudget('deliver.p50=+500us').amount).toBeCloseTo(0.5, 12);
    expect(parseBudget('ack.max=+1s').amount).toBe(1000);
    expect(parseBudget('throughput.sends=-10/s')).toMatchObject({ kind: 'absolute', amount: 10 });
    expect(parseBudget('loss_rate=+0.001')).toMatchObject({ kind: 'absolute', amount: 0.001 });
  });

  it('takes an unsigned change as the worse direction', () => {
    expect(parseBudget('deliver.p99 = 15%')).toMatchObject({ kind: 'relative', amount: 0.15 });
    expect(parseBudget('throughput.acks=5%')).toMatchObject({ kind: 'relative', amount: 0.05 });
  });

  it('names metrics canonically, including percentile aliases and phases', () => {
    expect(parseBudget('deliver.p999=+20%').metric.name).toBe('deliver.p99.9');
    expect(parseBudget('ack.p99@steady=+10%', { phases: ['steady'] }).metric.name).toBe('ack.p99@steady');
    expect(parseBudget('out_of_order=+0').metric.name).toBe('reorders');
  });

  it('rejects a budget in the wrong direction, saying how to write it', () => {
    expect(() => parseBudget('deliver.p99=-10%')).toThrow(
      'budget "deliver.p99=-10%": deliver.p99 gets worse when it rises, so its budget is the allowed rise: write "deliver.p99=+10%"',
    );
    expect(() => parseBudget('throughput.deliveries=+5%')).toThrow(/write "throughput.deliveries=-5%"/);
  });

  it('rejects unknown metrics with a suggestion', () => {
    expect(() => parseBudget('delivr.p99=+10%')).toThrow(
      /unknown metric "delivr.p99" \(did you mean "deliver.p99"\?\)/,
    );
    expect(() => parseBudget('deliver.p99x=+10%')).toThrow(/unknown statistic "p99x"/);
    expect(() => parseBudget('deliver=+10%')).toThrow(/needs a statistic/);
  });

  it('rejects malformed budgets with what is expected', () => {
    expect(() => parseBudget('deliver.p99')).toThrow(/expected <metric>=<change>/);
    expect(() => parseBudget('=+10%')).toThrow(/metric name is missing/);
    expect(() => parseBudget('deliver.p99=ten percent')).toThrow(
      /bad change "ten percent": expected a change like "\+10%"/,
    );
    expect(() => parseBudget('errors=+5ms')).toThrow(/unit "ms" does not fit errors/);
    expect(() => parseBudget('throughput.sends=-150%')).toThrow(/cannot drop by more than 100%/);
    expect(() => parseBudget('deliver p99=+1%')).toThrow(/is not a metric name/);
  });

  it('rejects unknown phases, listing the phases of the runs', () => {
    expect(() => parseBudget('deliver.p99@surge=+10%', { phases: ['steady', 'ramp'] })).toThrow(
      'budget "deliver.p99@surge=+10%": unknown phase "surge": the runs have phases "steady", "ramp"',
    );
    expect(() => parseBudget('loss@steady=+0', { phases: ['steady'] })).toThrow(/whole run only/);
  });

  it('throws typed errors (exit code 2) naming the source', () => {
    const error = (() => {
      try {
        parseBudget('nope=+1%', { source: 'budgets.yaml' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(BudgetSyntaxError);
    expect(error).toBeInstanceOf(CompareInputError);
    expect((error as Error).message).toMatch(/^budget "nope=\+1%" \(budgets\.yaml\): unknown metric/);
  });

  it('parses every default budget', () => {
    for (const text of DEFAULT_BUDGETS) expect(() => parseBudget(text)).not.toThrow();
  });
});

describe('budget sources', () => {
  it('reads a budgets: map, including YAML numbers', () => {
    const budgets = budgetsFromYaml(
      'name: x\nbudgets:\n  deliver.p99: +10%\n  errors: 0\n  throughput.deliveries: "-5%"\n',
      'x.yaml',
    );
    expect(budgets.map((b) => [b.metric.name, b.kind, b.amount, b.source])).toEqual([
      ['deliver.p99', 'relative', 0.1, 'x.yaml'],
      ['errors', 'absolute', 0, 'x.yaml'],
      ['throughput.deliveries', 'relative', 0.05, 'x.yaml'],
    ]);
  });

  it('reads a budgets: list, and nothing from a file without the section', () => {
    expect(budgetsFromYaml('budgets:\n  - deliver.p50=+5%\n', 'y.yaml').map((b) => b.text)).toEqual([
      'deliver.p50=+5%',
    ]);
    expect(budgetsFromYaml('name: steady\n', 'z.yaml')).toEqual([]);
  });

  it('reports a bad section or entry with the file name', () => {
    expect(() => budgetsFromYaml('budgets: 5\n', 'b.yaml')).toThrow(/b.yaml: "budgets" must be a map/);
    expect(() => budgetsFromYaml('budgets:\n  deliver.p99: [1]\n', 'b.yaml')).toThrow(
      /b.yaml: budgets.deliver.p99 must be a change/,
    );
    expect(() => budgetsFromYaml('budgets:\n  ack.p99: -3%\n', 'b.yaml')).toThrow(
      /\(b.yaml\): ack.p99 gets worse when it rises/,
    );
    expect(() => budgetsFromYaml('budgets: [\n', 'b.yaml')).toThrow(/b.yaml: not valid YAML/);
  });

  it('lets a later source replace the budget of the same metric', () => {
    const merged = mergeBudgets(
      [
        parseBudget('deliver.p99=+10%', { source: 'default' }),
        parseBudget('errors=+0', { source: 'default' }),
      ],
      [parseBudget('deliver.p99=+25%')],
    );
    expect(merged.map((b) => `${b.metric.name} ${formatBudget(b)} ${b.source}`)).toEqual([
      'deliver.p99 +25% --budget',
      'errors +0 default',
    ]);
  });

  it('formats budgets as written', () => {
    expect(formatBudget(parseBudget('throughput.deliveries=-5%'))).toBe('-5%');
    expect(formatBudget(parseBudget('deliver.p50=+0.5ms'))).toBe('+0.5ms');
    expect(formatBudget(parseBudget('errors=3'))).toBe('+3');
  });
});
