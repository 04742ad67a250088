/**
 * Which client frames may stand on which stream (PROTOCOL.md 5, 6.5): Hello first on the control stream, only
 * client control frames there, a client uni stream classified by its first frame and kept in that range, and no
 * uni stream before AuthOk. Pure rules: the session (session.ts) applies the verdicts (Error, abort, close).
 */
import {
  ERROR_CODES,
  FRAME_CODES,
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  describeCode,
  isAllowedOn,
  isKnownFrameCode,
  streamKindForFirstFrame,
  type ClientUniStreamKind,
  type ErrorCode,
  type FrameDecoder,
} from '../spec/index.js';
import type { CommandFailure } from './protocol-errors.js';

/** What a session keeps about one client stream. */
export interface StreamState {
  readonly id: number;
  /** 'control', a client uni stream kind once classified by its first frame, or null before that. */
  kind: 'control' | ClientUniStreamKind | null;
  readonly decoder: FrameDecoder;
  /** Set once the stream was aborted: later bytes are ignored. */
  dropped: boolean;
  /** Partial-frame bytes of this stream counted in the session's and the server's budget. */
  accounted: number;
}

/** RFC 9000 2.1: the two low bits of a stream id say who opened it and whether it is bidirectional. */
export function isClientBidi(streamId: number): boolean {
  return streamId % 4 === 0;
}
/** Whether a stream id is client-initiated and unidirectional. */
export function isClientUni(streamId: number): boolean {
  return streamId % 4 === 2;
}

/** Error.context of stream-level errors (PROTOCOL.md 4.8/error-context). */
export function streamContext(streamId: number, detail?: string): string {
  return detail === undefined ? `stream ${streamId}` : `stream ${streamId}: ${detail}`;
}

/** A refused frame: the failure to report and whether it closes the connection or aborts the stream. */
export interface PlacementRefusal {
  readonly fate: 'connection' | 'stream';
  readonly failure: CommandFailure & { code: ErrorCode };
}

/**
 * Judges a frame of type `code` on a stream of kind `kind` (null: not classified yet). Returns the stream's kind
 * after the frame (a uni stream is classified by its first frame) and the refusal, or null when it may stand there.
 */
export function judgePlacement(
  streamId: number,
  kind: StreamState['kind'],
  awaitingHello: boolean,
  code: number,
): { kind: StreamState['kind']; refusal: PlacementRefusal | null } {
  const name = describeCode(code);
  const refuse = (
    fate: PlacementRefusal['fate'],
    errorCode: ErrorCode,
    message: string,
    context: string,
  ) => ({
    kind,
    refusal: { fate, failure: { code: errorCode, message, context } },
  });
  if (kind === 'control') {
    if (awaitingHello && code !== FRAME_CODES.Hello)
      return refuse('connection', ERROR_CODES.AUTH_REQUIRED, `${name} before Hello`, name);
    if (!isAllowedOn(code, 'control', 'client-to-server'))
      return refuse(
        'connection',
        ERROR_CODES.INVALID_FRAME,
        `${name} may not be sent by a client on the control stream`,
        streamContext(streamId, name),
      );
    return { kind, refusal: null };
  }
  if (kind === null) {
    const first = streamKindForFirstFrame(code);
    if (first === undefined)
      return refuse(
        'stream',
        ERROR_CODES.INVALID_FRAME,
        `${name} cannot open a client stream`,
        streamContext(streamId, name),
      );
    kind = first;
  }
  if (!isAllowedOn(code, kind, 'client-to-server'))
    return refuse(
      'stream',
      ERROR_CODES.INVALID_FRAME,
      `${name} may not be sent on a ${kind} stream`,
      streamContext(streamId, name),
    );
  return { kind, refusal: null };
}

/**
 * The failure for bytes on a client uni stream before AuthOk (PROTOCOL.md 6.5/uni-before-auth): 1002, unless its
 * first header is already invalid, which takes precedence (14/precedence) and gives 1001; null for no bytes.
 */
export function earlyStreamFailure(bytes: Uint8Array): (CommandFailure & { code: ErrorCode }) | null {
  if (bytes.length === 0) return null;
  const code = bytes[0]!;
  let headerError: string | null = null;
  if (!isKnownFrameCode(code)) headerError = `unknown frame type ${describeCode(code)}`;
  else if (bytes.length >= FRAME_HEADER_BYTES) {
    const length = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
    if (length > MAX_PAYLOAD_BYTES) headerError = `payload length ${length} exceeds ${MAX_PAYLOAD_BYTES}`;
  }
  return headerError === null
    ? {
        code: ERROR_CODES.AUTH_REQUIRED,
        message: 'client streams are allowed only after AuthOk',
        context: null,
      }
    : { code: ERROR_CODES.INVALID_FRAME, message: headerError, context: null };
}
