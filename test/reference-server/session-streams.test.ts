/**
 * SessionStreams: the client streams one session keeps (control stream = the client's first bidi stream), the ids of
 * streams we aborted until the client ends them, and partial-frame bytes counted against the connection's cap and
 * the server-wide budget, all given back when streams end or the connection closes.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, encodeFrame } from '../../spec/index.js';
import { PartialFrameBudget } from '../../reference-server/memory-budget.js';
import { SessionStreams } from '../../reference-server/session-streams.js';
import type { StreamState } from '../../reference-server/stream-placement.js';

/** A frame longer than `n` bytes; its first `n` bytes are an unfinished frame for the decoder. */
const frameOver = (n: number): Uint8Array => encodeFrame('Goodbye', { reason: 'x'.repeat(n + 10) });
const partialFrame = (n: number): Uint8Array => frameOver(n).subarray(0, n);

function withPartial(stream: StreamState | undefined, n: number): StreamState {
  if (stream === undefined) throw new Error('no stream');
  stream.decoder.push(partialFrame(n));
  return stream;
}

describe('SessionStreams', () => {
  it('makes the first client bidi stream the control stream; later bidi and uni streams wait for classification', () => {
    const streams = new SessionStreams(new PartialFrameBudget(1000));
    expect(streams.controlStreamId).toBe(-1);
    expect(streams.add(0)?.kind).toBe('control');
    expect(streams.controlStreamId).toBe(0);
    expect(streams.add(4)?.kind).toBeNull();
    expect(streams.controlStreamId).toBe(0);
    expect(streams.add(2)?.kind).toBeNull();
    expect(streams.add(3)).toBeUndefined();
    expect(streams.add(1)).toBeUndefined();
    expect(streams.get(2)?.id).toBe(2);
    expect(streams.trackedCount).toBe(3);
  });

  it('keeps an aborted stream as an id only, until the client ends it', () => {
    const budget = new PartialFrameBudget(1000);
    const streams = new SessionStreams(budget);
    const stream = withPartial(streams.add(2), 20);
    expect(streams.account(stream, 100)).toBeNull();
    expect(budget.usedBytes).toBe(20);
    streams.abort(stream);
    expect(stream.dropped).toBe(true);
    expect(streams.get(2)).toBeUndefined();
    expect(streams.isAborted(2)).toBe(true);
    expect(streams.trackedCount).toBe(1);
    expect(streams.bufferedPartialBytes).toBe(0);
    expect(budget.usedBytes).toBe(0);
    streams.clientEnded(2);
    expect(streams.isAborted(2)).toBe(false);
    expect(streams.trackedCount).toBe(0);
  });

  it("accounts a stream's unfinished frames within the connection's cap, and gives back what shrinks", () => {
    const budget = new PartialFrameBudget(1000);
    const streams = new SessionStreams(budget);
    const a = withPartial(streams.add(2), 30);
    const b = withPartial(streams.add(6), 40);
    expect(streams.account(a, 100)).toBeNull();
    expect(streams.account(b, 100)).toBeNull();
    expect(streams.bufferedPartialBytes).toBe(70);
    expect(budget.usedBytes).toBe(70);
    b.decoder.push(partialFrame(1).subarray(0, 1));
    const failure = streams.account(b, 70);
    expect(failure).toEqual({
      code: ERROR_CODES.RATE_LIMITED,
      message:
        "partial-frame budget exceeded: 71 bytes of unfinished frames buffered, over this connection's limit of 70",
      context: 'stream 6',
    });
    expect(streams.bufferedPartialBytes).toBe(70);
    expect(streams.account(b, 71)).toBeNull();
    expect(streams.bufferedPartialBytes).toBe(71);
    // The rest of a's frame arrives and is decoded: its 30 bytes come back.
    a.decoder.push(frameOver(30).subarray(30));
    expect(a.decoder.next()).toBeDefined();
    expect(streams.account(a, 100)).toBeNull();
    expect(streams.bufferedPartialBytes).toBe(41);
    expect(budget.usedBytes).toBe(41);
    streams.forget(b);
    expect(streams.bufferedPartialBytes).toBe(0);
    expect(budget.usedBytes).toBe(0);
  });

  it('refuses growth past the server-wide budget, shared by sessions', () => {
    const budget = new PartialFrameBudget(50);
    const first = new SessionStreams(budget);
    const second = new SessionStreams(budget);
    expect(first.account(withPartial(first.add(2), 30), 100)).toBeNull();
    const failure = second.account(withPartial(second.add(2), 30), 100);
    expect(failure?.message).toMatch(/over the server-wide limit$/);
    expect(second.bufferedPartialBytes).toBe(0);
    expect(budget.usedBytes).toBe(30);
    first.releaseAll();
    expect(budget.usedBytes).toBe(0);
    expect(first.trackedCount).toBe(0);
  });
});
