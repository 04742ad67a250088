/**
 * File uploads on disk (PROTOCOL.md 13): start, sequential chunks, SHA-256 verified completion, cancel, and the
 * lookup of completed uploads for message attachments.
 *
 * Every file lives at <dataDir>/<upload_id>/<sanitized filename>: the client's filename only ever contributes one
 * sanitized path segment, and the final path is checked to be inside the data directory before anything is written.
 *
 * Disk I/O is asynchronous (node:fs/promises), because the event loop that writes a chunk also serves every other
 * connection. Each upload has one FileHandle, opened when it starts, and a serial chain of disk steps (open, the
 * writes in chunk order, close or removal), so its chunks land in order. Everything about a chunk that the client
 * can get wrong (owner, offset, size) and the SHA-256 update are checked at once, so those errors are immediate;
 * disk failures (create or write) are recorded by the chain and reported at the upload's next chunk or at its
 * completion (SERVER_ERROR, context "upload <id>"). `complete` returns a promise that settles once every queued
 * write is on disk and the handle is closed: only then is the upload completed and usable as an attachment.
 *
 * Memory bound (our decision, PROTOCOL.md 13/chunk-offset): the bytes of chunks accepted but not yet written are
 * bounded server-wide by `maxQueuedWriteBytes` (default MAX_QUEUED_WRITE_BYTES, 64 MiB). A chunk that would exceed
 * it fails its upload (UPLOAD_FAILED, "server upload write queue full") instead of growing memory without bound; the
 * client may start over. The store keeps a reference to a chunk's `data` until it is written: do not modify it.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { ERROR_CODES, type U64 } from '../spec/index.js';
import { fail, succeed, type CommandFailure, type CommandResult } from './protocol-errors.js';
import type { UploadQuota } from './upload-quota.js';

/** Default bound on chunk bytes accepted but not yet on disk, over all uploads of a server: 64 MiB. */
export const MAX_QUEUED_WRITE_BYTES = 64 * 1024 * 1024;

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
  /** User id (as a string) of the uploader; null when started without one. */
  readonly uploader: string | null;
  /** When it completed (the store's clock). */
  readonly completedAt: number;
}

/** Upload limits and location. */
export interface UploadStoreOptions {
  readonly dataDir: string;
  readonly maxUploadBytes: number;
  readonly maxUploadsPerOwner: number;
  /** Bound on chunk bytes accepted but not yet written, server-wide (default MAX_QUEUED_WRITE_BYTES). */
  readonly maxQueuedWriteBytes?: number;
  /** Byte quotas charged at UploadStart (PROTOCOL.md 17/upload-quota); none by default. */
  readonly quota?: UploadQuota;
  /** Clock in Unix milliseconds (default Date.now), for completedAt and retention. */
  readonly now?: () => number;
}

/** The outcome of `complete`: settled now when the upload is refused, else once its bytes are on disk. */
export type CompletionResult = CommandResult<CompletedUpload> | Promise<CommandResult<CompletedUpload>>;

interface PendingUpload {
  readonly uploadId: number;
  readonly owner: UploadOwner;
  readonly declaration: UploadDeclaration;
  readonly size: number;
  readonly checksum: string;
  readonly filename: string;
  readonly directory: string;
  readonly path: string;
  readonly uploader: string | null;
  readonly hash: Hash;
  received: number;
  /** The open file: null until the chain has opened it, and again once it is closed. */
  handle: FileHandle | null;
  /** Tail of the upload's serial chain of disk steps; never rejects. */
  chain: Promise<void>;
  /** The first disk failure, as the message to report; null while the disk work succeeds. */
  diskFailure: string | null;
  /** Set once discarded: queued writes are skipped and the chain ends by removing the directory. */
  discarded: boolean;
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
  private readonly maxQueuedWriteBytes: number;
  private readonly pending = new Map<number, PendingUpload>();
  private readonly completedUploads = new Map<number, CompletedUpload>();
  private readonly pendingByOwner = new Map<UploadOwner, Set<number>>();
  /** Chain tails not yet settled, for close(). */
  private readonly inFlight = new Set<Promise<void>>();
  private queuedBytes = 0;
  private lastUploadId = 0;
  private closed = false;

  constructor(private readonly options: UploadStoreOptions) {
    this.root = resolve(options.dataDir);
    this.maxQueuedWriteBytes = options.maxQueuedWriteBytes ?? MAX_QUEUED_WRITE_BYTES;
    // Once, before the server serves anyone: synchronous is fine here.
    mkdirSync(this.root, { recursive: true });
  }

  /** Number of unfinished uploads (all owners). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Chunk bytes accepted but not yet written, over all uploads. */
  get queuedWriteBytes(): number {
    return this.queuedBytes;
  }

  /**
   * Starts an upload: checks the declaration and returns the new upload id at once. Its directory and empty file
   * are created by the upload's disk chain; a failure there is reported at the next chunk or at completion.
   */
  start(
    owner: UploadOwner,
    declaration: UploadDeclaration,
    uploader: string | null = null,
  ): CommandResult<{ uploadId: number }> {
    if (this.closed) return fail(ERROR_CODES.SERVER_ERROR, 'server shutting down', 'UploadStart');
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
    if (uploader !== null) {
      const overQuota = this.options.quota?.reserve(uploader, size);
      if (overQuota) return { ok: false, failure: overQuota };
    }
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
    const upload: PendingUpload = {
      uploadId,
      owner,
      declaration,
      size,
      checksum,
      filename,
      directory,
      path,
      uploader,
      hash: createHash('sha256'),
      received: 0,
      handle: null,
      chain: Promise.resolve(),
      diskFailure: null,
      discarded: false,
    };
    this.pending.set(uploadId, upload);
    if (mine) mine.add(uploadId);
    else this.pendingByOwner.set(owner, new Set([uploadId]));
    this.enqueue(upload, async () => {
      try {
        await mkdir(directory, { recursive: true });
        upload.handle = await open(path, 'wx');
      } catch (err) {
        upload.diskFailure ??= `cannot create upload file: ${errorMessage(err)}`;
      }
    });
    return succeed({ uploadId });
  }

  /**
   * Appends a chunk. Chunks are sequential: `offset` must equal the bytes received so far, and the total may not
   * exceed the declared size. The chunk is hashed now and queued for writing (keep `data` unmodified). Any failure
   * discards the upload (the client starts over): a bad chunk, a full write queue, or an earlier disk failure.
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
    if (upload.diskFailure !== null) return this.failOnDisk(upload);
    if (offset !== upload.received)
      return this.abort(upload, `chunk offset ${offset} but ${upload.received} bytes received so far`);
    if (upload.received + data.length > upload.size)
      return this.abort(upload, `chunk overflows the declared size of ${upload.size} bytes`);
    if (this.queuedBytes + data.length > this.maxQueuedWriteBytes)
      return this.abort(
        upload,
        `server upload write queue full (${this.maxQueuedWriteBytes} bytes waiting for the disk); start over later`,
      );
    const position = upload.received;
    upload.hash.update(data);
    upload.received += data.length;
    if (data.length > 0) {
      this.queuedBytes += data.length;
      this.enqueue(upload, () => this.write(upload, data, position));
    }
    return succeed({ bytesReceived: upload.received });
  }

  /**
   * Completes an upload: size and SHA-256 must match the declaration (checked now; a mismatch is returned at once).
   * Otherwise the upload accepts no more frames, and the returned promise settles once every queued write is on
   * disk: with the completed record and its URL, or with SERVER_ERROR if the disk failed. Never rejects.
   */
  complete(owner: UploadOwner, uploadId: U64): CompletionResult {
    const found = this.ownedPending(owner, uploadId);
    if (!found.ok) return found;
    const upload = found.value;
    if (upload.diskFailure !== null) return this.failOnDisk(upload);
    if (upload.received !== upload.size)
      return this.abort(upload, `received ${upload.received} of ${upload.size} bytes`);
    const digest = upload.hash.digest('hex');
    if (digest !== upload.checksum)
      return this.abort(upload, `SHA-256 mismatch: declared ${upload.checksum}, got ${digest}`);
    // Finished for the protocol (later frames for it are refused) but not yet completed: the file may be incomplete.
    this.forgetPending(upload);
    return this.finish(upload);
  }

  /** Cancels an unfinished upload: queued writes are dropped, and what was stored is deleted in the background. */
  cancel(owner: UploadOwner, uploadId: U64): CommandResult<null> {
    const found = this.ownedPending(owner, uploadId);
    if (!found.ok) return found;
    this.discard(found.value);
    return succeed(null);
  }

  /** Discards every unfinished upload of an owner (its connection closed). Completions under way still finish. */
  releaseOwner(owner: UploadOwner): void {
    const ids = this.pendingByOwner.get(owner);
    if (!ids) return;
    for (const id of [...ids]) {
      const upload = this.pending.get(id);
      if (upload) this.discard(upload);
    }
    this.pendingByOwner.delete(owner);
  }

  /**
   * Shuts the store down: refuses new uploads, discards the unfinished ones, and resolves once every disk step
   * (completions under way included) has finished, so no file handle stays open. Never rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const upload of [...this.pending.values()]) this.discard(upload);
    await this.idle();
  }

  /** Resolves once no disk step of any upload is queued or running. Never rejects. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
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

  /** Waits for the upload's writes, closes its file, and records it as completed unless the disk failed. */
  private async finish(upload: PendingUpload): Promise<CommandResult<CompletedUpload>> {
    await this.enqueue(upload, async () => {
      const handle = upload.handle;
      upload.handle = null;
      if (handle === null) return;
      try {
        await handle.close();
      } catch (err) {
        upload.diskFailure ??= `cannot write upload: ${errorMessage(err)}`;
      }
    });
    if (upload.diskFailure !== null) return this.failOnDisk(upload);
    const completed: CompletedUpload = {
      uploadId: upload.uploadId,
      roomId: upload.declaration.roomId,
      filename: upload.filename,
      mimeType: upload.declaration.mimeType,
      size: upload.size,
      url: uploadUrl(upload.uploadId, upload.filename),
      path: upload.path,
      uploader: upload.uploader,
      completedAt: (this.options.now ?? Date.now)(),
    };
    this.completedUploads.set(upload.uploadId, completed);
    return succeed(completed);
  }

  /** One chain step: writes a chunk at its offset, unless the upload is already discarded or failed. */
  private async write(upload: PendingUpload, data: Uint8Array, position: number): Promise<void> {
    try {
      const handle = upload.handle;
      if (upload.discarded || upload.diskFailure !== null || handle === null) return;
      // A positional write may be short; finish it rather than leave a hole.
      for (let done = 0; done < data.length;) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
    } catch (err) {
      upload.diskFailure ??= `cannot write upload: ${errorMessage(err)}`;
    } finally {
      this.queuedBytes -= data.length;
    }
  }

  /** Appends a step to the upload's chain; the returned tail never rejects. */
  private enqueue(upload: PendingUpload, step: () => Promise<void>): Promise<void> {
    const tail = upload.chain.then(step).catch((err: unknown) => {
      // Steps catch their own errors; this is a safety net so no rejection ever goes unhandled.
      upload.diskFailure ??= `upload disk step failed: ${errorMessage(err)}`;
    });
    upload.chain = tail;
    this.inFlight.add(tail);
    void tail.then(() => this.inFlight.delete(tail));
    return tail;
  }

  private abort(upload: PendingUpload, reason: string): { ok: false; failure: CommandFailure } {
    this.discard(upload);
    return fail(ERROR_CODES.UPLOAD_FAILED, reason, uploadContext(upload.uploadId));
  }

  /** Reports (and discards) an upload whose file could not be created or written. */
  private failOnDisk(upload: PendingUpload): { ok: false; failure: CommandFailure } {
    this.discard(upload);
    return fail(
      ERROR_CODES.SERVER_ERROR,
      upload.diskFailure ?? 'upload disk failure',
      uploadContext(upload.uploadId),
    );
  }

  /**
   * Deletes completed uploads that completed at or before `cutoff` (PROTOCOL.md 17/upload-retention): they are no
   * longer attachable, their files are removed in the background and their quota is given back.
   */
  expireCompleted(cutoff: number): void {
    // Completion order is insertion order, so the scan stops at the first upload still in time.
    for (const [id, completed] of this.completedUploads) {
      if (completed.completedAt > cutoff) return;
      this.completedUploads.delete(id);
      if (completed.uploader !== null) this.options.quota?.release(completed.uploader, completed.size);
      const removal = rm(join(this.root, String(id)), { recursive: true, force: true }).catch(
        () => undefined,
      );
      this.inFlight.add(removal);
      void removal.then(() => this.inFlight.delete(removal));
    }
  }

  /** Forgets the upload now; after its queued steps, closes its file and removes its directory. */
  private discard(upload: PendingUpload): void {
    this.forgetPending(upload);
    if (upload.discarded) return;
    upload.discarded = true;
    if (upload.uploader !== null) this.options.quota?.release(upload.uploader, upload.size);
    this.enqueue(upload, async () => {
      const handle = upload.handle;
      upload.handle = null;
      // Nobody is left to tell about a failure here; a stray directory is harmless (upload ids are never reused).
      await handle?.close().catch(() => undefined);
      await rm(upload.directory, { recursive: true, force: true }).catch(() => undefined);
    });
  }

  private forgetPending(upload: PendingUpload): void {
    this.pending.delete(upload.uploadId);
    const mine = this.pendingByOwner.get(upload.owner);
    mine?.delete(upload.uploadId);
    if (mine && mine.size === 0) this.pendingByOwner.delete(upload.owner);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
