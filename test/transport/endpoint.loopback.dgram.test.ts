/**
 * endpoint.loopback.test.ts once more with every socket on node:dgram (GAROU_UDP_IO=dgram): that file runs on
 * the batched native sockets where the addon is built, and dgram is the fallback everywhere else.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { resolveUdpIo } from '../../transport/udp-packet-io.js';

beforeAll(() => {
  vi.stubEnv('GAROU_UDP_IO', 'dgram');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

it('binds node:dgram sockets in this file', () => {
  expect(resolveUdpIo()).toBe('dgram');
});

await import('./endpoint.loopback.test.js');
