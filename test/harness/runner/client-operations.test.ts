/** The upload operation respects the server's limit of unfinished uploads per connection (13/upload-start). */
import { describe, expect, it } from 'vitest';
import type { SimClient } from '../../../harness/client/sim-client.js';
import type { UploadJob } from '../../../harness/client/upload-job.js';
import {
  MAX_UNFINISHED_UPLOADS,
  performClientOperation,
  type OperationContext,
} from '../../../harness/runner/client-operations.js';
import { ClientSlot } from '../../../harness/runner/client-slot.js';
import type { PlannedOperation } from '../../../harness/runner/traffic-plan.js';

/** A client whose uploads never finish (a slow server): it counts the UploadStarts it was asked for. */
function slowUploader() {
  const started: UploadJob[] = [];
  const client = {
    isMember: (roomId: number) => roomId === 7,
    startUpload: (job: UploadJob) => {
      started.push(job);
      return true;
    },
    get uploadsPending() {
      return started.length;
    },
  };
  return { started, slot: new ClientSlot(client as unknown as SimClient, [7]) };
}

const CONTEXT = {
  scenario: { actions: { upload: { chunkSize: 1024 } } },
} as unknown as OperationContext;

function uploadOp(atMs: number): PlannedOperation {
  return { atMs, roomId: 7, sender: 3, action: 'upload', size: 0, uploadSize: 2048, phase: 'p' };
}

describe('performClientOperation upload', () => {
  it('starts uploads up to the unfinished limit, then skips instead of provoking error 1009', () => {
    const { started, slot } = slowUploader();
    const done = Array.from({ length: MAX_UNFINISHED_UPLOADS + 3 }, (_, i) =>
      performClientOperation(CONTEXT, slot, uploadOp(1000 + i), 1000 + i),
    );
    expect(MAX_UNFINISHED_UPLOADS).toBe(4);
    expect(done).toEqual([true, true, true, true, false, false, false]);
    expect(started).toHaveLength(MAX_UNFINISHED_UPLOADS);
  });

  it('skips an upload to a room the client is not in', () => {
    const { started, slot } = slowUploader();
    expect(performClientOperation(CONTEXT, slot, { ...uploadOp(1), roomId: 8 }, 1)).toBe(false);
    expect(started).toHaveLength(0);
  });
});
