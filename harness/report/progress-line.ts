/**
 * The live progress line. On a TTY the runner rewrites one line in place (`renderProgress(..., {tty: true})`);
 * otherwise it prints plain periodic lines with a timestamp.
 */
import type { ProgressSnapshot } from '../metrics/run-recorder.js';
import { LIVE_WINDOW_MS } from '../metrics/live-metrics.js';
import { formatCount, formatMs, formatRate } from './format.js';

/**
 * The progress text: "12.3s surge | clients 200/200 | sent 151/s | delivered 30,200/s | p99(5s) 12.3ms | errors 0".
 * The coordinator passes the deliver p99 of the last LIVE_WINDOW_MS, hence the label.
 */
export function formatProgressLine(progress: ProgressSnapshot, totalClients?: number): string {
  const clients =
    totalClients === undefined
      ? formatCount(progress.connected)
      : `${formatCount(progress.connected)}/${formatCount(totalClients)}`;
  return [
    `${(progress.elapsedMs / 1000).toFixed(1)}s ${progress.phase ?? '-'}`,
    `clients ${clients}`,
    `sent ${formatRate(progress.sentPerSec)}`,
    `delivered ${formatRate(progress.deliveredPerSec)}`,
    `p99(${LIVE_WINDOW_MS / 1000}s) ${formatMs(progress.p99Ms)}`,
    `errors ${formatCount(progress.errors)}`,
  ].join(' | ');
}

/** Options of `renderProgress`. */
export interface ProgressRenderOptions {
  /** Output is a terminal: rewrite one line in place. */
  tty: boolean;
  /** Terminal width (the TTY line is cut to fit, so it never wraps). */
  columns?: number;
  totalClients?: number;
  /** Timestamp of a plain line (default: now). */
  now?: Date;
}

/** The exact text to write for one progress update (TTY: carriage return + line + erase-to-end; else a line). */
export function renderProgress(progress: ProgressSnapshot, options: ProgressRenderOptions): string {
  const line = formatProgressLine(progress, options.totalClients);
  if (options.tty) {
    const width = Math.max(10, (options.columns ?? 80) - 1);
    return `\r${line.length > width ? line.slice(0, width) : line}\x1b[K`;
  }
  return `${(options.now ?? new Date()).toISOString()} ${line}\n`;
}

/** Text that clears the TTY progress line (write it before the final summary). */
export const CLEAR_PROGRESS_LINE = '\r\x1b[K';
