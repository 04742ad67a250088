/**
 * Live metrics against the real thing: a Prometheus server (Debian's package, installed by .ci/run) scrapes
 * `garou-bench run --metrics-port` every second on loopback, then its query API must show sends, deliveries and
 * latency quantiles moving during the run; `promtool check metrics` accepts the exposition; the `--events`
 * NDJSON stream carries the same figures. Skips only outside CI when Prometheus is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveSample } from '../../../harness/metrics/live-metrics.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const CLI = join(import.meta.dirname, '../../../harness/cli.ts');
const available = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
// In CI the packages are installed by .ci/run: a missing one is a failure, not a skip.
const skip = !available && process.env.CI !== 'true';

const SCENARIO = `name: live-metrics
seed: 5
clients: { count: 12, connect_rate: 200, username: "live-{i}" }
rooms:
  - { name: lobby, id: 9100, members: all }
arrival: constant
mix: { send: 1 }
message_size: { fixed: 40 }
correctness: { grace: 500ms }
phases:
  - { name: steady, duration: 10s, rate: { per_room: 15 } }
thresholds:
  - loss == 0
`;

/** A TCP port free right now on loopback. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Series = Array<[number, string]>;

const children: ChildProcess[] = [];
let dir = '';

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skip)('live metrics scraped by Prometheus', () => {
  it('shows sends, deliveries and latency quantiles moving during a run', async () => {
    expect(available, `${PROMETHEUS} and ${PROMTOOL} (Debian package prometheus)`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'garou-prom-'));
    const [metricsPort, promPort] = [await freePort(), await freePort()];
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: garou-bench
    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]
`,
    );
    const prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(prometheus);
    const api = `http://127.0.0.1:${promPort}`;
    await waitFor(
      'Prometheus ready',
      async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined),
      30_000,
    );

    const scenario = join(dir, 'live.yaml');
    await writeFile(scenario, SCENARIO);
    const events = join(dir, 'events.ndjson');
    const run = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'run',
        scenario,
        '--quiet',
        '--out',
        join(dir, 'reports'),
        '--metrics-port',
        String(metricsPort),
        '--events',
        events,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(run);
    let stderr = '';
    run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const startedAt = Date.now() / 1000;

    // Mid-run, the exposition passes promtool's linter.
    const exposition = await waitFor(
      'a scrape with deliveries',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return /^garou_bench_delivered_total [1-9]/m.test(text) ? text : undefined;
      },
      60_000,
    );
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);

    const [code] = await new Promise<[number | null]>((resolve) => run.on('exit', (c) => resolve([c])));
    expect(code, stderr).toBe(0);
    const endedAt = Date.now() / 1000;

    const range = async (query: string): Promise<Series> => {
      const url = new URL('/api/v1/query_range', api);
      url.search = new URLSearchParams({
        query,
        start: String(startedAt),
        end: String(endedAt),
        step: '1',
      }).toString();
      const body = (await (await fetch(url)).json()) as {
        status: string;
        data: { result: Array<{ values: Series }> };
      };
      expect(body.status).toBe('success');
      return body.data.result[0]?.values ?? [];
    };
    const distinct = (series: Series) => new Set(series.map(([, v]) => v)).size;
    const increasing = (series: Series) =>
      series.every(([, v], i) => i === 0 || Number(v) >= Number(series[i - 1]![1]));

    const sent = await range('garou_bench_sent_total');
    const delivered = await range('garou_bench_delivered_total');
    const p99 = await range('garou_bench_latency_seconds{metric="deliver",quantile="0.99"}');
    const windowP99 = await range('garou_bench_latency_window_seconds{metric="deliver",quantile="0.99"}');
    // Scraped every second over a 10 s phase: the counters climb through several values, never back (a busy
    // machine may miss a few scrapes, hence 3 and not 10).
    expect(distinct(sent)).toBeGreaterThanOrEqual(3);
    expect(increasing(sent)).toBe(true);
    expect(distinct(delivered)).toBeGreaterThanOrEqual(3);
    expect(increasing(delivered)).toBe(true);
    expect(distinct(p99)).toBeGreaterThanOrEqual(2);
    expect(windowP99.length).toBeGreaterThan(0);
    for (const [, v] of p99) expect(Number(v)).toBeGreaterThan(0);

    // The NDJSON stream: one sample a second, counters never decreasing, ending at the report's sends.
    const lines = (await readFile(events, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LiveSample);
    // About one a second; a starved event loop (a loaded CI machine) ticks less often, hence not 10.
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(new Set(lines.map((l) => l.time)).size).toBe(lines.length);
    lines.forEach((line, i) => {
      if (i > 0) expect(line.counters.delivered).toBeGreaterThanOrEqual(lines[i - 1]!.counters.delivered);
    });
    expect(lines.some((l) => l.phase === 'steady')).toBe(true);
    const [runDir] = await readdir(join(dir, 'reports/live-metrics'));
    const summary = JSON.parse(
      await readFile(join(dir, 'reports/live-metrics', runDir!, 'summary.json'), 'utf8'),
    ) as { counters: Record<string, number> };
    const last = lines.at(-1)!;
    expect(last.counters.sent).toBe(summary.counters.sent);
    expect(Number(sent.at(-1)![1])).toBeLessThanOrEqual(summary.counters.sent!);
    expect(last.latency.deliver!.count).toBeGreaterThan(0);
  }, 120_000);
});
