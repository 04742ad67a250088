/**
 * Applies upload-stream frames (0x70-0x73) to the upload store (PROTOCOL.md 13).
 *
 * UploadStart is answered with UploadAck{bytes_received 0, url null}, UploadComplete with UploadAck{size, url};
 * chunks and cancels are not acknowledged. Failures come back as CommandFailure for the session to report. Every
 * outcome is immediate except an accepted UploadComplete's, which settles once the upload's bytes are on disk.
 */
import { ERROR_CODES, type Frame, type UploadAck } from '../spec/index.js';
import { fail, succeed, type CommandResult } from './protocol-errors.js';
import { mayPerform } from './room-permissions.js';
import type { Actor, RoomRegistry } from './rooms.js';
import type { CompletedUpload, UploadStore } from './upload-store.js';

/** Upload frames a client may send. */
export type UploadFrame = Extract<
  Frame,
  { name: 'UploadStart' | 'UploadChunk' | 'UploadComplete' | 'UploadCancel' }
>;

/** The UploadAck to send (if any) or the failure: now, or as a promise that never rejects (UploadComplete). */
export type UploadOutcome = CommandResult<UploadAck | null> | Promise<CommandResult<UploadAck | null>>;

/** Handles one upload frame from `actor`'s connection; yields the UploadAck to send, if any. */
export function handleUploadFrame(
  store: UploadStore,
  rooms: RoomRegistry,
  actor: Actor,
  frame: UploadFrame,
): UploadOutcome {
  const connection = actor.connection;
  switch (frame.name) {
    case 'UploadStart': {
      const p = frame.payload;
      // An upload is for a room the uploader is in, like the message that will carry it.
      const room = rooms.get(p.room_id);
      if (!room)
        return fail(ERROR_CODES.NOT_FOUND, `room ${p.room_id} does not exist`, 'UploadStart.room_id');
      const member = rooms.memberOf(p.room_id, actor);
      if (!member || !mayPerform('upload', room.type, member.role))
        return fail(ERROR_CODES.PERMISSION_DENIED, `not in room ${p.room_id}`, 'UploadStart.room_id');
      const started = store.start(
        connection,
        {
          roomId: p.room_id,
          filename: p.filename,
          mimeType: p.mime_type,
          size: p.size,
          checksum: p.checksum,
        },
        String(actor.user.user_id),
      );
      if (!started.ok) return started;
      return succeed({ upload_id: started.value.uploadId, bytes_received: 0, url: null });
    }
    case 'UploadChunk': {
      const appended = store.appendChunk(
        connection,
        frame.payload.upload_id,
        frame.payload.offset,
        frame.data,
      );
      return appended.ok ? succeed(null) : appended;
    }
    case 'UploadComplete': {
      const completed = store.complete(connection, frame.payload.upload_id);
      return completed instanceof Promise ? completed.then(completionAck) : completionAck(completed);
    }
    case 'UploadCancel': {
      const cancelled = store.cancel(connection, frame.payload.upload_id);
      return cancelled.ok ? succeed(null) : cancelled;
    }
  }
}

function completionAck(completed: CommandResult<CompletedUpload>): CommandResult<UploadAck> {
  if (!completed.ok) return completed;
  const { uploadId, size, url } = completed.value;
  return succeed({ upload_id: uploadId, bytes_received: size, url });
}
