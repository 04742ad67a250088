/**
 * The content rules of chat commands (PROTOCOL.md 8/send-validation): content and nonce sizes, and attachments
 * that must be the sender's own completed uploads for the room. Each broken rule is an Error 1007 naming the field.
 */
import { ERROR_CODES, type PayloadOf } from '../spec/index.js';
import type { CommandFailure } from './protocol-errors.js';
import type { UploadStore } from './upload-store.js';

/** Longest nonce accepted in SendMessage, in UTF-8 bytes (PROTOCOL.md 15). */
export const MAX_NONCE_BYTES = 128;

/** Longest emoji accepted in AddReaction, in UTF-8 bytes (PROTOCOL.md 8/react-add). */
export const MAX_EMOJI_BYTES = 64;

/** Error 1007 unless the AddReaction emoji is 1 to MAX_EMOJI_BYTES UTF-8 bytes, else null. */
export function checkEmoji(emoji: string): CommandFailure | null {
  const bytes = Buffer.byteLength(emoji, 'utf8');
  return bytes >= 1 && bytes <= MAX_EMOJI_BYTES
    ? null
    : {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `emoji must be 1-${MAX_EMOJI_BYTES} UTF-8 bytes, got ${bytes}`,
        context: 'AddReaction.emoji',
      };
}

/** Error 1007 when `content` is over `maxBytes` UTF-8 bytes, else null; `context` names the field. */
export function checkContentSize(content: string, maxBytes: number, context: string): CommandFailure | null {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes <= maxBytes) return null;
  return {
    code: ERROR_CODES.INVALID_MESSAGE,
    message: `content of ${bytes} bytes exceeds ${maxBytes}`,
    context,
  };
}

/**
 * PROTOCOL.md 8/send-validation after the room and permission checks: content, nonce, attachments (1007). Puts
 * the attachments' URLs in `urls`; returns the first failure, or null.
 */
export function checkSendMessage(
  p: PayloadOf<'SendMessage'>,
  sender: string,
  uploads: UploadStore,
  maxContentBytes: number,
  urls: string[],
): CommandFailure | null {
  const tooLong = checkContentSize(p.content, maxContentBytes, 'SendMessage.content');
  if (tooLong) return tooLong;
  const nonceBytes = Buffer.byteLength(p.nonce, 'utf8');
  if (nonceBytes > MAX_NONCE_BYTES)
    return {
      code: ERROR_CODES.INVALID_MESSAGE,
      message: `nonce of ${nonceBytes} bytes exceeds ${MAX_NONCE_BYTES}`,
      context: 'SendMessage.nonce',
    };
  for (const uploadId of p.attachments) {
    const upload = uploads.completed(uploadId);
    if (!upload)
      return {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `attachment ${uploadId} is not a completed upload`,
        context: 'SendMessage.attachments',
      };
    // The sender's own upload, for this room (PROTOCOL.md 13/attachment-owner); someone else's is not named.
    if (upload.uploader !== sender || upload.roomId !== p.room_id)
      return {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `attachment ${uploadId} is not a completed upload of yours for room ${p.room_id}`,
        context: 'SendMessage.attachments',
      };
    urls.push(upload.url);
  }
  return null;
}
