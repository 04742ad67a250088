/** A run set's metrics as a terminal table (median, range, runs): what `garou-bench baseline show` prints. */
import Table from 'cli-table3';
import { formatThresholdValue } from '../report/format.js';
import { median } from './bootstrap.js';
import { metricValues } from './comparison.js';
import { defaultMetrics, type ComparedMetric } from './compared-metrics.js';
import type { RunSet } from './run-set.js';

const plain = { head: [] as string[], border: [] as string[], compact: true };

/** The default metrics (plus `extra`) of a run set: median, min, max over its runs and how many runs had data. */
export function formatRunSetTable(set: RunSet, extra: readonly ComparedMetric[] = []): string {
  const metrics = defaultMetrics(set.results);
  for (const metric of extra) if (!metrics.some((m) => m.name === metric.name)) metrics.push(metric);
  const table = new Table({ head: ['metric', 'median', 'min', 'max', 'runs'], style: plain });
  for (const metric of metrics) {
    const values = metricValues(set.results, metric);
    const f = (v: number | null): string => formatThresholdValue(v, metric.unit);
    table.push(
      values.length
        ? [
            metric.name,
            f(median(values)),
            f(Math.min(...values)),
            f(Math.max(...values)),
            String(values.length),
          ]
        : [metric.name, 'no data', '-', '-', '0'],
    );
  }
  return table.toString();
}
