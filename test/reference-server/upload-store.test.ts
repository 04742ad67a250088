import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CommandResult } from '../../reference-server/protocol-errors.js';
import { ERROR_CODES } from '../../spec/index.js';
import {
  MAX_FILENAME_LENGTH,
  UploadStore,
  type CompletedUpload,
  sanitizeFilename,
  uploadUrl,
} from '../../reference-server/upload-store.js';

function ok<T>(result: CommandResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.value;
}
function failure<T>(result: CommandResult<T>) {
  if (result.ok) throw new Error('expected a failure');
  return result.failure;
}
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['my photo/ä.png', 'my_photo__.png'], // the example of PROTOCOL.md 13/filename-sanitize
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['/etc/shadow', '_etc_shadow'],
    ['C:\\Windows\\evil.exe', 'C__Windows_evil.exe'],
    ['..', 'file'],
    ['.', 'file'],
    ['...', 'file'],
    ['', 'file'],
    ['.bashrc', '.bashrc'],
    ['a\u0000b.txt', 'a_b.txt'],
    ['name\n.txt', 'name_.txt'],
    ['🐢.png', '_.png'], // one code point, one underscore
    ['\u202egnp.exe', '_gnp.exe'],
    ['what?<is>*this*.txt', 'what__is__this_.txt'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it('cuts to 128 characters', () => {
    expect(sanitizeFilename('a'.repeat(300))).toBe('a'.repeat(MAX_FILENAME_LENGTH));
    expect(sanitizeFilename('é'.repeat(300))).toBe('_'.repeat(MAX_FILENAME_LENGTH));
  });

  it('always yields one plain path segment inside the directory, for any input', () => {
    const base = resolve('/data/7');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const name = sanitizeFilename(raw);
        expect(name).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
        expect(['.', '..']).not.toContain(name);
        expect(dirname(resolve(base, name))).toBe(base);
      }),
      { numRuns: 1000 },
    );
  });

  it('builds garou URLs', () => {
    expect(uploadUrl(3, 'a.txt')).toBe('garou://uploads/3/a.txt');
  });
});

describe('UploadStore', () => {
  let dataDir: string;
  let store: UploadStore;
  const content = new TextEncoder().encode('hello, upload world');
  // Disk work is asynchronous: no promise of the store may ever reject unobserved.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(() => {
    process.on('unhandledRejection', onUnhandled);
    dataDir = mkdtempSync(join(tmpdir(), 'garou-upload-test-'));
    store = new UploadStore({ dataDir, maxUploadBytes: 1000, maxUploadsPerOwner: 2 });
  });
  afterEach(async () => {
    await store.close();
    // Let a rejection of the last step surface before checking.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    rmSync(dataDir, { recursive: true, force: true });
    vi.restoreAllMocks();
    expect(unhandled.splice(0)).toEqual([]);
  });

  function start(filename = 'hello.txt', size = content.length, checksum = sha256(content), owner = 1) {
    return store.start(owner, { roomId: 1, filename, mimeType: 'text/plain', size, checksum });
  }

  it('stores sequential chunks, verifies SHA-256, and returns the URL', async () => {
    const { uploadId } = ok(start());
    expect(uploadId).toBe(1);
    expect(ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 5))).bytesReceived).toBe(5);
    expect(ok(store.appendChunk(1, uploadId, 5, content.subarray(5))).bytesReceived).toBe(content.length);
    const done = ok(await store.complete(1, uploadId));
    expect(done.url).toBe('garou://uploads/1/hello.txt');
    expect(done.filename).toBe('hello.txt');
    expect(done.path).toBe(join(dataDir, '1', 'hello.txt'));
    expect(readFileSync(done.path)).toEqual(Buffer.from(content));
    expect(store.completed(uploadId)).toEqual(done);
    expect(store.pendingCount).toBe(0);
  });

  it('many chunks queued at once land in order, complete and verified', async () => {
    const big = new UploadStore({ dataDir, maxUploadBytes: 1 << 20, maxUploadsPerOwner: 4 });
    const data = randomBytes(300_000);
    const id = ok(
      big.start(1, { roomId: 1, filename: 'b', mimeType: '', size: data.length, checksum: sha256(data) }),
    ).uploadId;
    // Uneven chunk sizes (including empty ones), all appended before any write can run.
    const sizes = [1, 0, 4096, 7, 65_536, 0, 12_345, 100_000];
    let offset = 0;
    for (let i = 0; offset < data.length; i++) {
      const end = Math.min(data.length, offset + sizes[i % sizes.length]!);
      ok(big.appendChunk(1, id, offset, data.subarray(offset, end)));
      offset = end;
    }
    expect(big.queuedWriteBytes).toBe(data.length);
    const done = ok(await big.complete(1, id));
    expect(big.queuedWriteBytes).toBe(0);
    expect(sha256(readFileSync(done.path))).toBe(sha256(data));
    await big.close();
  });

  it('complete resolves only once the whole file is on disk, and counts as completed only then', async () => {
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 7)));
    ok(store.appendChunk(1, uploadId, 7, content.subarray(7)));
    const completion = store.complete(1, uploadId);
    expect(completion).toBeInstanceOf(Promise);
    // Not usable as an attachment yet, and finished for the protocol: no more chunks or cancel.
    expect(store.completed(uploadId)).toBeUndefined();
    expect(failure(store.cancel(1, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    const onDisk = await (completion as Promise<CommandResult<CompletedUpload>>).then((result) => {
      const path = ok(result).path;
      // Read synchronously in the settling callback: what the UploadAck's sender would see.
      return { bytes: readFileSync(path), completed: store.completed(uploadId) };
    });
    expect(onDisk.bytes).toEqual(Buffer.from(content));
    expect(onDisk.completed?.uploadId).toBe(uploadId);
  });

  it('refuses an upper-case checksum (64 lowercase hex digits only)', () => {
    expect(failure(start('a', content.length, sha256(content).toUpperCase()))).toMatchObject({
      code: ERROR_CODES.INVALID_MESSAGE,
      context: 'UploadStart.checksum',
    });
  });

  it('keeps traversal filenames inside the data directory', async () => {
    for (const name of ['../../etc/passwd', '/etc/passwd', '..\\..\\boot.ini', '\u0000']) {
      const { uploadId } = ok(start(name));
      ok(store.appendChunk(1, uploadId, 0, content));
      const done = ok(await store.complete(1, uploadId));
      expect(done.path.startsWith(join(dataDir, String(uploadId)) + '/')).toBe(true);
    }
    expect(existsSync(join(dataDir, '..', 'etc'))).toBe(false);
  });

  it('fails and discards on a checksum mismatch, at once', async () => {
    const { uploadId } = ok(start('x', content.length, sha256(new Uint8Array([1]))));
    ok(store.appendChunk(1, uploadId, 0, content));
    const result = store.complete(1, uploadId);
    expect(result).not.toBeInstanceOf(Promise);
    expect(failure(await result)).toMatchObject({
      code: ERROR_CODES.UPLOAD_FAILED,
      context: `upload ${uploadId}`,
    });
    await store.idle();
    expect(existsSync(join(dataDir, String(uploadId)))).toBe(false);
    expect(store.completed(uploadId)).toBeUndefined();
    // The upload is gone: further chunks are refused.
    expect(failure(store.appendChunk(1, uploadId, 0, content)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
  });

  it('fails on out-of-order offsets, overflow, and early completion', async () => {
    const a = ok(start()).uploadId;
    expect(failure(store.appendChunk(1, a, 3, content)).message).toMatch(/offset 3 but 0/);
    const b = ok(start()).uploadId;
    expect(failure(store.appendChunk(1, b, 0, new Uint8Array(content.length + 1))).code).toBe(
      ERROR_CODES.UPLOAD_FAILED,
    );
    const c = ok(start()).uploadId;
    ok(store.appendChunk(1, c, 0, content.subarray(0, 3)));
    expect(failure(await store.complete(1, c)).message).toMatch(/received 3 of/);
  });

  it("refuses another connection's upload as if unknown", async () => {
    const { uploadId } = ok(start());
    expect(failure(store.appendChunk(2, uploadId, 0, content))).toMatchObject({
      code: ERROR_CODES.UPLOAD_FAILED,
    });
    expect(failure(await store.complete(2, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    expect(failure(store.cancel(2, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    expect(store.bytesReceived(1, uploadId)).toBe(0); // untouched
  });

  it('cancel deletes the partial file', async () => {
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 4)));
    ok(store.cancel(1, uploadId));
    expect(failure(store.cancel(1, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    await store.idle();
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('cancel while writes are queued drops them, releases their bytes and removes the directory', async () => {
    const { uploadId } = ok(start());
    for (let offset = 0; offset < content.length; offset += 4)
      ok(store.appendChunk(1, uploadId, offset, content.subarray(offset, offset + 4)));
    expect(store.queuedWriteBytes).toBe(content.length);
    ok(store.cancel(1, uploadId));
    expect(store.pendingCount).toBe(0);
    await store.idle();
    expect(store.queuedWriteBytes).toBe(0);
    expect(readdirSync(dataDir)).toEqual([]);
    // The id stays dead.
    expect(failure(store.appendChunk(1, uploadId, content.length, new Uint8Array(0))).code).toBe(
      ERROR_CODES.UPLOAD_FAILED,
    );
  });

  it('checks size and checksum format at start', () => {
    expect(failure(start('x', 1001))).toMatchObject({
      code: ERROR_CODES.UPLOAD_FAILED,
      context: 'UploadStart.size',
    });
    expect(
      failure(
        store.start(1, {
          roomId: 1,
          filename: 'x',
          mimeType: '',
          size: 2n ** 60n,
          checksum: sha256(content),
        }),
      ).code,
    ).toBe(ERROR_CODES.UPLOAD_FAILED);
    expect(failure(start('x', 3, 'abc'))).toMatchObject({
      code: ERROR_CODES.INVALID_MESSAGE,
      context: 'UploadStart.checksum',
    });
  });

  it('bounds unfinished uploads per connection; releaseOwner frees them and their files', async () => {
    ok(start());
    const queued = ok(start()).uploadId;
    ok(store.appendChunk(1, queued, 0, content)); // a write still queued when the connection closes
    expect(failure(start()).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    ok(start('other', content.length, sha256(content), 2)); // another owner is independent
    store.releaseOwner(1);
    expect(store.pendingCount).toBe(1);
    ok(start());
    await store.idle();
    expect(readdirSync(dataDir).sort()).toEqual(['3', '4']);
    expect(store.queuedWriteBytes).toBe(0);
  });

  it('a zero-byte upload completes with the empty-input digest', async () => {
    const { uploadId } = ok(start('empty', 0, sha256(new Uint8Array(0))));
    const done = ok(await store.complete(1, uploadId));
    expect(done.size).toBe(0);
    expect(readFileSync(done.path).length).toBe(0);
  });

  it('a file that cannot be created fails the upload at the next chunk (SERVER_ERROR), without throwing', async () => {
    writeFileSync(join(dataDir, '1'), 'in the way'); // upload 1's directory cannot be made
    const { uploadId } = ok(start()); // answered at once
    await store.idle();
    expect(failure(store.appendChunk(1, uploadId, 0, content))).toMatchObject({
      code: ERROR_CODES.SERVER_ERROR,
      message: expect.stringMatching(/^cannot create upload file: /),
      context: 'upload 1',
    });
    expect(store.pendingCount).toBe(0);
  });

  it('a file that cannot be created fails at complete when the chunks were already queued', async () => {
    writeFileSync(join(dataDir, '1'), 'in the way');
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content)); // before the chain tried to create the file
    expect(failure(await store.complete(1, uploadId))).toMatchObject({
      code: ERROR_CODES.SERVER_ERROR,
      message: expect.stringMatching(/^cannot create upload file: /),
      context: 'upload 1',
    });
    expect(store.completed(uploadId)).toBeUndefined();
    expect(store.queuedWriteBytes).toBe(0);
  });

  it('a failed write fails the upload with SERVER_ERROR at complete and removes it, without throwing', async () => {
    const probe = await open(join(dataDir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    rmSync(join(dataDir, 'probe'));
    vi.spyOn(fileHandle, 'write').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 4)));
    ok(store.appendChunk(1, uploadId, 4, content.subarray(4)));
    expect(failure(await store.complete(1, uploadId))).toEqual({
      code: ERROR_CODES.SERVER_ERROR,
      message: 'cannot write upload: ENOSPC: no space left on device',
      context: 'upload 1',
    });
    expect(store.completed(uploadId)).toBeUndefined();
    await store.idle();
    expect(readdirSync(dataDir)).toEqual([]);
    expect(store.queuedWriteBytes).toBe(0);
  });

  it('a failed write is reported at the next chunk once the chain has seen it', async () => {
    const probe = await open(join(dataDir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    rmSync(join(dataDir, 'probe'));
    vi.spyOn(fileHandle, 'write').mockRejectedValueOnce(new Error('EIO: i/o error'));
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 4)));
    await store.idle();
    expect(failure(store.appendChunk(1, uploadId, 4, content.subarray(4)))).toMatchObject({
      code: ERROR_CODES.SERVER_ERROR,
      message: 'cannot write upload: EIO: i/o error',
    });
    // Discarded: later frames fail like for an unknown upload.
    expect(failure(await store.complete(1, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
  });

  it('bounds the bytes waiting for the disk server-wide: a chunk beyond it fails its upload', async () => {
    const bounded = new UploadStore({
      dataDir,
      maxUploadBytes: 1000,
      maxUploadsPerOwner: 4,
      maxQueuedWriteBytes: 30,
    });
    const data = new Uint8Array(20).fill(7);
    const declare = (owner: number) =>
      ok(
        bounded.start(owner, {
          roomId: 1,
          filename: 'q',
          mimeType: '',
          size: 40,
          checksum: sha256(new Uint8Array(40).fill(7)),
        }),
      ).uploadId;
    const a = declare(1);
    const b = declare(2);
    ok(bounded.appendChunk(1, a, 0, data));
    // 20 queued + 20 > 30: the other connection's chunk is refused, not buffered.
    expect(failure(bounded.appendChunk(2, b, 0, data))).toEqual({
      code: ERROR_CODES.UPLOAD_FAILED,
      message: 'server upload write queue full (30 bytes waiting for the disk); start over later',
      context: `upload ${b}`,
    });
    expect(bounded.bytesReceived(2, b)).toBeUndefined(); // discarded
    expect(bounded.queuedWriteBytes).toBe(20);
    await bounded.idle();
    // Once written, the room is back: the first upload goes on and completes.
    ok(bounded.appendChunk(1, a, 20, data));
    const done = ok(await bounded.complete(1, a));
    expect(readFileSync(done.path)).toEqual(Buffer.from(new Uint8Array(40).fill(7)));
    await bounded.close();
  });

  it('close waits for completions, discards unfinished uploads and refuses new ones', async () => {
    const finishing = ok(start()).uploadId;
    ok(store.appendChunk(1, finishing, 0, content));
    const completion = store.complete(1, finishing);
    const unfinished = ok(start()).uploadId;
    ok(store.appendChunk(1, unfinished, 0, content.subarray(0, 3)));
    await store.close();
    expect(store.completed(finishing)).toBeDefined();
    expect(ok(await completion).uploadId).toBe(finishing);
    expect(readdirSync(dataDir)).toEqual([String(finishing)]);
    expect(store.pendingCount).toBe(0);
    expect(failure(start()).code).toBe(ERROR_CODES.SERVER_ERROR);
  });
});
