/**
 * report.html in a real browser: Debian's Chromium (installed by .ci/run) loads the page headless through
 * playwright-core; the test fails on any page script error or console error, checks that every chart drew, that
 * sends and deliveries have their own axes, that no two marker labels overlap, and saves a screenshot
 * (GAROU_SCREENSHOT_DIR keeps it for a person to look at). Skips only outside CI when Chromium is missing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../harness/report/html-report.js';
import { sampleRun } from '../metrics/sample-run.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
// In CI .ci/run installs Chromium: a missing one fails the test instead of skipping it.
const skip = !available && process.env.CI !== 'true';

/** The flags the project uses for a headless, offline, stateless Chromium. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Code run inside the page (plain browser JavaScript: the project's TypeScript has no DOM types).

/** Each canvas: its id, how many pixels it drew, and its Chart.js datasets with their y axis. */
const CHARTS_IN_PAGE = `[...document.querySelectorAll('canvas')].map((canvas) => {
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
  return {
    id: canvas.id,
    drawn,
    datasets: chart ? chart.data.datasets.map((d) => ({ label: d.label, axis: d.yAxisID || 'y' })) : null,
  };
})`;

/** Every marker label (phase names, promoted/demoted) with its row and horizontal extent, as the chart drew it. */
const MARKER_LABELS_IN_PAGE = `[...document.querySelectorAll('canvas')].flatMap((canvas) => {
  const chart = Chart.getChart(canvas);
  return ((chart && chart.$markerLabels) || []).map((box) => ({ chart: canvas.id, ...box }));
})`;

interface LabelBox {
  chart: string;
  label: string;
  row: number;
  left: number;
  right: number;
}

/** No two labels of one chart share a row and a horizontal extent. */
function expectNoOverlap(labels: LabelBox[]): void {
  for (const a of labels)
    for (const b of labels) {
      if (a === b || a.chart !== b.chart || a.row !== b.row) continue;
      const overlap = a.left < b.right && b.left < a.right;
      expect(overlap, `"${a.label}" and "${b.label}" overlap in ${a.chart}`).toBe(false);
    }
}

describe.skipIf(skip)('report.html in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    expect(available, `${CHROMIUM} (Debian package chromium)`).toBe(true);
    dir = process.env.GAROU_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'garou-chromium-')));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir && process.env.GAROU_SCREENSHOT_DIR === undefined)
      await rm(dir, { recursive: true, force: true });
  });

  it('renders every chart without script errors, sends on their own axis, marker labels apart', async () => {
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtmlReport(sampleRun().result));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
    });
    // Offline by construction: any request beyond the file itself is an error.
    await page.route('**/*', (route) =>
      route.request().url() === `file://${file}` ? route.continue() : route.abort(),
    );
    page.on('requestfailed', (request) => errors.push(`request: ${request.url()}`));
    await page.goto(`file://${file}`, { waitUntil: 'load' });

    const charts = (await page.evaluate(CHARTS_IN_PAGE)) as Array<{
      id: string;
      drawn: number;
      datasets: Array<{ label: string; axis: string }> | null;
    }>;
    expect(errors).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['chart-percentiles', 'chart-throughput', 'chart-p99']);
    for (const chart of charts) {
      expect(chart.datasets, chart.id).not.toBeNull();
      expect(chart.drawn, chart.id).toBeGreaterThan(5000);
    }
    const axisOf = (label: string) =>
      charts.find((c) => c.id === 'chart-throughput')!.datasets!.find((d) => d.label === label)!.axis;
    expect(axisOf('sent msgs/s')).not.toBe(axisOf('delivered msgs/s'));
    expect(axisOf('errors/s')).toBe(axisOf('sent msgs/s'));

    // Marker labels (phase names, promoted/demoted) as drawn: none may overlap another on the same row.
    const labels = (await page.evaluate(MARKER_LABELS_IN_PAGE)) as LabelBox[];
    expect(labels.some((l) => l.label.startsWith('promoted'))).toBe(true);
    expectNoOverlap(labels);

    // A crowded run: five hot-room events within 0.2 s of a phase start still get labels that do not overlap.
    const crowded = sampleRun().result;
    const first = crowded.events[0]!;
    const surgeStart = crowded.phases[1]!.startOffsetMs;
    crowded.events = ['viral', 'side#1', 'side#2', 'lobby', 'pods'].map((room, i) => ({
      ...first,
      room,
      offsetMs: surgeStart + 50 * i,
    }));
    const crowdedFile = join(dir, 'crowded.html');
    await writeFile(crowdedFile, renderHtmlReport(crowded));
    const crowdedPage = await context.newPage();
    await crowdedPage.goto(`file://${crowdedFile}`, { waitUntil: 'load' });
    const crowdedLabels = (await crowdedPage.evaluate(MARKER_LABELS_IN_PAGE)) as LabelBox[];
    expect(crowdedLabels.filter((l) => l.label.startsWith('promoted')).length).toBe(10); // 5 events x 2 charts
    expectNoOverlap(crowdedLabels);
    await crowdedPage.screenshot({
      path: join(dir, 'crowded.png'),
      clip: { x: 0, y: 560, width: 1280, height: 460 },
    });

    const screenshot = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    expect(screenshot.length).toBeGreaterThan(50_000);
    await context.close();
  }, 60_000);
});
