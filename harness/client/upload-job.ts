/**
 * One file upload (PROTOCOL.md 13): the bytes, their SHA-256, and the frames that carry them once the server
 * has assigned an upload id: UploadChunk frames (each followed by its raw bytes) and UploadComplete.
 */
import { createHash } from 'node:crypto';
import { encodeFrame, encodeUploadChunk, MAX_UPLOAD_CHUNK_BYTES } from '../../spec/index.js';

/** An upload in progress. `uploadId` is -1 until the server's first UploadAck names it. */
export interface UploadJob {
  readonly roomId: number;
  readonly filename: string;
  readonly mimeType: string;
  readonly data: Uint8Array;
  /** SHA-256 of `data`, 64 lowercase hex digits. */
  readonly checksum: string;
  readonly chunkSize: number;
  /** Caller's reference time (the harness passes the scheduled time of the operation). */
  readonly tag: number;
  uploadId: number;
  /** When UploadStart was written (epoch ms); set by the client. */
  startedAtMs: number;
}

/** Deterministic file content of `size` bytes (a byte pattern seeded by `seed`): cheap, and not all zeros. */
export function uploadContent(size: number, seed: number): Uint8Array {
  const data = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    // xorshift32: a few cycles per 4 bytes.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    data[i] = x & 0xff;
    if (i + 1 < size) data[i + 1] = (x >>> 8) & 0xff;
    if (i + 2 < size) data[i + 2] = (x >>> 16) & 0xff;
    if (i + 3 < size) data[i + 3] = x >>> 24;
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Builds an upload job for `data` (checksum computed here). `chunkSize` is capped at the 1 MiB protocol limit. */
export function createUploadJob(options: {
  roomId: number;
  data: Uint8Array;
  chunkSize: number;
  filename?: string;
  mimeType?: string;
  tag?: number;
}): UploadJob {
  if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1) {
    throw new RangeError(`upload chunk size must be a positive integer, got ${options.chunkSize}`);
  }
  return {
    roomId: options.roomId,
    filename: options.filename ?? 'file.bin',
    mimeType: options.mimeType ?? 'application/octet-stream',
    data: options.data,
    checksum: createHash('sha256').update(options.data).digest('hex'),
    chunkSize: Math.min(options.chunkSize, MAX_UPLOAD_CHUNK_BYTES),
    tag: options.tag ?? 0,
    uploadId: -1,
    startedAtMs: 0,
  };
}

/** The frames sent after the first UploadAck: every UploadChunk with its bytes, then UploadComplete. */
export function uploadBodyFrames(job: UploadJob): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < job.data.length; offset += job.chunkSize) {
    const chunk = job.data.subarray(offset, Math.min(job.data.length, offset + job.chunkSize));
    frames.push(encodeUploadChunk({ upload_id: job.uploadId, offset }, chunk));
  }
  frames.push(encodeFrame('UploadComplete', { upload_id: job.uploadId }));
  return frames;
}
