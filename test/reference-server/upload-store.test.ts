import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandResult } from '../../reference-server/protocol-errors.js';
import { ERROR_CODES } from '../../spec/index.js';
import {
  MAX_FILENAME_LENGTH,
  UploadStore,
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

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'garou-upload-test-'));
    store = new UploadStore({ dataDir, maxUploadBytes: 1000, maxUploadsPerOwner: 2 });
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  function start(filename = 'hello.txt', size = content.length, checksum = sha256(content), owner = 1) {
    return store.start(owner, { roomId: 1, filename, mimeType: 'text/plain', size, checksum });
  }

  it('stores sequential chunks, verifies SHA-256, and returns the URL', () => {
    const { uploadId } = ok(start());
    expect(uploadId).toBe(1);
    expect(ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 5))).bytesReceived).toBe(5);
    expect(ok(store.appendChunk(1, uploadId, 5, content.subarray(5))).bytesReceived).toBe(content.length);
    const done = ok(store.complete(1, uploadId));
    expect(done.url).toBe('garou://uploads/1/hello.txt');
    expect(done.filename).toBe('hello.txt');
    expect(done.path).toBe(join(dataDir, '1', 'hello.txt'));
    expect(readFileSync(done.path)).toEqual(Buffer.from(content));
    expect(store.completed(uploadId)).toEqual(done);
    expect(store.pendingCount).toBe(0);
  });

  it('refuses an upper-case checksum (64 lowercase hex digits only)', () => {
    expect(failure(start('a', content.length, sha256(content).toUpperCase()))).toMatchObject({
      code: ERROR_CODES.INVALID_MESSAGE,
      context: 'UploadStart.checksum',
    });
  });

  it('keeps traversal filenames inside the data directory', () => {
    for (const name of ['../../etc/passwd', '/etc/passwd', '..\\..\\boot.ini', '\u0000']) {
      const { uploadId } = ok(start(name));
      ok(store.appendChunk(1, uploadId, 0, content));
      const done = ok(store.complete(1, uploadId));
      expect(done.path.startsWith(join(dataDir, String(uploadId)) + '/')).toBe(true);
    }
    expect(existsSync(join(dataDir, '..', 'etc'))).toBe(false);
  });

  it('fails and discards on a checksum mismatch', () => {
    const { uploadId } = ok(start('x', content.length, sha256(new Uint8Array([1]))));
    ok(store.appendChunk(1, uploadId, 0, content));
    expect(failure(store.complete(1, uploadId))).toMatchObject({
      code: ERROR_CODES.UPLOAD_FAILED,
      context: `upload ${uploadId}`,
    });
    expect(existsSync(join(dataDir, String(uploadId)))).toBe(false);
    expect(store.completed(uploadId)).toBeUndefined();
    // The upload is gone: further chunks are refused.
    expect(failure(store.appendChunk(1, uploadId, 0, content)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
  });

  it('fails on out-of-order offsets, overflow, and early completion', () => {
    const a = ok(start()).uploadId;
    expect(failure(store.appendChunk(1, a, 3, content)).message).toMatch(/offset 3 but 0/);
    const b = ok(start()).uploadId;
    expect(failure(store.appendChunk(1, b, 0, new Uint8Array(content.length + 1))).code).toBe(
      ERROR_CODES.UPLOAD_FAILED,
    );
    const c = ok(start()).uploadId;
    ok(store.appendChunk(1, c, 0, content.subarray(0, 3)));
    expect(failure(store.complete(1, c)).message).toMatch(/received 3 of/);
  });

  it("refuses another connection's upload as if unknown", () => {
    const { uploadId } = ok(start());
    expect(failure(store.appendChunk(2, uploadId, 0, content))).toMatchObject({
      code: ERROR_CODES.UPLOAD_FAILED,
    });
    expect(failure(store.complete(2, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    expect(failure(store.cancel(2, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    expect(store.bytesReceived(1, uploadId)).toBe(0); // untouched
  });

  it('cancel deletes the partial file', () => {
    const { uploadId } = ok(start());
    ok(store.appendChunk(1, uploadId, 0, content.subarray(0, 4)));
    ok(store.cancel(1, uploadId));
    expect(readdirSync(dataDir)).toEqual([]);
    expect(failure(store.cancel(1, uploadId)).code).toBe(ERROR_CODES.UPLOAD_FAILED);
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

  it('bounds unfinished uploads per connection; releaseOwner frees them and their files', () => {
    ok(start());
    ok(start());
    expect(failure(start()).code).toBe(ERROR_CODES.UPLOAD_FAILED);
    ok(start('other', content.length, sha256(content), 2)); // another owner is independent
    store.releaseOwner(1);
    expect(store.pendingCount).toBe(1);
    expect(readdirSync(dataDir)).toEqual(['3']);
    ok(start());
  });

  it('a zero-byte upload completes with the empty-input digest', () => {
    const { uploadId } = ok(start('empty', 0, sha256(new Uint8Array(0))));
    expect(ok(store.complete(1, uploadId)).size).toBe(0);
  });
});
