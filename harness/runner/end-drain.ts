/**
 * The wait after the last phase. The run always waits the grace period, so that every message sent in the phases
 * had its grace. A server (or a harness) with a backlog may still be delivering then: in a collapsed run the last
 * seconds' messages arrived 5-6 s after their send, after the run had ended, and counted as lost although nothing
 * was lost. So past the grace the run keeps waiting while missing deliveries (expected pairs past their grace, not
 * delivered) still arrive, up to `correctness.max_drain`; they count as late, never as on time. It stops when
 * nothing is missing any more, when no missing pair arrived for LATE_ARRIVAL_WINDOW_MS (a server that dropped
 * messages does not delay the end), or at the cap; what is still missing then is lost, as before.
 */
import type { DrainSummary } from '../metrics/run-result.js';

/** Missing-delivery figures summed over the workers (see ProgressSnapshot.missing and late). */
export interface MissingFigures {
  /** Expected pairs past their grace, not delivered. */
  missing: number;
  /** Missing pairs that arrived late, since the start. */
  late: number;
}

/**
 * Past the grace the run waits while some missing pair arrived within this window. Longer than the workers'
 * 1-s progress reports, with room for a report delayed by a busy worker.
 */
export const LATE_ARRIVAL_WINDOW_MS = 3000;

/** How often the wait looks at the workers' figures. */
const POLL_MS = 250;

interface Sample extends MissingFigures {
  atMs: number;
}

/** Decides, from the workers' figures over time, when the wait after the last phase ends. */
export class EndDrain {
  private readonly samples: Sample[] = [];
  private atGraceEnd: MissingFigures | null = null;

  constructor(
    private readonly options: {
      lastPhaseEndMs: number;
      graceMs: number;
      /** correctness.max_drain: the cap on the whole wait, grace included. */
      maxMs: number;
    },
  ) {}

  /** When the grace period after the last phase ends (the earliest end of the wait). */
  get graceEndMs(): number {
    return this.options.lastPhaseEndMs + this.options.graceMs;
  }

  /** When the wait ends at the latest. */
  get capMs(): number {
    return this.options.lastPhaseEndMs + Math.max(this.options.graceMs, this.options.maxMs);
  }

  /** Records the figures seen at `atMs` (call in time order). */
  sample(atMs: number, figures: MissingFigures): void {
    this.samples.push({ atMs, missing: figures.missing, late: figures.late });
    // Keep one sample older than the window (the base of `arriving`) and those within it.
    while (this.samples.length > 2 && (this.samples[1] as Sample).atMs <= atMs - LATE_ARRIVAL_WINDOW_MS)
      this.samples.shift();
  }

  /** The summary when the wait should end at `nowMs`, else null (keep waiting). */
  decide(nowMs: number): DrainSummary | null {
    if (nowMs < this.graceEndMs) return null;
    const latest = this.samples.at(-1) ?? { atMs: nowMs, missing: 0, late: 0 };
    const first = this.atGraceEnd === null;
    this.atGraceEnd ??= latest;
    let ended: DrainSummary['ended'];
    if (latest.missing === 0) ended = 'nothing-missing';
    else if (this.lateArrivals(nowMs) === 0) ended = 'no-late-arrivals';
    else if (nowMs >= this.capMs) ended = 'max-reached';
    else return null;
    return {
      graceMs: this.options.graceMs,
      maxMs: this.options.maxMs,
      waitedMs: Math.round(nowMs - this.options.lastPhaseEndMs),
      extended: !first,
      ended,
      missingAtGraceEnd: this.atGraceEnd.missing,
      missingAtEnd: latest.missing,
      lateAfterGrace: latest.late - this.atGraceEnd.late,
    };
  }

  /** What the console says when the wait goes past the grace (call after `decide` returned null past it). */
  extensionNote(nowMs: number): string {
    const latest = this.samples.at(-1);
    const wait = ((this.capMs - this.options.lastPhaseEndMs) / 1000).toFixed(1);
    return (
      `grace over: ${latest?.missing ?? 0} expected deliveries still missing, and still arriving late ` +
      `(${this.lateArrivals(nowMs)} in the last ${LATE_ARRIVAL_WINDOW_MS / 1000} s): waiting while they come, ` +
      `at most ${wait} s after the last phase (correctness.max_drain)`
    );
  }

  /** Missing pairs that arrived within the window before `nowMs` (as far as the samples tell). */
  private lateArrivals(nowMs: number): number {
    const latest = this.samples.at(-1);
    if (latest === undefined) return 0;
    let base = this.samples[0] as Sample;
    for (const sample of this.samples) {
      if (sample.atMs > nowMs - LATE_ARRIVAL_WINDOW_MS) break;
      base = sample;
    }
    return latest.late - base.late;
  }
}

/** What `drainAfterPhases` needs from the coordinator. */
export interface DrainIo {
  now(): number;
  sleepUntil(atMs: number): Promise<void>;
  /** The workers' latest figures summed, or null while some worker has not reported them. */
  figures(): MissingFigures | null;
  note(text: string): void;
  /** Called once when the wait goes on past the grace (after the note), e.g. to relabel the progress line. */
  extended?(): void;
}

/** Waits from the end of the last phase until `drain` says the wait is over; returns its summary. */
export async function drainAfterPhases(drain: EndDrain, io: DrainIo): Promise<DrainSummary> {
  let announced = false;
  for (;;) {
    const now = io.now();
    const figures = io.figures();
    if (figures !== null) drain.sample(now, figures);
    const summary = drain.decide(now);
    if (summary !== null) return summary;
    if (now >= drain.graceEndMs && !announced) {
      announced = true;
      io.note(drain.extensionNote(now));
      io.extended?.();
    }
    await io.sleepUntil(Math.min(now + POLL_MS, now < drain.graceEndMs ? drain.graceEndMs : drain.capMs));
  }
}
