/**
 * Live progress on a stream: on a TTY one line rewritten in place every update; otherwise a plain line at
 * most every `plainIntervalMs` (5 s by default), so logs stay readable.
 */
import type { ProgressSnapshot } from '../metrics/run-recorder.js';
import { CLEAR_PROGRESS_LINE, renderProgress } from '../report/progress-line.js';

/** Where progress goes: a writable stream, a TTY or not. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Prints progress snapshots and keeps other messages from mixing with the live line. */
export class ProgressPrinter {
  private lineShown = false;
  private lastPlainAt = -Infinity;
  private sawPhase = false;
  /** What the line says after the last phase: the grace, or the wait for late deliveries past it. */
  private afterPhases = 'grace';

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: { totalClients: number; plainIntervalMs?: number },
  ) {}

  /** Shows a progress snapshot. */
  update(progress: ProgressSnapshot, nowMs = Date.now()): void {
    const tty = this.stream.isTTY === true;
    if (!tty) {
      if (nowMs - this.lastPlainAt < (this.options.plainIntervalMs ?? 5000)) return;
      this.lastPlainAt = nowMs;
    }
    const render = { tty, totalClients: this.options.totalClients, now: new Date(nowMs) };
    // Outside the phases there is no phase name: say what the run is doing instead of a bare "-".
    if (progress.phase !== null) this.sawPhase = true;
    const phase = progress.phase ?? (this.sawPhase ? this.afterPhases : 'connecting');
    this.stream.write(
      renderProgress(
        { ...progress, phase },
        // Some pseudo-terminals report 0 columns: keep the default width then.
        this.stream.columns ? { ...render, columns: this.stream.columns } : render,
      ),
    );
    this.lineShown = tty;
  }

  /** From now on the line says the run waits for late deliveries past the grace (see end-drain.ts). */
  waitingForLate(): void {
    this.afterPhases = 'late drain';
  }

  /** Prints a message on its own line (clearing the live line first). */
  message(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** Removes the live line (before the final summary). */
  clear(): void {
    if (!this.lineShown) return;
    this.stream.write(CLEAR_PROGRESS_LINE);
    this.lineShown = false;
  }
}
