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
 * Throws INVALID_ARGUMENT or STREAM_STATE (at `where`.streamId) unless `side` may `send` on or `receive` from
 * `streamId`: a non-negative integer, not one of its own ids at or past `nextBidi` / `nextUni` (the next ids it
 * opens: never opened), and not a unidirectional stream that goes the other way.
 */
export function checkStreamIdArgument(
  streamId: number,
  where: string,
  direction: 'send' | 'receive',
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
  const ours = isOpenedBy(streamId, side);
  if (ours && streamId >= (streamId & UNIDIRECTIONAL ? nextUni : nextBidi)) {
    throw new TransportError('STREAM_STATE', `${where}.streamId`, `stream ${streamId} was never opened`);
  }
  // Our unidirectional streams only send, the peer's only receive.
  if (streamId & UNIDIRECTIONAL && ours !== (direction === 'send')) {
    const whose = ours ? 'our' : "the peer's";
    throw new TransportError(
      'STREAM_STATE',
      `${where}.streamId`,
      `stream ${streamId} is ${whose} unidirectional stream`,
    );
  }
}
