import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusObserver, startMetricsServer } from '../../reference-server/metrics.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClient, removeTestDirs, testService } from './recording-connection.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
  removeTestDirs();
});

describe('PrometheusObserver', () => {
  it('counts what the core reports and serves it at /metrics', async () => {
    const observer = new PrometheusObserver({ defaultMetrics: false });
    const { service } = testService({}, undefined, observer);
    const alice = new TestClient(service).login('alice');
    new TestClient(service).login('bob');
    alice.command('SendMessage', { room_id: 1, content: 'x', nonce: 'n', reply_to: null, attachments: [] });
    alice.command('SendMessage', { room_id: 99, content: 'x', nonce: 'n', reply_to: null, attachments: [] });
    service.tick();
    server = await startMetricsServer(observer.registry, '127.0.0.1', 0);
    const { port } = server.address() as AddressInfo;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^garou_connections 2$/m);
    expect(text).toMatch(/^garou_frames_in_total\{type="SendMessage"\} 2$/m);
    expect(text).toMatch(/^garou_frames_out_total\{type="RoomMessage"\} 2$/m);
    expect(text).toMatch(/^garou_errors_total\{code="1005"\} 1$/m);
    expect(text).toMatch(/^garou_rooms 1$/m);
    expect(text).toMatch(/^garou_fanout_seconds_count \d+$/m);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
