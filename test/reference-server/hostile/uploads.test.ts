/**
 * Hostile clients against uploads (issue 16, items 6 and 7; PROTOCOL.md 13/attachment-owner, 17/upload-quota,
 * 17/upload-retention): attachments are the sender's own completed uploads for that room; upload bytes are bounded
 * per user and in total; completed uploads expire.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { userIdForUsername } from '../../../reference-server/user-identity.js';
import { ERROR_CODES } from '../../../spec/index.js';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';

afterAll(removeTestDirs);

/** Uploads `data` into `roomId` on a fresh uni stream; returns the upload id from the UploadAck. */
function startUpload(
  client: TestClient,
  roomId: number,
  data: Uint8Array,
  name = 'f.txt',
): number | undefined {
  const stream = client.newUniStream();
  const before = client.controlOf('UploadAck').length;
  client.on(stream, 'UploadStart', {
    room_id: roomId,
    filename: name,
    mime_type: 'text/plain',
    size: data.length,
    checksum: createHash('sha256').update(data).digest('hex'),
  });
  const ack = client.controlOf('UploadAck')[before];
  if (!ack) return undefined;
  const id = ack.payload.upload_id as number;
  client.chunk(stream, id, 0, data);
  client.on(stream, 'UploadComplete', { upload_id: id });
  return id;
}

function send(client: TestClient, roomId: number, attachments: number[], nonce: string): void {
  client.command('SendMessage', { room_id: roomId, content: 'see file', nonce, reply_to: null, attachments });
}

describe('attachments', () => {
  it('only the uploader, and only in the room the upload was made for, may attach it', async () => {
    const { service } = testService();
    const alice = new TestClient(service).login('alice');
    const bob = new TestClient(service).login('bob');
    const mallory = new TestClient(service).login('mallory');
    alice.command('CreateRoom', { name: 'dm', room_type: 'direct', members: [userIdForUsername('bob')] });
    const direct = alice.framesOn(alice.port.streamsWritten().at(-1)!).find((f) => f.name === 'RoomInit');
    const directId = direct?.payload.room_id as number;
    const id = startUpload(alice, directId, Buffer.from('private'))!;
    await service.uploads.idle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(alice.controlOf('UploadAck').at(-1)?.payload.url).toMatch(/^garou:\/\/uploads\//);

    send(mallory, 1, [id], 'steal');
    expect(mallory.errors()).toEqual([
      {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `attachment ${id} is not a completed upload of yours for room 1`,
        context: 'SendMessage.attachments nonce=steal',
      },
    ]);
    send(alice, 1, [id], 'wrong-room');
    expect(alice.errors().map((e) => e.context)).toEqual(['SendMessage.attachments nonce=wrong-room']);
    send(alice, directId, [id], 'ok');
    expect(alice.controlOf('MessageAck').map((f) => f.payload.nonce)).toEqual(['ok']);
    // Nothing of the upload reached room 1.
    const seen = mallory.port.streamsWritten().flatMap((s) => mallory.framesOn(s));
    expect(seen.filter((f) => f.name === 'RoomMessage' && f.payload.attachments.length > 0)).toEqual([]);
    expect(bob.session.state).toBe('ready');
  });
});

describe('upload quotas and retention', () => {
  it('a user cannot store more than max_upload_bytes_per_user, even over several connections', async () => {
    const { service } = testService({ max_upload_bytes_per_user: 1000 });
    const first = new TestClient(service).login('alice');
    expect(startUpload(first, 1, Buffer.alloc(600, 1))).toBeDefined();
    await service.uploads.idle();
    const second = new TestClient(service).login('alice');
    expect(startUpload(second, 1, Buffer.alloc(600, 2))).toBeUndefined();
    expect(second.errors()).toEqual([
      {
        code: ERROR_CODES.UPLOAD_FAILED,
        message: 'upload of 600 bytes exceeds your upload quota: 600 of 1000 bytes used',
        context: 'UploadStart.size',
      },
    ]);
    const other = new TestClient(service).login('bob');
    expect(startUpload(other, 1, Buffer.alloc(600, 3))).toBeDefined();
  });

  it('the server stores at most max_upload_bytes_total over all users', async () => {
    const { service } = testService({ max_upload_bytes_total: 1000 });
    const users = ['a', 'b', 'c'].map((name) => new TestClient(service).login(name));
    const ids = users.map((u) => startUpload(u, 1, Buffer.alloc(400, 1)));
    await service.uploads.idle();
    expect(ids.filter((id) => id !== undefined)).toHaveLength(2);
    expect(users[2]!.errors()[0]?.message).toMatch(/server upload storage is full/);
  });

  it('completed uploads older than upload_retention_ms are deleted and their quota is freed', async () => {
    const { service, clock } = testService({ upload_retention_ms: 60_000, max_upload_bytes_per_user: 1000 });
    const alice = new TestClient(service).login('alice');
    const id = startUpload(alice, 1, Buffer.alloc(800, 1))!;
    await service.uploads.idle();
    await new Promise((resolve) => setImmediate(resolve));
    const path = service.uploads.completed(id)!.path;
    expect(existsSync(path)).toBe(true);
    clock.advance(61_000);
    service.tick();
    await service.uploads.idle();
    expect(service.uploads.completed(id)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    send(alice, 1, [id], 'late');
    expect(alice.errors().at(-1)?.code).toBe(ERROR_CODES.INVALID_MESSAGE);
    expect(startUpload(alice, 1, Buffer.alloc(800, 2))).toBeDefined();
  });
});
