/**
 * The harness's longest event-loop stall in a phase, from the run's health verdict (each worker samples its loop
 * delay every second, perf_hooks.monitorEventLoopDelay: see harness-health.ts). At 50,000 clients a stall longer
 * than the server's loss timers (~40-100 ms on loopback) makes thousands of connections retransmit at once, which
 * can tip the run into collapse (issue 12), so bench/scale shows it beside the latency it explains.
 */
import type { RunResult } from '../../harness/metrics/run-result.js';

/** The worst event-loop delay (ms) of any worker in the phase `phase`, or null when the result has no health. */
export function phaseLoopMaxMs(result: Pick<RunResult, 'verdict'>, phase: string): number | null {
  return result.verdict?.health.find((window) => window.name === phase)?.loopMaxMs ?? null;
}
