/**
 * QUIC stream ids (RFC 9000 §2.1): the two low bits say who opened a stream and whether it is unidirectional, and
 * the stream API's checks of a stream id argument that names no stream it may act on (a malformed id, one of our ids
 * never opened, a unidirectional stream in the direction it does not go).
 */
import type { ConnectionSide } from './connection-types.js';
import { TransportError } from './errors.js';

/** Stream id bit: the server opened the stream. */
export const SERVER_INITIATED = 0x1;
/** Stream id bit: the stream is unidirectional. */
export const UNIDIRECTIONAL = 0x2;

/** The first bidirectional stream id `initiator` opens (its first unidirectional one is this | UNIDIRECTIONAL). */
export function firstBidiId(initiator: ConnectionSide): number {
  return initiator === 'server' ? SERVER_INITIATED : 0;
}

/** Whether `side` opened stream `streamId`. */
export function isOpenedBy(streamId: number, side: ConnectionSide): boolean {
  return (streamId & SERVER_INITIATED) === firstBidiId(side);
}

/**
 * Throws INVALID_ARGUMENT or STREAM_STATE (at `where`.streamId) unless `side` may write to `streamId`; `nextBidi` and
 * `nextUni` are the next ids `side` opens (ids of its own at or past them were never opened).
 */
export function checkWritableId(
  streamId: number,
  where: string,
  side: ConnectionSide,
  nextBidi: number,
  nextUni: number,
): void {
  checkStreamId(streamId, where, side, nextBidi, nextUni);
  if (!isOpenedBy(streamId, side) && streamId & UNIDIRECTIONAL) {
    throw new TransportError(
      'STREAM_STATE',
      `${where}.streamId`,
      `stream ${streamId} is the peer's unidirectional stream`,
    );
  }
}

/** Throws INVALID_ARGUMENT or STREAM_STATE (at `where`.streamId) unless `side` may read from `streamId` (see checkWritableId). */
export function checkReadableId(
  streamId: number,
  where: string,
  side: ConnectionSide,
  nextBidi: number,
  nextUni: number,
): void {
  checkStreamId(streamId, where, side, nextBidi, nextUni);
  if (isOpenedBy(streamId, side) && streamId & UNIDIRECTIONAL) {
    throw new TransportError(
      'STREAM_STATE',
      `${where}.streamId`,
      `stream ${streamId} is our unidirectional stream`,
    );
  }
}

function checkStreamId(
  streamId: number,
  where: string,
  side: ConnectionSide,
  nextBidi: number,
  nextUni: number,
): void {
  if (!Number.isSafeInteger(streamId) || streamId < 0) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `${where}.streamId`,
      `expected a non-negative integer, got ${streamId}`,
    );
  }
  if (isOpenedBy(streamId, side)) {
    const next = streamId & UNIDIRECTIONAL ? nextUni : nextBidi;
    if (streamId >= next) {
      throw new TransportError('STREAM_STATE', `${where}.streamId`, `stream ${streamId} was never opened`);
    }
  }
}
