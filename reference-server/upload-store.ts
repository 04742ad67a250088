/**
 * File uploads on disk (PROTOCOL.md 13): start, sequential chunks, SHA-256 verified completion, cancel, and the
 * lookup of completed uploads for message attachments.
 *
 * Every file lives at <dataDir>/<upload_id>/<sanitized filename>: the client's filename only ever contributes one
 * sanitized path segment, and the final path is checked to be inside the data directory before anything is written.
 * Writes are synchronous: chunks of one upload must land in order, and a 1 MiB append is short.
 */
import { createHash, type Hash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { ERROR_CODES, type U64 } from '../spec/index.js';
import { fail, succeed, type CommandFailure, type CommandResult } from './protocol-errors.js';

/** Longest sanitized filename, in characters (all ASCII after sanitizing, so also bytes). */
export const MAX_FILENAME_LENGTH = 128;

/** Who owns an upload: the server-local connection id. Only the owner may add to it. */
export type UploadOwner = number;

/** What a client declares in UploadStart. */
export interface UploadDeclaration {
  readonly roomId: U64;
  readonly filename: string;
  readonly mimeType: string;
  readonly size: U64;
  /** SHA-256 of the whole file, 64 lowercase hex digits. */
  readonly checksum: string;
}

/** A completed, verified upload. */
export interface CompletedUpload {
  readonly uploadId: number;
  readonly roomId: U64;
  readonly filename: string;
  readonly mimeType: string;
  readonly size: number;
  readonly url: string;
  /** Absolute path of the stored file. */
  readonly path: string;
}

/** Upload limits and location. */
export interface UploadStoreOptions {
  readonly dataDir: string;
  readonly maxUploadBytes: number;
  readonly maxUploadsPerOwner: number;
}

interface PendingUpload {
  readonly uploadId: number;
  readonly owner: UploadOwner;
  readonly declaration: UploadDeclaration;
  readonly size: number;
  readonly checksum: string;
  readonly filename: string;
  readonly path: string;
  readonly hash: Hash;
  received: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SAFE_FILENAME_CHAR = /^[A-Za-z0-9._-]$/;

/**
 * Sanitizes a client filename (PROTOCOL.md 13/filename-sanitize): every character (code point) outside
 * `A-Z a-z 0-9 . _ -` becomes `_`, the result is cut to 128 characters, and a result that is empty or only dots
 * becomes "file". No separator survives and "." or ".." cannot result, so the name is always one plain path segment.
 */
export function sanitizeFilename(raw: string): string {
  let name = '';
  let length = 0;
  for (const ch of raw) {
    if (length === MAX_FILENAME_LENGTH) break;
    name += SAFE_FILENAME_CHAR.test(ch) ? ch : '_';
    length++;
  }
  return /^\.*$/.test(name) ? 'file' : name;
}

/** URL of a completed upload: garou://uploads/<id>/<sanitized filename> (sanitized names need no escaping). */
export function uploadUrl(uploadId: number, sanitizedFilename: string): string {
  return `garou://uploads/${uploadId}/${sanitizedFilename}`;
}

/** Returns `dataDir` (created if missing), or a fresh temporary directory when it is null. */
export function ensureDataDir(dataDir: string | null): string {
  if (dataDir === null) return mkdtempSync(join(tmpdir(), 'garou-uploads-'));
  mkdirSync(dataDir, { recursive: true });
  return resolve(dataDir);
}

function uploadContext(uploadId: U64): string {
  return `upload ${uploadId}`;
}

/** Uploads in progress and completed, stored under one data directory. */
export class UploadStore {
  private readonly root: string;
  private readonly pending = new Map<number, PendingUpload>();
  private readonly completedUploads = new Map<number, CompletedUpload>();
  private readonly pendingByOwner = new Map<UploadOwner, Set<number>>();
  private lastUploadId = 0;

  constructor(private readonly options: UploadStoreOptions) {
    this.root = resolve(options.dataDir);
    mkdirSync(this.root, { recursive: true });
  }

  /** Number of unfinished uploads (all owners). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts an upload: checks the declaration, creates its empty file, and returns the new upload id. */
  start(owner: UploadOwner, declaration: UploadDeclaration): CommandResult<{ uploadId: number }> {
    const { size } = declaration;
    if (typeof size !== 'number' || size > this.options.maxUploadBytes)
      return fail(
        ERROR_CODES.UPLOAD_FAILED,
        `upload of ${size} bytes exceeds the limit of ${this.options.maxUploadBytes}`,
        'UploadStart.size',
      );
    const checksum = declaration.checksum;
    if (!SHA256_HEX.test(checksum))
      return fail(
        ERROR_CODES.INVALID_MESSAGE,
        'checksum must be 64 lowercase hex digits (SHA-256)',
        'UploadStart.checksum',
      );
    const mine = this.pendingByOwner.get(owner);
    if (mine && mine.size >= this.options.maxUploadsPerOwner)
      return fail(
        ERROR_CODES.UPLOAD_FAILED,
        `at most ${this.options.maxUploadsPerOwner} unfinished uploads per connection`,
        'UploadStart',
      );
    const uploadId = ++this.lastUploadId;
    const filename = sanitizeFilename(declaration.filename);
    const directory = join(this.root, String(uploadId));
    const path = resolve(directory, filename);
    // Defence in depth: sanitizeFilename already guarantees one plain segment.
    if (!path.startsWith(directory + sep))
      return fail(
        ERROR_CODES.UPLOAD_FAILED,
        'filename resolves outside the upload directory',
        'UploadStart.filename',
      );
    try {
      mkdirSync(directory, { recursive: true });
      writeFileSync(path, new Uint8Array(0), { flag: 'wx' });
    } catch (err) {
      return fail(
        ERROR_CODES.SERVER_ERROR,
        `cannot create upload file: ${(err as Error).message}`,
        uploadContext(uploadId),
      );
    }
    const upload: PendingUpload = {
      uploadId,
      owner,
      declaration,
      size,
      checksum,
      filename,
      path,
      hash: createHash('sha256'),
      received: 0,
    };
    this.pending.set(uploadId, upload);
    if (mine) mine.add(uploadId);
    else this.pendingByOwner.set(owner, new Set([uploadId]));
    return succeed({ uploadId });
  }

  /**
   * Appends a chunk. Chunks are sequential: `offset` must equal the bytes received so far, and the total may not
   * exceed the declared size. Any failure discards the upload (the client starts over).
   */
  appendChunk(
    owner: UploadOwner,
    uploadId: U64,
    offset: U64,
    data: Uint8Array,
  ): CommandResult<{ bytesReceived: number }> {
    const found = this.ownedPending(owner, uploadId);
    if (!found.ok) return found;
    const upload = found.value;
    if (offset !== upload.received)
      return this.abort(upload, `chunk offset ${offset} but ${upload.received} bytes received so far`);
    if (upload.received + data.length > upload.size)
      return this.abort(upload, `chunk overflows the declared size of ${upload.size} bytes`);
    try {
      appendFileSync(upload.path, data);
    } catch (err) {
      this.discard(upload);
      return fail(
        ERROR_CODES.SERVER_ERROR,
        `cannot write upload: ${(err as Error).message}`,
        uploadContext(uploadId),
      );
    }
    upload.hash.update(data);
    upload.received += data.length;
    return succeed({ bytesReceived: upload.received });
  }

  /** Completes an upload: size and SHA-256 must match the declaration; returns the completed record with its URL. */
  complete(owner: UploadOwner, uploadId: U64): CommandResult<CompletedUpload> {
    const found = this.ownedPending(owner, uploadId);
    if (!found.ok) return found;
    const upload = found.value;
    if (upload.received !== upload.size)
      return this.abort(upload, `received ${upload.received} of ${upload.size} bytes`);
    const digest = upload.hash.digest('hex');
    if (digest !== upload.checksum)
      return this.abort(upload, `SHA-256 mismatch: declared ${upload.checksum}, got ${digest}`);
    this.forgetPending(upload);
    const completed: CompletedUpload = {
      uploadId: upload.uploadId,
      roomId: upload.declaration.roomId,
      filename: upload.filename,
      mimeType: upload.declaration.mimeType,
      size: upload.size,
      url: uploadUrl(upload.uploadId, upload.filename),
      path: upload.path,
    };
    this.completedUploads.set(upload.uploadId, completed);
    return succeed(completed);
  }

  /** Cancels an unfinished upload and deletes what was stored. */
  cancel(owner: UploadOwner, uploadId: U64): CommandResult<null> {
    const found = this.ownedPending(owner, uploadId);
    if (!found.ok) return found;
    this.discard(found.value);
    return succeed(null);
  }

  /** Discards every unfinished upload of an owner (its connection closed). */
  releaseOwner(owner: UploadOwner): void {
    const ids = this.pendingByOwner.get(owner);
    if (!ids) return;
    for (const id of [...ids]) {
      const upload = this.pending.get(id);
      if (upload) this.discard(upload);
    }
    this.pendingByOwner.delete(owner);
  }

  /** A completed upload by id (for attachments); undefined when unknown or unfinished. */
  completed(uploadId: U64): CompletedUpload | undefined {
    return typeof uploadId === 'number' ? this.completedUploads.get(uploadId) : undefined;
  }

  /** Bytes received so far for an unfinished upload of `owner`. */
  bytesReceived(owner: UploadOwner, uploadId: U64): number | undefined {
    const upload = typeof uploadId === 'number' ? this.pending.get(uploadId) : undefined;
    return upload && upload.owner === owner ? upload.received : undefined;
  }

  private ownedPending(owner: UploadOwner, uploadId: U64): CommandResult<PendingUpload> {
    const upload = typeof uploadId === 'number' ? this.pending.get(uploadId) : undefined;
    // Another connection's upload is reported exactly like an unknown one: ids are not capabilities to probe.
    if (!upload || upload.owner !== owner)
      return fail(
        ERROR_CODES.UPLOAD_FAILED,
        'no unfinished upload with this id on this connection',
        uploadContext(uploadId),
      );
    return succeed(upload);
  }

  private abort(upload: PendingUpload, reason: string): { ok: false; failure: CommandFailure } {
    this.discard(upload);
    return fail(ERROR_CODES.UPLOAD_FAILED, reason, uploadContext(upload.uploadId));
  }

  private discard(upload: PendingUpload): void {
    this.forgetPending(upload);
    rmSync(join(this.root, String(upload.uploadId)), { recursive: true, force: true });
  }

  private forgetPending(upload: PendingUpload): void {
    this.pending.delete(upload.uploadId);
    const mine = this.pendingByOwner.get(upload.owner);
    mine?.delete(upload.uploadId);
    if (mine && mine.size === 0) this.pendingByOwner.delete(upload.owner);
  }
}
