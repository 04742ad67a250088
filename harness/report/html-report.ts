/**
 * Self-contained report.html: summary tables plus Chart.js charts (latency percentile distribution on the
 * classic 1/(1-p) log axis, throughput and connected clients over time with phase boundaries and
 * promotion/demotion markers, p99 over time). Chart.js and the data are inlined: the file loads nothing
 * from the network and works offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LATENCY_METRICS } from '../metrics/metric-names.js';
import type { RunResult } from '../metrics/run-result.js';
import { formatCount, formatMs, formatOffset, formatRate, formatThresholdValue } from './format.js';
import { percentileSeries } from './percentile-series.js';
import { correctnessCells, correctnessHead } from './correctness-columns.js';
import { drainFactLine } from './drain-facts.js';
import { connectFailureRows, readinessLines, socketFactLine } from './fleet-facts.js';
import { segmentFactLines } from './segment-facts.js';
import { anomalySectionHtml } from './anomaly-section.js';
import { verdictSectionHtml } from './verdict-section.js';
import { escapeHtml } from './html-escape.js';

export { escapeHtml } from './html-escape.js';

let chartJsSource: string | undefined;

/** Source of Chart.js 4 (UMD, minified) from node_modules, read once. */
export function loadChartJsSource(): string {
  if (chartJsSource === undefined) {
    // chart.js does not export its UMD file; find it next to the package's main entry.
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJsSource = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

/** JSON safe to place inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Data the charts need, derived from the result. */
export interface ReportChartData {
  percentiles: Array<{ metric: string; points: Array<{ x: number; y: number; p: number }> }>;
  timeline: RunResult['timeline'];
  phases: Array<{ name: string; start: number; end: number }>;
  events: Array<{ type: string; room: string; t: number }>;
}

/** Extracts the chart data of a result. */
export function chartData(result: RunResult): ReportChartData {
  return {
    percentiles: LATENCY_METRICS.filter(
      (m) => result.latency[m].count > 0 && m !== 'promotion' && m !== 'demotion',
    ).map((metric) => ({
      metric,
      points: percentileSeries(result.histograms[metric]).map((p) => ({
        x: p.x,
        y: p.valueMs,
        p: p.percentile,
      })),
    })),
    timeline: result.timeline,
    phases: result.phases.map((p) => ({
      name: p.name,
      start: p.startOffsetMs / 1000,
      end: (p.startOffsetMs + p.durationMs) / 1000,
    })),
    events: result.events.map((e) => ({
      type: e.type,
      room: e.room ?? String(e.roomId),
      t: e.offsetMs / 1000,
    })),
  };
}

function table(head: string[], rows: string[][], className = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${className}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Rooms listed one per row in the correctness table (a run may have thousands). */
const MAX_ROOM_ROWS = 200;

const verdict = (passed: boolean): string =>
  passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
const e = escapeHtml;

function summaryTables(result: RunResult): string {
  const parts: string[] = [];
  parts.push(
    '<h2>Run</h2>' +
      table(
        ['scenario', 'target', 'started', 'ended', 'duration', 'workers', 'seed', 'result'],
        [
          [
            e(result.scenario.name),
            e(result.target),
            e(result.startedAt),
            e(result.endedAt),
            e(`${(result.durationMs / 1000).toFixed(1)}s`),
            String(result.workers),
            String(result.scenario.seed),
            verdict(result.passed),
          ],
        ],
      ),
  );
  if (result.thresholds.length || result.expectations.length) {
    parts.push(
      '<h2>Checks</h2>' +
        table(
          ['check', 'actual', 'result'],
          [
            ...result.thresholds.map((t) => [
              `<code>${e(t.expression)}</code>`,
              e(formatThresholdValue(t.actual, t.unit) + (t.note ? ` (${t.note})` : '')),
              verdict(t.passed),
            ]),
            ...result.expectations.map((x) => [e(x.text), e(x.actual), verdict(x.passed)]),
          ],
        ),
    );
  }
  parts.push(
    '<h2>Latency</h2>' +
      table(
        ['metric', 'count', 'min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'],
        LATENCY_METRICS.filter((m) => result.latency[m].count > 0).map((m) => {
          const s = result.latency[m];
          return [
            e(m),
            formatCount(s.count),
            ...[s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max, s.mean].map(formatMs),
          ];
        }),
        'numeric',
      ),
  );
  parts.push(
    '<h2>Phases</h2>' +
      table(
        [
          'phase',
          'start',
          'duration',
          'sent',
          'delivered',
          'sends/s',
          'deliveries/s',
          'deliver p99',
          'ack p99',
          'errors',
        ],
        result.phases.map((p) => [
          e(p.name),
          formatOffset(p.startOffsetMs),
          e(`${(p.durationMs / 1000).toFixed(1)}s`),
          formatCount(p.counters.sent),
          formatCount(p.counters.delivered),
          formatRate(p.throughput.sends),
          formatRate(p.throughput.deliveries),
          formatMs(p.latency.deliver.count ? p.latency.deliver.p99 : null),
          formatMs(p.latency.ack.count ? p.latency.ack.p99 : null),
          formatCount(p.counters.errors),
        ]),
        'numeric',
      ),
  );
  const c = result.counters;
  parts.push(
    '<h2>Counters</h2>' +
      table(
        ['counter', 'value'],
        Object.entries(c).map(([name, value]) => [e(name), formatCount(value)]),
        'numeric compact',
      ) +
      (Object.keys(result.errorsByCode).length
        ? table(
            ['error', 'count'],
            Object.entries(result.errorsByCode).map(([code, n]) => [e(code), formatCount(n)]),
            'numeric compact',
          )
        : ''),
  );
  const d = result.correctness.total;
  // Every room, those with a problem first (the README promises loss per room); long lists are cut.
  const hasProblem = (r: (typeof result.correctness.rooms)[number]): boolean =>
    r.loss + r.duplicates + r.reorders + r.unexpected + r.late + (r.ackTimedOutDeliveries ?? 0) > 0;
  const rooms = [
    ...result.correctness.rooms.filter(hasProblem),
    ...result.correctness.rooms.filter((r) => !hasProblem(r)),
  ];
  const troubledCount = rooms.filter(hasProblem).length;
  parts.push(
    '<h2>Correctness</h2>' +
      `<p class="note">Every room of the run, ${troubledCount ? `the ${formatCount(troubledCount)} with a problem first` : 'none with a problem'}` +
      ` (at most ${MAX_ROOM_ROWS} rows; all rooms are in summary.json <code>correctness.rooms</code>). ` +
      'expected: (message, recipient) pairs owed a delivery; optional: pairs whose recipient joined or left while ' +
      'the message was in flight, neither owed nor an error; late: delivered after the grace period; ' +
      'of ack t/o: deliveries of messages whose MessageAck timed out (errors: ack_timeout), told by their nonce.</p>' +
      table(
        ['room', ...correctnessHead(true)],
        [
          ['<b>all rooms</b>', ...correctnessCells(d, true)],
          ...rooms
            .slice(0, MAX_ROOM_ROWS)
            .map((r) => [e(r.room ?? String(r.roomId)), ...correctnessCells(r, true)]),
        ],
        'numeric',
      ) +
      (rooms.length > MAX_ROOM_ROWS
        ? `<p>${formatCount(rooms.length - MAX_ROOM_ROWS)} more rooms (without problems): see summary.json.</p>`
        : '') +
      drainParagraph(result),
  );
  if (result.events.length) {
    parts.push(
      '<h2>Hot-room events</h2>' +
        table(
          ['event', 'room', 'at', 'time', 'phase', 'observers', 'reaction'],
          result.events.map((ev) => [
            e(ev.type),
            e(ev.room ?? String(ev.roomId)),
            formatOffset(ev.offsetMs),
            e(ev.at),
            e(ev.phase ?? '-'),
            formatCount(ev.observers),
            formatMs(ev.reactionMs),
          ]),
        ) +
        '<p class="note">observers: simulated clients that received this RoomPromoted/RoomDemoted frame. ' +
        'reaction: when the first of them received it, minus when the server should have acted: for a promotion ' +
        "the moment the room's message rate (over the server's rate window) reached promote_rate, for a " +
        'demotion the earliest moment the cool-down allowed it; "-" when that moment is unknown.</p>',
    );
  }
  parts.push(loadGeneratorSection(result));
  const facts = segmentFactLines(result);
  if (facts.length > 0)
    parts.push(`<h2>Segments</h2><ul>${facts.map((line) => `<li>${e(line)}</li>`).join('')}</ul>`);
  parts.push(
    `<p>Harness scheduling lag: p50 ${formatMs(result.schedulingLag.p50)}, p99 ${formatMs(result.schedulingLag.p99)}, ` +
      `max ${formatMs(result.schedulingLag.max)}. Latencies count from the scheduled send time. ` +
      `Histograms: ${result.units.significantDigits} significant digits, recorded in microseconds.</p>`,
  );
  return parts.join('\n');
}

/** The wait after the last phase when it went past the grace ('' otherwise). */
function drainParagraph(result: RunResult): string {
  const line = drainFactLine(result);
  return line === null ? '' : `<p>${e(line)}</p>`;
}

/** The load generator's own health: connect failures by reason, readiness, socket drops ('' when silent). */
function loadGeneratorSection(result: RunResult): string {
  const rows = connectFailureRows(result);
  const lines = [...readinessLines(result)];
  const sockets = socketFactLine(result);
  if (sockets !== null) lines.push(sockets);
  if (rows.length === 0 && lines.length === 0) return '';
  return (
    '<h2>Load generator</h2>' +
    (rows.length > 0
      ? table(
          ['connect failure', 'count', 'meaning', 'first examples'],
          rows.map((r) => [e(r.reason), formatCount(r.count), e(r.meaning), e(r.examples)]),
        )
      : '') +
    (lines.length > 0 ? `<ul>${lines.map((line) => `<li>${e(line.trim())}</li>`).join('')}</ul>` : '')
  );
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { padding: 3px 10px; border: 1px solid #ddd; text-align: left; }
table.numeric td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
table.compact { display: inline-table; vertical-align: top; margin-right: 1em; }
th { background: #f4f4f4; } .pass { color: #137333; font-weight: bold; } .fail { color: #c5221f; font-weight: bold; }
.chart { position: relative; height: 380px; margin: 1em 0; } code { background: #f4f4f4; padding: 0 3px; }
p.note { color: #555; font-size: 13px; max-width: 60em; }
`;

// Plain browser script (no modules): builds the charts from the embedded data.
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colors = ['#1a73e8', '#e8710a', '#137333', '#a142f4', '#c5221f', '#00897b', '#795548', '#546e7a'];
  // Vertical marker lines with labels. Labels are laid out at draw time: each goes to the first row (from its
  // minimum: phases on row 0, hot-room events below) where it does not run into a label already placed, so a
  // promotion right after a phase start never overlaps the phase's name. The layout is kept on the chart
  // ($markerLabels) for the report's browser test.
  var markers = {
    id: 'markers',
    afterDatasetsDraw: function (chart, args, options) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var rowEnds = [];
      var placed = [];
      ctx.save();
      ctx.font = '11px sans-serif';
      (options.lines || []).map(function (line) {
        return { line: line, px: x.getPixelForValue(line.x) };
      }).filter(function (m) {
        return m.px >= area.left && m.px <= area.right;
      }).sort(function (a, b) { return a.px - b.px; }).forEach(function (m) {
        var line = m.line, left = m.px + 3, width = ctx.measureText(line.label).width;
        var row = line.row || 0;
        while (rowEnds[row] !== undefined && rowEnds[row] + 4 > left) row++;
        rowEnds[row] = left + width;
        placed.push({ label: line.label, row: row, left: left, right: left + width });
        ctx.strokeStyle = line.color; ctx.lineWidth = line.width || 1.5; ctx.setLineDash(line.dash || []);
        ctx.beginPath(); ctx.moveTo(m.px, area.top); ctx.lineTo(m.px, area.bottom); ctx.stroke();
        ctx.fillStyle = line.color;
        ctx.fillText(line.label, left, area.top + 12 + row * 13);
      });
      ctx.restore();
      chart.$markerLabels = placed;
    }
  };
  Chart.register(markers);
  var percentLabel = function (v) {
    var l = Math.log10(v);
    if (Math.abs(l - Math.round(l)) > 1e-9) return '';
    return String(+(100 * (1 - 1 / v)).toPrecision(6)) + '%';
  };
  var perc = document.getElementById('chart-percentiles');
  if (perc && data.percentiles.length) {
    new Chart(perc, {
      type: 'line',
      data: { datasets: data.percentiles.map(function (s, i) {
        return { label: s.metric, data: s.points.map(function (p) { return { x: p.x, y: p.y, p: p.p }; }),
          borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], pointRadius: 0, borderWidth: 2 };
      }) },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'logarithmic', min: 1, title: { display: true, text: 'percentile' }, ticks: { callback: percentLabel, autoSkip: false } },
          y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' } }
        },
        plugins: { tooltip: { callbacks: { label: function (c) {
          return c.dataset.label + ' p' + (+c.raw.p.toPrecision(6)) + ': ' + (+c.raw.y.toPrecision(4)) + ' ms'; } } } }
      }
    });
  }
  var lines = [];
  data.phases.forEach(function (p) { lines.push({ x: p.start, color: '#888', dash: [4, 4], width: 1, label: p.name, row: 0 }); });
  data.events.forEach(function (ev) {
    lines.push({ x: ev.t, color: ev.type === 'promoted' ? '#c5221f' : '#1a73e8', label: ev.type + ' ' + ev.room, row: 1 });
  });
  var t = data.timeline.map(function (s) { return s.t; });
  var series = function (key) { return data.timeline.map(function (s) { return { x: s.t, y: s[key] }; }); };
  var tp = document.getElementById('chart-throughput');
  if (tp && t.length) {
    new Chart(tp, {
      type: 'line',
      data: { datasets: [
        // Errors drawn last (order 0), thick, with a dot on every second that had any: never hidden under a line.
        { label: 'errors/s', data: series('errors'), borderColor: colors[4], backgroundColor: colors[4], borderWidth: 3, order: 0,
          pointRadius: function (c) { return c.raw && c.raw.y > 0 ? 3 : 0; }, yAxisID: 'ySends' },
        // Sends are a fraction of deliveries (one send fans out to every member): their own axis keeps them readable.
        { label: 'sent msgs/s', data: series('sent'), borderColor: colors[0], backgroundColor: colors[0], pointRadius: 0, order: 1, yAxisID: 'ySends' },
        { label: 'delivered msgs/s', data: series('delivered'), borderColor: colors[2], backgroundColor: colors[2], pointRadius: 0, order: 2, yAxisID: 'y' },
        { label: 'connected clients', data: series('connected'), borderColor: colors[3], backgroundColor: colors[3], pointRadius: 0, borderDash: [6, 3], order: 3, yAxisID: 'y1' }
      ] },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
          ySends: { beginAtZero: true, position: 'left', title: { display: true, text: 'sent msgs/s and errors/s', color: colors[0] } },
          y: { beginAtZero: true, position: 'left', grid: { drawOnChartArea: false }, title: { display: true, text: 'delivered msgs/s', color: colors[2] } },
          y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'connected clients', color: colors[3] } }
        },
        plugins: { markers: { lines: lines } }
      }
    });
  }
  var lat = document.getElementById('chart-p99');
  if (lat && t.length) {
    new Chart(lat, {
      type: 'line',
      data: { datasets: [
        { label: 'deliver p99 (per second)', data: series('p99Ms'), borderColor: colors[1], backgroundColor: colors[1], pointRadius: 0, spanGaps: true },
        { label: 'deliver p99 (so far)', data: series('p99SoFarMs'), borderColor: colors[0], backgroundColor: colors[0], pointRadius: 0, spanGaps: true }
      ] },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        scales: { x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
                  y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' } } },
        plugins: { markers: { lines: lines } }
      }
    });
  }
})();
`;

/** Renders report.html for a result; `chartJs` defaults to the installed Chart.js UMD build. */
export function renderHtmlReport(result: RunResult, options: { chartJs?: string } = {}): string {
  const chartJs = (options.chartJs ?? loadChartJsSource()).replace(/<\/script/gi, '<\\/script');
  const title = `garou-bench: ${result.scenario.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(title)} ${verdict(result.passed)}</h1>
<p>${e(result.scenario.description)}</p>
<h2>Latency percentile distribution</h2>
<div class="chart"><canvas id="chart-percentiles"></canvas></div>
<h2>Throughput and connected clients</h2>
<div class="chart"><canvas id="chart-throughput"></canvas></div>
<h2>Deliver p99 over time</h2>
<div class="chart"><canvas id="chart-p99"></canvas></div>
${summaryTables(result)}
${verdictSectionHtml(result)}${anomalySectionHtml(result)}<script type="application/json" id="report-data">${scriptJson(chartData(result))}</script>
<script>${chartJs}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
