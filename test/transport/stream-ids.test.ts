/** Stream ids (RFC 9000 §2.1): who opened a stream, and the checks of stream id arguments by side and direction. */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../transport/errors.js';
import { checkStreamIdArgument, firstBidiId, isOpenedBy } from '../../transport/stream-ids.js';
import type { ConnectionSide } from '../../transport/connection-types.js';

const checkWritableId = (
  id: number,
  where: string,
  side: ConnectionSide,
  nextBidi: number,
  nextUni: number,
): void => checkStreamIdArgument(id, where, 'send', side, nextBidi, nextUni);
const checkReadableId = (
  id: number,
  where: string,
  side: ConnectionSide,
  nextBidi: number,
  nextUni: number,
): void => checkStreamIdArgument(id, where, 'receive', side, nextBidi, nextUni);

/** The error a check throws, or null. */
function thrown(check: () => void): { code: string; where: string; message: string } | null {
  try {
    check();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    const e = error as TransportError;
    return { code: e.code, where: e.where, message: e.message };
  }
}

describe('stream ids', () => {
  it('first ids and initiator bits', () => {
    expect(firstBidiId('client')).toBe(0);
    expect(firstBidiId('server')).toBe(1);
    expect([0, 2, 4, 6].every((id) => isOpenedBy(id, 'client') && !isOpenedBy(id, 'server'))).toBe(true);
    expect([1, 3, 5, 7].every((id) => isOpenedBy(id, 'server') && !isOpenedBy(id, 'client'))).toBe(true);
  });

  it('refuses ids that are no stream id at all', () => {
    for (const id of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(thrown(() => checkWritableId(id, 'write', 'client', 4, 6))).toMatchObject({
        code: 'INVALID_ARGUMENT',
        where: 'write.streamId',
      });
    }
  });

  it('refuses our own ids not opened yet, in either direction', () => {
    // The client opened bidi 0 and uni 2: next are 4 and 6.
    expect(thrown(() => checkWritableId(0, 'write', 'client', 4, 6))).toBeNull();
    expect(thrown(() => checkWritableId(2, 'write', 'client', 4, 6))).toBeNull();
    expect(thrown(() => checkWritableId(4, 'write', 'client', 4, 6))).toMatchObject({
      code: 'STREAM_STATE',
      message: 'write.streamId: stream 4 was never opened',
    });
    expect(thrown(() => checkReadableId(6, 'stopSending', 'client', 4, 6))).toMatchObject({
      code: 'STREAM_STATE',
      where: 'stopSending.streamId',
    });
    // The peer's ids are the peer's business: any may be named.
    expect(thrown(() => checkWritableId(101, 'resetStream', 'client', 4, 6))).toBeNull();
  });

  it('writes only where we send: never on the peer uni stream; reads never on ours', () => {
    expect(thrown(() => checkWritableId(3, 'write', 'client', 4, 6))).toMatchObject({
      code: 'STREAM_STATE',
      message: "write.streamId: stream 3 is the peer's unidirectional stream",
    });
    expect(thrown(() => checkReadableId(3, 'stopSending', 'client', 4, 6))).toBeNull();
    expect(thrown(() => checkReadableId(2, 'stopSending', 'client', 4, 6))).toMatchObject({
      code: 'STREAM_STATE',
      message: 'stopSending.streamId: stream 2 is our unidirectional stream',
    });
    expect(thrown(() => checkReadableId(2, 'stopSending', 'server', 1, 3))).toBeNull();
    expect(thrown(() => checkWritableId(2, 'write', 'server', 1, 3))).toMatchObject({ code: 'STREAM_STATE' });
    expect(thrown(() => checkReadableId(3, 'stopSending', 'server', 5, 7))).toMatchObject({
      code: 'STREAM_STATE',
    });
  });
});
