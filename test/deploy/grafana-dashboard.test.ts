/**
 * deploy/grafana/garou-dashboard.json queries only metrics that exist: every metric name in a panel's PromQL is
 * exported by the harness's live endpoint or the reference server (a renamed metric breaks this test, not a
 * user's dashboard).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../harness/metrics/live-metrics.js';
import { liveMetricsRegistry } from '../../harness/runner/live-metrics-endpoint.js';
import { PrometheusObserver } from '../../reference-server/metrics.js';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/garou-dashboard.json', 'utf8')) as {
  panels: Panel[];
};

const exported = new Set(
  [
    ...liveMetricsRegistry(() => new LiveMetrics(1).sample(0)).getMetricsAsArray(),
    ...new PrometheusObserver().registry.getMetricsAsArray(),
  ].map((metric) => metric.name),
);

/** The metric a series name belongs to (histogram and summary series carry a suffix). */
const metricOf = (series: string): string => series.replace(/_(bucket|sum|count)$/, '');

describe('Grafana dashboard', () => {
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );

  it('has panels for both the harness and the server', () => {
    expect(queries.some((q) => q.expr.includes('garou_bench_'))).toBe(true);
    expect(queries.some((q) => /\bgarou_(?!bench_)/.test(q.expr))).toBe(true);
  });

  it.each(queries)('$panel: $expr uses exported metrics only', ({ expr }) => {
    const names = expr.match(/\bgarou_[a-z_]+/g) ?? [];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(exported, name).toContain(metricOf(name));
  });
});
