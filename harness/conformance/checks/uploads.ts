/**
 * Uploads (PROTOCOL.md 13): UploadStart answered by UploadAck{bytes_received 0}, chunks (raw bytes after each
 * UploadChunk frame) and UploadComplete answered by UploadAck{size, url}, the sanitized filename in the URL, a wrong
 * SHA-256 refused with Error 1009 naming the upload, and completed uploads resolving to their URLs as attachments.
 * The server answers UploadComplete once the file is stored, possibly after later frames: every wait here is for
 * the answer itself, never for an order.
 */
import { createHash } from 'node:crypto';
import {
  ERROR_CODES,
  encodeFrame,
  encodeUploadChunk,
  type PayloadOf,
  type U64,
} from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';
import { expectErrorCode, sameId } from './fates.js';

/** Chunk size of these checks: small, so that every file takes several chunks. */
const CHUNK_BYTES = 1000;

/** An upload the server acknowledged with an id (UploadAck{bytes_received 0}). */
interface StartedUpload {
  readonly probe: ProbeConnection;
  /** The upload stream carrying its frames. */
  readonly stream: number;
  readonly uploadId: U64;
  readonly data: Uint8Array;
}

/** SHA-256 of bytes as 64 lowercase hex digits. */
function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic file contents of `size` bytes. */
function fileBytes(size: number, seed = 7): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

/**
 * Sends UploadStart on an upload stream (a new one unless given) and waits for the UploadAck that announces the
 * upload id; `checksum` defaults to the data's SHA-256. Returns the ack's payload with the upload.
 */
async function startUpload(
  ctx: CheckContext,
  probe: ProbeConnection,
  roomId: U64,
  filename: string,
  data: Uint8Array,
  options: { checksum?: string; stream?: number } = {},
): Promise<{ upload: StartedUpload; ack: PayloadOf<'UploadAck'> }> {
  const stream = options.stream ?? probe.openUni();
  const after = probe.mark;
  probe.write(
    stream,
    encodeFrame('UploadStart', {
      room_id: roomId,
      filename,
      mime_type: 'application/octet-stream',
      size: data.length,
      checksum: options.checksum ?? sha256(data),
    }),
  );
  // One UploadStart in flight on this connection: the first UploadAck after it is its answer (13/upload-start).
  const { payload } = await probe.expectFrame('control', 'UploadAck', {
    timeoutMs: ctx.timeoutMs,
    after,
    what: `UploadAck announcing the upload id after UploadStart{room ${roomId}, ${data.length} bytes}`,
  });
  return { upload: { probe, stream, uploadId: payload.upload_id, data }, ack: payload };
}

/** Sends every chunk of the upload (each UploadChunk frame followed by its raw bytes), then UploadComplete. */
function sendChunksAndComplete(upload: StartedUpload): number {
  const { probe, stream, uploadId, data } = upload;
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += CHUNK_BYTES)
    parts.push(
      encodeUploadChunk(
        { upload_id: uploadId, offset },
        data.subarray(offset, Math.min(data.length, offset + CHUNK_BYTES)),
      ),
    );
  parts.push(encodeFrame('UploadComplete', { upload_id: uploadId }));
  const after = probe.mark;
  probe.write(stream, new Uint8Array(Buffer.concat(parts)));
  return after;
}

/** What answered an UploadComplete: the completing UploadAck or an Error naming the upload (or any Error 1009). */
type CompletionAnswer =
  | { readonly kind: 'ack'; readonly ack: PayloadOf<'UploadAck'> }
  | { readonly kind: 'error'; readonly error: PayloadOf<'Error'>; readonly shown: string };

/** Waits for the answer to UploadComplete: an UploadAck with the upload id and a url, or an upload Error. */
async function completionAnswer(
  ctx: CheckContext,
  upload: StartedUpload,
  after: number,
): Promise<CompletionAnswer> {
  const { probe, uploadId } = upload;
  const item = await probe.until(
    () =>
      probe
        .on('control')
        .find(
          (f) =>
            f.seq >= after &&
            ((f.frame?.name === 'UploadAck' &&
              sameId(f.frame.payload.upload_id, uploadId) &&
              f.frame.payload.url !== null) ||
              (f.frame?.name === 'Error' &&
                (f.frame.payload.code === ERROR_CODES.UPLOAD_FAILED ||
                  (f.frame.payload.context ?? '').startsWith(`upload ${uploadId}`)))),
        ),
    {
      timeoutMs: ctx.timeoutMs,
      expected: `an answer to UploadComplete of upload ${uploadId} (UploadAck with its url, or Error "upload ${uploadId}")`,
      actual: () => probe.describe(),
    },
  );
  if (item.frame?.name === 'UploadAck') return { kind: 'ack', ack: item.frame.payload };
  return { kind: 'error', error: item.frame!.payload as PayloadOf<'Error'>, shown: describeReceived(item) };
}

/** Uploads `data` completely and returns the completing UploadAck's url; fails on anything else. */
async function uploadFile(
  ctx: CheckContext,
  probe: ProbeConnection,
  roomId: U64,
  filename: string,
  data: Uint8Array,
): Promise<{ uploadId: U64; url: string }> {
  const { upload } = await startUpload(ctx, probe, roomId, filename, data);
  const answer = await completionAnswer(ctx, upload, sendChunksAndComplete(upload));
  if (answer.kind === 'error')
    fail(
      `UploadAck{upload_id ${upload.uploadId}, bytes_received ${data.length}, url} after the chunks and UploadComplete with the right SHA-256`,
      answer.shown,
    );
  ensure(
    sameId(answer.ack.bytes_received, data.length),
    `UploadAck.bytes_received ${data.length} (the declared size) for upload ${upload.uploadId}`,
    `${answer.ack.bytes_received}`,
  );
  return { uploadId: upload.uploadId, url: answer.ack.url! };
}

/** The URL of a completed upload (13/upload-complete) for an already sanitized filename. */
function uploadUrl(uploadId: U64, sanitized: string): string {
  return `garou://uploads/${uploadId}/${sanitized}`;
}

/** Filenames and their sanitized forms (13/filename-sanitize): separators, spaces, code points, dots, length. */
const SANITIZED_NAMES: readonly (readonly [string, string])[] = [
  ['../my photo/ä🙂.png', '.._my_photo___.png'],
  ['..', 'file'],
  ['x'.repeat(130), 'x'.repeat(128)],
];

export const UPLOAD_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '13/upload-start',
    title:
      'UploadStart by a room member: UploadAck{upload_id, bytes_received 0, url null} on the control stream',
    rules: ['13/upload-start', '13/upload-stream'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('upload-start');
      const { ack } = await startUpload(ctx, probe, roomId, 'start.bin', fileBytes(10));
      ensure(
        sameId(ack.bytes_received, 0) && ack.url === null,
        'UploadAck{bytes_received 0, url null} for a new upload',
        JSON.stringify({ bytes_received: String(ack.bytes_received), url: ack.url }),
      );
    },
  },
  {
    id: '13/upload-complete',
    title:
      'Chunks then UploadComplete with the right SHA-256: UploadAck{bytes_received size, url garou://uploads/<id>/<name>}',
    rules: ['13/upload-complete', '13/chunk-bytes', '13/chunk-offset'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('upload-complete');
      const data = fileBytes(2500);
      const { uploadId, url } = await uploadFile(ctx, probe, roomId, 'report-2026.txt', data);
      const expected = uploadUrl(uploadId, 'report-2026.txt');
      ensure(url === expected, `UploadAck.url "${expected}"`, JSON.stringify(url));
    },
  },
  {
    id: '13/filename-sanitize',
    title:
      'The URL carries the sanitized filename: characters outside A-Z a-z 0-9 . _ - become _, at most 128, "file" for dots',
    rules: ['13/filename-sanitize', '13/upload-complete'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('upload-names');
      for (const [filename, sanitized] of SANITIZED_NAMES) {
        const { uploadId, url } = await uploadFile(ctx, probe, roomId, filename, fileBytes(1));
        const expected = uploadUrl(uploadId, sanitized);
        ensure(
          url === expected,
          `UploadAck.url "${expected}" for the filename ${JSON.stringify(filename)}`,
          JSON.stringify(url),
        );
      }
    },
  },
  {
    id: '13/upload-complete/checksum',
    title:
      'UploadComplete of bytes whose SHA-256 differs from the declared one: Error 1009 "upload <id>", upload discarded',
    rules: ['13/upload-complete', '14/upload-failed', '4.8/error-context', '13/attachments'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('upload-checksum');
      const declared = fileBytes(1500, 1);
      const sent = fileBytes(1500, 2);
      const { upload } = await startUpload(ctx, probe, roomId, 'tampered.bin', sent, {
        checksum: sha256(declared),
      });
      const answer = await completionAnswer(ctx, upload, sendChunksAndComplete(upload));
      const expected = `Error{code 1009, context "upload ${upload.uploadId}"} after UploadComplete with a wrong SHA-256`;
      if (answer.kind === 'ack')
        fail(
          expected,
          `UploadAck{bytes_received ${answer.ack.bytes_received}, url ${answer.ack.url}}: accepted`,
        );
      ensure(answer.error.code === ERROR_CODES.UPLOAD_FAILED, expected, answer.shown);
      ensure(answer.error.context === `upload ${upload.uploadId}`, expected, answer.shown);
      // Discarded: its id is no completed upload, so a message naming it is refused (13/attachments).
      const after = probe.mark;
      probe.command('SendMessage', {
        room_id: roomId,
        content: 'with a discarded attachment',
        nonce: ctx.nonce('att'),
        reply_to: null,
        attachments: [upload.uploadId],
      });
      await expectErrorCode(ctx, probe, ERROR_CODES.INVALID_MESSAGE, after, {
        startsWith: 'SendMessage.attachments',
      });
    },
  },
  {
    id: '13/attachments',
    title:
      'SendMessage naming completed uploads: every member gets RoomMessage.attachments with their URLs, in order',
    rules: ['13/attachments', '8/fan-out'],
    async run(ctx) {
      const [roomId, sender, other] = await ctx.loginToRoom('attach-a', 'attach-b');
      const first = await uploadFile(ctx, sender, roomId, 'first.txt', fileBytes(1200, 3));
      const second = await uploadFile(ctx, sender, roomId, 'second.txt', fileBytes(300, 4));
      const nonce = ctx.nonce('attach');
      const after = sender.mark;
      sender.command('SendMessage', {
        room_id: roomId,
        content: 'two files',
        nonce,
        reply_to: null,
        attachments: [second.uploadId, first.uploadId],
      });
      const { payload: ack } = await sender.expectFrame('control', 'MessageAck', {
        timeoutMs: ctx.timeoutMs,
        after,
        what: `MessageAck for a SendMessage with attachments [${second.uploadId}, ${first.uploadId}] (completed uploads)`,
      });
      const urls = [second.url, first.url];
      for (const probe of [sender, other]) {
        const message = await ctx.expectRoomMessage(probe, roomId, ack.message_id);
        ensure(
          JSON.stringify(message.attachments) === JSON.stringify(urls),
          `RoomMessage.attachments ${JSON.stringify(urls)} for ${probe.label}`,
          JSON.stringify(message.attachments),
        );
      }
    },
  },
];
