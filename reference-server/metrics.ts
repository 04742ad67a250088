/**
 * Prometheus metrics of the reference server (prom-client): a ServerObserver that counts what the core reports,
 * and a minimal HTTP endpoint serving them at /metrics.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerObserver } from './server-observer.js';

/** Metrics of one server, in their own registry (several servers may run in one test process). */
export class PrometheusObserver implements ServerObserver {
  readonly registry = new Registry();
  private readonly connections = new Gauge({
    name: 'garou_connections',
    help: 'Open connections',
    registers: [this.registry],
  });
  private readonly rooms = new Gauge({ name: 'garou_rooms', help: 'Rooms', registers: [this.registry] });
  private readonly hotRooms = new Gauge({
    name: 'garou_hot_rooms',
    help: 'Hot rooms',
    registers: [this.registry],
  });
  private readonly promotions = new Counter({
    name: 'garou_room_promotions_total',
    help: 'Rooms promoted to hot streams',
    registers: [this.registry],
  });
  private readonly demotions = new Counter({
    name: 'garou_room_demotions_total',
    help: 'Hot rooms demoted to shard streams',
    registers: [this.registry],
  });
  // Frame counts by type, as plain numbers written into their counters when the registry is read: these run per
  // frame (~20 per connect), and even a cached label child hashes its labels on every inc().
  private readonly framesInByType = new Map<string, number>();
  private readonly framesOutByType = new Map<string, number>();
  private readonly framesIn = countsByType(
    'garou_frames_in_total',
    'Frames received, by type',
    this.framesInByType,
    this.registry,
  );
  private readonly framesOut = countsByType(
    'garou_frames_out_total',
    'Frames queued for sending (one per recipient stream), by type',
    this.framesOutByType,
    this.registry,
  );
  private readonly errors = new Counter({
    name: 'garou_errors_total',
    help: 'Error and AuthFailed frames sent, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly fanOutSeconds = new Histogram({
    name: 'garou_fanout_seconds',
    help: 'Time to encode one room frame and queue it for all recipients',
    buckets: [1e-6, 5e-6, 2e-5, 1e-4, 5e-4, 2e-3, 1e-2, 5e-2],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  connectionsChanged(delta: 1 | -1): void {
    this.connections.inc(delta);
  }

  frameIn(frameName: string): void {
    this.framesInByType.set(frameName, (this.framesInByType.get(frameName) ?? 0) + 1);
  }

  frameOut(frameName: string, count: number): void {
    if (count > 0) this.framesOutByType.set(frameName, (this.framesOutByType.get(frameName) ?? 0) + count);
  }

  errorSent(code: number): void {
    this.errors.inc({ code: String(code) });
  }

  hotRoomChanged(kind: 'promote' | 'demote'): void {
    (kind === 'promote' ? this.promotions : this.demotions).inc();
  }

  roomCounts(rooms: number, hotRooms: number): void {
    this.rooms.set(rooms);
    this.hotRooms.set(hotRooms);
  }

  fanOut(_recipients: number, seconds: number): void {
    this.fanOutSeconds.observe(seconds);
  }
}

/** A counter labelled by `type` whose values are read from `counts` whenever the registry is collected. */
function countsByType(name: string, help: string, counts: Map<string, number>, registry: Registry): Counter {
  return new Counter({
    name,
    help,
    labelNames: ['type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, count] of counts) this.inc({ type }, count);
    },
  });
}

/** Serves `registry` at http://host:port/metrics; resolves with the listening server. */
export function startMetricsServer(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('not found\n');
      return;
    }
    registry
      .metrics()
      .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((error: unknown) => response.writeHead(500).end(`${String(error)}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
