/**
 * The uploads of one client connection (PROTOCOL.md 13): UploadStarts waiting for their first UploadAck (which
 * answers them in order, 13/upload-start), then uploads by id until the final UploadAck with the URL, or an
 * Error naming the upload, or the end of the connection.
 */
import { encodeFrame } from '../../spec/index.js';
import type { ClientEvents } from './client-events.js';
import { uploadBodyFrames, type UploadJob } from './upload-job.js';

/** What the uploads need of their client (a SimClient): its upload stream. */
export interface UploadOwner {
  /** Writes a frame on the upload stream, in order. */
  writeUploadFrame(bytes: Uint8Array): void;
}

/** Uploads under way on one connection. */
export class ClientUploads<Client extends UploadOwner> {
  /** UploadStarts sent, oldest first, waiting for the UploadAck that names their upload id. */
  private starts: UploadJob[] = [];
  private readonly byId = new Map<number, UploadJob>();

  constructor(
    private readonly owner: Client,
    private readonly events: ClientEvents<Client>,
  ) {}

  /** Uploads started and not yet finished (acked with their URL) or failed. */
  get pending(): number {
    return this.starts.length + this.byId.size;
  }

  /** Writes UploadStart; chunks and UploadComplete follow once the server's UploadAck names the upload id. */
  start(job: UploadJob, now: number): void {
    job.startedAtMs = now;
    this.starts.push(job);
    this.owner.writeUploadFrame(
      encodeFrame('UploadStart', {
        room_id: job.roomId,
        filename: job.filename,
        mime_type: job.mimeType,
        size: job.data.length,
        checksum: job.checksum,
      }),
    );
  }

  /** An UploadAck: the first for an upload (no URL) sends its body, the final one (with the URL) completes it. */
  ack(uploadId: number, url: string | null, now: number): void {
    if (url === null) {
      // First UploadAck: answers the oldest UploadStart (13/upload-start: in order of the starts).
      const job = this.starts.shift();
      if (job === undefined) {
        this.events.protocolViolation(
          this.owner,
          '13/upload-start',
          `UploadAck for upload ${uploadId} without an UploadStart`,
          now,
        );
        return;
      }
      job.uploadId = uploadId;
      this.byId.set(uploadId, job);
      for (const bytes of uploadBodyFrames(job)) this.owner.writeUploadFrame(bytes);
      return;
    }
    const job = this.byId.get(uploadId);
    if (job === undefined) return;
    this.byId.delete(uploadId);
    this.events.uploadDone(this.owner, job, uploadId, url, now);
  }

  /** An Error frame: fails the upload it names by its context (`upload <id>` or `UploadStart`), if any. */
  error(context: string | null, message: string, now: number): void {
    if (context === null) return;
    if (context.startsWith('upload ')) {
      const id = Number(context.slice('upload '.length).split(/[^0-9]/)[0]);
      const job = this.byId.get(id);
      if (job === undefined) return;
      this.byId.delete(id);
      this.events.uploadFailed(this.owner, job, `${context}: ${message}`, now);
    } else if (context.startsWith('UploadStart')) {
      const job = this.starts.shift();
      if (job !== undefined) this.events.uploadFailed(this.owner, job, `${context}: ${message}`, now);
    }
  }

  /** The connection closed: forgets every unfinished upload and returns them (they failed). */
  close(): UploadJob[] {
    const unfinished = [...this.starts, ...this.byId.values()];
    this.starts = [];
    this.byId.clear();
    return unfinished;
  }
}
