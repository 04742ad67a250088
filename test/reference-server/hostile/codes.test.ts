/**
 * Error codes and replies under hostile input (issue 16, item 8; PROTOCOL.md 13/chunk-bad-metadata, 17/echo-bound,
 * 17/datagram-rate): UploadChunk metadata faults get the codes the spec names, a reply never exceeds the frame limit
 * however long the echoed text, and Typing floods are not relayed without bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, FRAME_CODES, MAX_PAYLOAD_BYTES } from '../../../spec/index.js';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';

afterAll(removeTestDirs);

function frame(code: number, payload: string | Buffer, extra: Uint8Array = new Uint8Array(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header[0] = code;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body, extra]);
}

function uploader(service: ReturnType<typeof testService>['service']): {
  client: TestClient;
  stream: number;
} {
  const client = new TestClient(service).login('alice');
  const stream = client.newUniStream();
  client.on(stream, 'UploadStart', {
    room_id: 1,
    filename: 'a',
    mime_type: 'x',
    size: 4,
    checksum: 'ab'.repeat(32),
  });
  return { client, stream };
}

describe('UploadChunk metadata (13/chunk-bad-metadata)', () => {
  it('without a size: INVALID_FRAME 1001 and the stream aborted', () => {
    const { service } = testService();
    const { client, stream } = uploader(service);
    client.raw(stream, frame(FRAME_CODES.UploadChunk, '{"upload_id":1,"offset":0}'));
    expect(client.errors().map((e) => e.code)).toEqual([ERROR_CODES.INVALID_FRAME]);
    expect(client.port.actions.some((a) => a.type === 'abort' && a.streamId === stream)).toBe(true);
  });

  it('with a valid size but a bad other field: 1007 naming the field, the bytes skipped, the stream kept', () => {
    const { service } = testService();
    const { client, stream } = uploader(service);
    client.raw(
      stream,
      frame(FRAME_CODES.UploadChunk, '{"upload_id":"x","offset":0,"size":3}', Buffer.from('abc')),
    );
    client.on(stream, 'UploadCancel', { upload_id: 1, reason: 'x' });
    expect(client.errors()).toEqual([
      expect.objectContaining({ code: ERROR_CODES.INVALID_MESSAGE, context: 'UploadChunk.upload_id' }),
    ]);
    expect(client.port.actions.some((a) => a.type === 'abort')).toBe(false);
    // The UploadCancel after the skipped bytes was read as a frame: a second cancel finds no upload.
    client.on(stream, 'UploadCancel', { upload_id: 1, reason: 'x' });
    expect(client.errors().at(-1)?.code).toBe(ERROR_CODES.UPLOAD_FAILED);
  });
});

describe('echo bound', () => {
  it('an Auth method near 16 MiB gets AuthFailed, not SERVER_ERROR', () => {
    const { service } = testService();
    const client = new TestClient(service);
    client.control('Hello', { version: 1, capabilities: [] });
    const method = 'm'.repeat(MAX_PAYLOAD_BYTES - 64);
    client.raw(0, frame(FRAME_CODES.Auth, `{"method":"${method}","credentials":"x"}`));
    expect(client.controlOf('AuthFailed').map((f) => f.payload.code)).toEqual([ERROR_CODES.AUTH_FAILED]);
    expect(client.errors()).toEqual([]);
  });

  it('a ServerCommand name near 16 MiB gets 1007 with a short message', () => {
    const { service } = testService();
    const client = new TestClient(service).login('alice');
    const command = 'c'.repeat(MAX_PAYLOAD_BYTES - 64);
    client.raw(0, frame(FRAME_CODES.ServerCommand, `{"command":"${command}","params":null}`));
    const errors = client.errors();
    expect(errors.map((e) => e.code)).toEqual([ERROR_CODES.INVALID_MESSAGE]);
    expect(errors[0]!.message.length).toBeLessThanOrEqual(1024);
  });
});

describe('datagram rate (17/datagram-rate)', () => {
  it('relays at most datagram_rate Typing datagrams per second per connection', () => {
    const { service, clock } = testService({ datagram_rate: 5 });
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    bob.port.clear();
    for (let i = 0; i < 1000; i++) alice.datagram('Typing', { room_id: 1, user_id: null });
    expect(bob.port.datagrams().length).toBeLessThanOrEqual(5);
    clock.advance(1000);
    for (let i = 0; i < 1000; i++) alice.datagram('Typing', { room_id: 1, user_id: null });
    expect(bob.port.datagrams().length).toBeGreaterThan(5);
    expect(bob.port.datagrams().length).toBeLessThanOrEqual(10);
  });
});
