/**
 * ClientUploads counts an upload as pending from its UploadStart until its final UploadAck, an Error naming it, or
 * the end of the connection: a deliberate disconnect waits for that count to reach 0 (runner/client-reconnects.ts),
 * so that the harness never counts as failed an upload it cut off itself.
 */
import { describe, expect, it } from 'vitest';
import { ClientUploads } from '../../../harness/client/client-uploads.js';
import { IgnoreClientEvents } from '../../../harness/client/client-events.js';
import { createUploadJob, uploadContent } from '../../../harness/client/upload-job.js';

class Recorder extends IgnoreClientEvents {
  readonly done: number[] = [];
  readonly failed: string[] = [];
  override uploadDone(_c: unknown, _job: unknown, uploadId: number): void {
    this.done.push(uploadId);
  }
  override uploadFailed(_c: unknown, _job: unknown, reason: string): void {
    this.failed.push(reason);
  }
}

describe('ClientUploads.pending', () => {
  it('counts an upload from its start to its final ack, and none after the connection ends', () => {
    const events = new Recorder();
    const written: Uint8Array[] = [];
    const uploads = new ClientUploads({ writeUploadFrame: (b: Uint8Array) => written.push(b) }, events);
    const job = (filename: string, seed: number) =>
      createUploadJob({ roomId: 7, data: uploadContent(100, seed), chunkSize: 64, filename });
    uploads.start(job('a.txt', 1), 0);
    uploads.start(job('b.txt', 2), 0);
    expect(uploads.pending).toBe(2);
    uploads.ack(11, null, 1); // first ack of a.txt: its body is written, it is still pending
    expect(uploads.pending).toBe(2);
    expect(written.length).toBeGreaterThan(2);
    uploads.ack(11, 'garou://uploads/11/a.txt', 2);
    expect(uploads.pending).toBe(1);
    expect(events.done).toEqual([11]);
    expect(uploads.close()).toHaveLength(1);
    expect(uploads.pending).toBe(0);
  });
});
