/**
 * Where the live metrics of a run go while it runs: the Prometheus endpoint (`--metrics-port`) and the NDJSON
 * event stream (`--events FILE`, one JSON line per second in the shape of `LiveSample`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMetricsServer } from '../../reference-server/metrics.js';
import { ExitCode } from '../exit-codes.js';
import type { LiveMetrics } from '../metrics/live-metrics.js';
import { liveMetricsRegistry } from './live-metrics-endpoint.js';
import { RunError } from './run-error.js';

/** What to open. */
export interface LiveOutputOptions {
  /** Port of the Prometheus endpoint (0: any free port); undefined: none. */
  metricsPort?: number;
  /** Address of the endpoint (default 127.0.0.1: the endpoint is not reachable from elsewhere unless asked). */
  metricsHost?: string;
  /** NDJSON file to write one sample per second to; undefined: none. */
  eventsFile?: string;
}

/** The open live outputs of one run. */
export class LiveOutputs {
  private constructor(
    private readonly live: LiveMetrics,
    private readonly endpoint: Server | null,
    private readonly eventsFd: number | null,
  ) {}

  /** Opens the outputs; a port in use or an unwritable file is a usage error (exit code 2) naming the flag. */
  static async open(live: LiveMetrics, options: LiveOutputOptions): Promise<LiveOutputs> {
    let eventsFd: number | null = null;
    if (options.eventsFile !== undefined) {
      try {
        eventsFd = openSync(options.eventsFile, 'w');
      } catch (error) {
        throw new RunError(
          ExitCode.InvalidInput,
          `cannot write --events ${options.eventsFile}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        );
      }
    }
    let endpoint: Server | null = null;
    if (options.metricsPort !== undefined) {
      const host = options.metricsHost ?? '127.0.0.1';
      try {
        endpoint = await startMetricsServer(
          liveMetricsRegistry(() => live.sample(Date.now())),
          host,
          options.metricsPort,
        );
      } catch (error) {
        if (eventsFd !== null) closeSync(eventsFd);
        throw new RunError(
          ExitCode.InvalidInput,
          `cannot serve --metrics-port ${options.metricsPort} on ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        );
      }
    }
    return new LiveOutputs(live, endpoint, eventsFd);
  }

  /** The endpoint's URL, or null without --metrics-port. */
  get metricsUrl(): string | null {
    if (this.endpoint === null) return null;
    const { address, port } = this.endpoint.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
  }

  /** Called once a second: appends a sample to the event stream. */
  tick(nowMs: number): void {
    // Synchronous: one short line a second, and the lines stay in order even if the run ends right after.
    if (this.eventsFd !== null) writeSync(this.eventsFd, `${JSON.stringify(this.live.sample(nowMs))}\n`);
  }

  /** Writes a last sample (the final counters) and closes everything. */
  async close(nowMs: number): Promise<void> {
    this.tick(nowMs);
    if (this.eventsFd !== null) closeSync(this.eventsFd);
    const endpoint = this.endpoint;
    if (endpoint !== null) await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  }
}
