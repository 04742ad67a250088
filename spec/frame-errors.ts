/**
 * Typed errors of the frame codec (PROTOCOL.md sections 3 and 14).
 *
 * Every failure to decode or encode a frame is a `FrameError` with a `kind`; nothing else
 * escapes the codec. `framingIntact` says whether the byte stream can still be read: after
 * invalid JSON or a schema violation the frame's extent was known, so decoding continues
 * with the next frame; after an unknown type byte, an oversize length, a truncated frame or
 * an oversize upload chunk, the stream's framing is lost and the stream must be dropped.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** What went wrong with a frame. */
export type FrameErrorKind =
  | 'unknown-type'
  | 'oversize'
  | 'truncated'
  | 'chunk-too-large'
  | 'invalid-json'
  | 'invalid-payload'
  | 'wrong-category'
  | 'trailing-bytes';

/** Base class of every codec error. */
export class FrameError extends Error {
  /** What went wrong. */
  readonly kind: FrameErrorKind;
  /** The frame's type byte when it was read, else undefined. */
  readonly frameCode: number | undefined;
  /** The frame's type name when the type byte is known, else undefined. */
  readonly frameType: string | undefined;
  /** Dotted path of the offending payload field (e.g. `sender.user_id`), when one is known. */
  readonly field: string | undefined;
  /** True when the stream's framing survived and decoding can continue with the next frame. */
  readonly framingIntact: boolean;

  constructor(
    kind: FrameErrorKind,
    message: string,
    details: { frameCode?: number; frameType?: string; field?: string; framingIntact: boolean },
  ) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.frameCode = details.frameCode;
    this.frameType = details.frameType;
    this.field = details.field;
    this.framingIntact = details.framingIntact;
  }

  /**
   * Protocol error code for this failure (PROTOCOL.md 14): INVALID_MESSAGE (1007) for a
   * frame whose payload is bad, INVALID_FRAME (1001) when the framing itself is bad or lost.
   */
  get errorCode(): ErrorCode {
    // A bad payload whose extent is unknown (UploadChunk without a valid size, 13/chunk-bad-metadata) lost framing.
    return this.framingIntact && (this.kind === 'invalid-json' || this.kind === 'invalid-payload')
      ? ERROR_CODES.INVALID_MESSAGE
      : ERROR_CODES.INVALID_FRAME;
  }

  /** Error.context text naming the frame type and field, e.g. `SendMessage.room_id`. */
  get context(): string | undefined {
    if (this.frameType === undefined) return undefined;
    return this.field === undefined ? this.frameType : `${this.frameType}.${this.field}`;
  }
}

/** The byte stream's framing is broken (every kind but invalid-json and invalid-payload). */
export class FramingError extends FrameError {}

/** A frame's payload is not valid JSON or does not match its schema; framing is intact (except UploadChunk). */
export class PayloadError extends FrameError {}
