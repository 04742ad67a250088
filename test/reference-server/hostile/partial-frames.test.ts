/**
 * Hostile clients against the memory budget (issue 16, item 1; PROTOCOL.md 17/partial-frame-budget,
 * 17/json-depth, 17/aborted-streams): unfinished frames, deeply nested JSON and endless aborted streams must stay
 * within the configured bounds while an honest client is still served.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, FRAME_CODES } from '../../../spec/index.js';
import { CONTROL, TestClient, removeTestDirs, testService } from '../recording-connection.js';

afterAll(removeTestDirs);

const MiB = 1024 * 1024;

/** A frame header declaring `length` payload bytes, followed by `filler` bytes of that payload. */
function unfinishedFrame(code: number, length: number, filler: number): Uint8Array {
  const out = Buffer.alloc(5 + filler, 0x20);
  out[0] = code;
  out.writeUInt32BE(length, 1);
  return out;
}

describe('partial-frame budget', () => {
  it('a connection that never finishes its Hello is closed once it buffers more than max_pre_auth_bytes', () => {
    const { service, config } = testService();
    const attacker = new TestClient(service);
    attacker.raw(CONTROL, unfinishedFrame(FRAME_CODES.Hello, 16 * MiB - 1, 0));
    for (let i = 0; i < 16 && attacker.session.state !== 'closed'; i++)
      attacker.raw(CONTROL, Buffer.alloc(64 * 1024, 0x20));
    expect(attacker.session.state).toBe('closed');
    expect(attacker.port.closed()?.code).toBe(ERROR_CODES.RATE_LIMITED);
    // Nothing of it stays accounted once it is closed.
    expect(service.partialFrameBytes).toBe(0);
    expect(config.maxPreAuthBytes).toBe(64 * 1024);
    // An honest client is served.
    const honest = new TestClient(service).login('alice');
    expect(honest.session.state).toBe('ready');
  });

  it('unfinished frames on many streams of one connection are capped per connection', () => {
    const { service } = testService({ max_partial_frame_bytes_per_connection: 16 * MiB + 5 });
    const attacker = new TestClient(service).login('mallory');
    for (let i = 0; i < 20; i++) {
      const stream = attacker.newUniStream();
      attacker.raw(stream, unfinishedFrame(FRAME_CODES.SendMessage, 16 * MiB, MiB));
    }
    expect(service.partialFrameBytes).toBeLessThanOrEqual(16 * MiB + 5);
    const aborted = attacker.port.actions.filter((a) => a.type === 'abort');
    expect(aborted.length).toBeGreaterThanOrEqual(4);
    expect(aborted.every((a) => a.type === 'abort' && a.code === ERROR_CODES.RATE_LIMITED)).toBe(true);
    expect(attacker.errors().some((e) => /partial-frame budget/.test(e.message))).toBe(true);
    // The connection itself and its control stream keep working.
    attacker.control('Ping', { timestamp: 7 });
    expect(attacker.controlOf('Pong').map((f) => f.payload.timestamp)).toEqual([7]);
  });

  it('the server-wide cap holds over many connections, and freed bytes are available again', () => {
    const { service } = testService({ max_partial_frame_bytes_total: 16 * MiB + 5 });
    const clients = Array.from({ length: 6 }, (_, i) => new TestClient(service).login(`user${i}`));
    for (const client of clients)
      for (let s = 0; s < 2; s++)
        client.raw(client.newUniStream(), unfinishedFrame(FRAME_CODES.SendMessage, 16 * MiB, 2 * MiB));
    expect(service.partialFrameBytes).toBeLessThanOrEqual(16 * MiB + 5);
    for (const client of clients) client.control('Goodbye', { reason: 'done' });
    expect(service.partialFrameBytes).toBe(0);
    const late = new TestClient(service).login('late');
    late.raw(late.newUniStream(), unfinishedFrame(FRAME_CODES.SendMessage, 16 * MiB, 2 * MiB));
    expect(service.partialFrameBytes).toBe(2 * MiB + 5);
  });
});

describe('JSON nesting', () => {
  it('a Hello with deep nesting inside an ignored member is refused before it is parsed', () => {
    const { service } = testService();
    const client = new TestClient(service);
    const depth = 200_000;
    const payload = `{"version":1,"capabilities":[],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const frame = Buffer.alloc(5 + payload.length);
    frame[0] = FRAME_CODES.Hello;
    frame.writeUInt32BE(payload.length, 1);
    frame.write(payload, 5, 'latin1');
    client.raw(CONTROL, frame);
    expect(client.controlOf('HelloAck')).toEqual([]);
    // Refused like any invalid Hello payload: no HelloAck, nothing of it stays buffered.
    expect(service.partialFrameBytes).toBe(0);
  });

  it('nesting up to 128 levels (serde_json`s limit) is still accepted', () => {
    const { service } = testService();
    const client = new TestClient(service);
    const payload = `{"version":1,"capabilities":[],"x":${'['.repeat(126)}${']'.repeat(126)}}`;
    const frame = Buffer.alloc(5 + payload.length);
    frame[0] = FRAME_CODES.Hello;
    frame.writeUInt32BE(payload.length, 1);
    frame.write(payload, 5, 'latin1');
    client.raw(CONTROL, frame);
    expect(client.controlOf('HelloAck')).toHaveLength(1);
  });
});

describe('aborted streams', () => {
  it('streams aborted for a bad first frame are forgotten once the client finishes or resets them', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    for (let i = 0; i < 5000; i++) {
      const stream = client.newUniStream();
      client.raw(stream, Buffer.from([0x99, 0, 0, 0, 0]));
      if (i % 2 === 0) client.raw(stream, new Uint8Array(0), true);
      else client.session.onStreamReset(stream);
    }
    expect(client.port.actions.filter((a) => a.type === 'abort')).toHaveLength(5000);
    expect(client.session.trackedStreamCount).toBeLessThanOrEqual(1);
  });
});
