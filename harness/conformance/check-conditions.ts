/**
 * The conditions a check ran under, as the harness saw them: how late its own event loop was (the embedded server
 * shares it) and how many packets its probe endpoint exchanged. A conformance verdict must not depend on how busy
 * the machine is, so the runner uses this to tell a server that did not answer from a harness that could not
 * listen: a check that failed while the harness stalled is run once more (suite-runner.ts), and every failure
 * carries these figures as evidence.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EndpointStats, QuicEndpoint } from '../../transport/index.js';

/**
 * A stall at least this long (or a third of the per-wait timeout, whichever is less) makes a failure suspect:
 * the harness could not have seen an answer that arrived in time.
 */
export const SUSPECT_STALL_MS = 1000;

/** What a check's run looked like from the harness. */
export interface CheckConditions {
  /** Longest event-loop delay during the check, ms. */
  readonly loopMaxMs: number;
  /** Packets the probe endpoint sent, received and dropped during the check. */
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsDropped: number;
}

/** Measures the harness's conditions from construction to `finish()`. */
export class CheckConditionsMeter {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private readonly before: EndpointStats;

  constructor(private readonly endpoint: QuicEndpoint) {
    this.before = { ...endpoint.stats() };
    this.loop.enable();
  }

  /** Stops measuring and returns the conditions. */
  finish(): CheckConditions {
    this.loop.disable();
    const after = this.endpoint.stats();
    return {
      loopMaxMs: this.loop.count > 0 ? Math.round(this.loop.max / 1e6) : 0,
      packetsSent: after.packetsSent - this.before.packetsSent,
      packetsReceived: after.packetsReceived - this.before.packetsReceived,
      packetsDropped: after.packetsDropped - this.before.packetsDropped,
    };
  }
}

/** True when the harness stalled long enough during the check for its failure to say nothing about the server. */
export function harnessStalled(conditions: CheckConditions, timeoutMs: number): boolean {
  return conditions.loopMaxMs >= Math.min(SUSPECT_STALL_MS, timeoutMs / 3);
}

/** The conditions in words, appended to a failure's evidence. */
export function describeConditions(conditions: CheckConditions): string {
  const dropped = conditions.packetsDropped > 0 ? `, dropped ${conditions.packetsDropped}` : '';
  return (
    `harness during the check: event loop late by up to ${conditions.loopMaxMs} ms; probe packets sent ` +
    `${conditions.packetsSent}, received ${conditions.packetsReceived}${dropped}`
  );
}
