/** Number formatting shared by the console, progress line and HTML report. */
import type { ThresholdResult } from '../metrics/threshold-evaluation.js';

/** Milliseconds with 3 significant digits: "0.412ms", "12.3ms", "1,250ms". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms === 0) return '0ms';
  if (ms >= 1000) return `${formatCount(Math.round(ms))}ms`;
  return `${Number(ms.toPrecision(3))}ms`;
}

/** Integer with thousands separators: "30,200". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Rate per second: "151/s", "30,200/s", "0.5/s". */
export function formatRate(perSecond: number): string {
  if (perSecond > 0 && perSecond < 10) return `${Number(perSecond.toPrecision(2))}/s`;
  return `${formatCount(perSecond)}/s`;
}

/** Value of a threshold in its unit. */
export function formatThresholdValue(value: number | null, unit: ThresholdResult['unit']): string {
  if (value === null) return '-';
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case '/s':
      return formatRate(value);
    case 'ratio':
      return `${Number((value * 100).toPrecision(3))}%`;
    default:
      return Number.isInteger(value) ? formatCount(value) : String(Number(value.toPrecision(4)));
  }
}

/** Seconds offset: "+34.2s". */
export function formatOffset(ms: number): string {
  return `+${(ms / 1000).toFixed(1)}s`;
}
