import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  chartData,
  escapeHtml,
  loadChartJsSource,
  renderHtmlReport,
} from '../../../harness/report/html-report.js';
import { sampleRun } from '../metrics/sample-run.js';

describe('report.html', () => {
  const { result } = sampleRun();
  const html = renderHtmlReport(result);

  it('is self-contained: Chart.js inlined, nothing loaded from anywhere', () => {
    const chartJs = loadChartJsSource();
    expect(chartJs.length).toBeGreaterThan(100_000);
    expect(html).toContain(chartJs.slice(0, 500));
    expect(html).toContain(chartJs.slice(-500));
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html.replace(chartJs, '')).not.toMatch(/<link\b|@import|url\(|https?:/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('embeds the chart data as parseable JSON', () => {
    const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    const data = JSON.parse(match![1]!);
    expect(data).toEqual(JSON.parse(JSON.stringify(chartData(result))));
    expect(data.percentiles.map((s: { metric: string }) => s.metric)).toContain('deliver');
    expect(data.events).toEqual([
      { type: 'promoted', room: 'viral', t: 3.9 },
      { type: 'demoted', room: 'viral', t: 8.5 },
    ]);
    expect(data.phases[1]).toEqual({ name: 'surge', start: 3, end: 6 });
    expect(data.timeline).toHaveLength(result.timeline.length);
  });

  it('has the three charts and the summary tables', () => {
    for (const id of ['chart-percentiles', 'chart-throughput', 'chart-p99'])
      expect(html).toContain(`<canvas id="${id}">`);
    expect(html).toContain("type: 'logarithmic'");
    expect(html).toContain('<code>deliver.p99 &lt; 50ms</code>');
    expect(html).toMatch(
      /viral demoted during warm<\/td><td>not demoted during warm[^<]*<\/td><td><span class="fail">FAIL/,
    );
    expect(html).toMatch(/<td>deliver<\/td><td>[\d,]+<\/td>/);
    expect(html).toContain('<h2>Hot-room events</h2>');
  });

  it('escapes text from the scenario', () => {
    expect(html).toContain('Sample &lt;b&gt;run&lt;/b&gt; &amp; friends');
    expect(html).not.toContain('Sample <b>run</b>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('cannot be broken out of by data containing </script>', () => {
    const hostile = {
      ...result,
      events: [{ ...result.events[0]!, room: '</script><script>alert(1)</script>' }],
    };
    const text = renderHtmlReport(hostile, {
      chartJs: 'window.Chart = function () {}; // </script> inside the library',
    });
    expect(text.match(/<\/script>/g)).toHaveLength(3);
  });
});

describe('report.html chart script', () => {
  const { result } = sampleRun();
  const html = renderHtmlReport(result, { chartJs: '/* stub */' });
  const scripts = [...html.matchAll(/<script(?: [^>]*)?>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
  const dataText = scripts[0] as string;
  const chartScript = scripts.at(-1) as string;

  interface StubConfig {
    data: { datasets: Array<{ label: string; data: unknown[] }> };
    options: {
      scales: { x: { type: string; ticks: { callback: (v: number) => string } } };
      plugins: { markers: { lines: Array<{ label: string; x: number }> } };
    };
  }
  interface MarkerPlugin {
    afterDatasetsDraw(chart: unknown, args: unknown, options: unknown): void;
  }

  /** Runs the inline chart script against stub DOM and Chart objects; returns the chart configs. */
  function runChartScript() {
    const charts: Array<{ canvas: string; config: StubConfig }> = [];
    const plugins: MarkerPlugin[] = [];
    class Chart {
      static register(plugin: MarkerPlugin) {
        plugins.push(plugin);
      }
      constructor(canvas: { id: string }, config: StubConfig) {
        charts.push({ canvas: canvas.id, config });
      }
    }
    const document = {
      getElementById: (id: string) => (id === 'report-data' ? { textContent: dataText } : { id }),
    };
    const context = vm.createContext({ document, Chart, JSON, Math, String });
    vm.runInContext(chartScript, context);
    return { charts, plugins };
  }

  it('builds the three charts from the embedded data', () => {
    const { charts } = runChartScript();
    expect(charts.map((c) => c.canvas)).toEqual(['chart-percentiles', 'chart-throughput', 'chart-p99']);
    const percentiles = charts[0]!.config;
    expect(percentiles.options.scales.x.type).toBe('logarithmic');
    expect(percentiles.data.datasets.map((d) => d.label)).toEqual([
      'deliver',
      'ack',
      'connect',
      'handshake',
      'schedule_lag',
    ]);
    const label = percentiles.options.scales.x.ticks.callback;
    expect([1, 2, 10, 100, 1000, 10_000].map((v) => label(v))).toEqual([
      '0%',
      '',
      '90%',
      '99%',
      '99.9%',
      '99.99%',
    ]);
    const throughput = charts[1]!.config;
    expect(throughput.data.datasets.map((d) => d.label)).toEqual([
      'errors/s',
      'sent msgs/s',
      'delivered msgs/s',
      'connected clients',
    ]);
    expect(throughput.data.datasets[1]!.data).toHaveLength(result.timeline.length);
    const lines = throughput.options.plugins.markers.lines;
    expect(lines.map((l) => [l.label, l.x])).toEqual([
      ['warm', 1],
      ['surge', 3],
      ['cool', 6],
      ['promoted viral', 3.9],
      ['demoted viral', 8.5],
    ]);
  });

  it('draws event markers inside the chart area only', () => {
    const { plugins } = runChartScript();
    const drawn: number[] = [];
    const texts: Array<[string, number, number]> = [];
    const ctx = {
      font: '',
      measureText: (text: string) => ({ width: text.length * 6 }),
      save() {},
      restore() {},
      setLineDash() {},
      beginPath() {},
      moveTo(x: number) {
        drawn.push(x);
      },
      lineTo() {},
      stroke() {},
      fillText(text: string, x: number, y: number) {
        texts.push([text, x, y]);
      },
    };
    const chart = {
      ctx,
      chartArea: { left: 0, right: 100, top: 0, bottom: 50 },
      scales: { x: { getPixelForValue: (v: number) => v * 10 } },
    };
    plugins[0]!.afterDatasetsDraw(
      chart,
      {},
      {
        lines: [
          { x: 3, color: 'red', label: 'in' },
          { x: 30, color: 'red', label: 'out' },
        ],
      },
    );
    expect(drawn).toEqual([30]);
    // Labels at nearly the same x go to successive rows instead of overprinting each other.
    texts.length = 0;
    plugins[0]!.afterDatasetsDraw(
      { ...chart, chartArea: { left: 0, right: 1000, top: 0, bottom: 50 } },
      {},
      {
        lines: [
          { x: 2, color: 'grey', label: 'surge', row: 0 },
          { x: 2.1, color: 'red', label: 'promoted viral', row: 1 },
          { x: 2.2, color: 'red', label: 'promoted side', row: 1 },
          { x: 40, color: 'blue', label: 'demoted', row: 1 },
        ],
      },
    );
    expect(texts.map(([text, , y]) => [text, y])).toEqual([
      ['surge', 12],
      ['promoted viral', 25],
      ['promoted side', 38],
      ['demoted', 25],
    ]);
  });
});
