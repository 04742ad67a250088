/**
 * ClientStreams without a network: frames keep their order per stream when the flow-control window takes only part
 * of them, each purpose gets its own uni stream, opened by its first frame and again after STOP_SENDING, and a
 * stream limit makes a write report false instead of throwing.
 */
import { describe, expect, it } from 'vitest';
import { CONTROL_STREAM, ClientStreams } from '../../../harness/client/client-streams.js';
import type { QuicConnection } from '../../../transport/index.js';

/** The part of a QuicConnection ClientStreams uses: shared stream writes limited by a window, and uni stream ids. */
class FakeConnection {
  /** Bytes each stream has taken, in order. */
  readonly taken = new Map<number, number[]>();
  /** Bytes the next writes may take in total (flow-control window). */
  window = Infinity;
  /** Uni streams that may still be opened. */
  uniLeft = Infinity;
  private nextUni = 2;

  /** ClientStreams writes encoded frames, which never change: the transport may keep them without a copy. */
  writeShared(streamId: number, bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.window);
    this.window -= n;
    const list = this.taken.get(streamId) ?? [];
    list.push(...bytes.subarray(0, n));
    this.taken.set(streamId, list);
    return n;
  }

  openUni(): number {
    if (this.uniLeft <= 0) throw new Error('stream limit');
    this.uniLeft--;
    const id = this.nextUni;
    this.nextUni += 4;
    return id;
  }

  as(): QuicConnection {
    return this as unknown as QuicConnection;
  }
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ClientStreams', () => {
  it('queues what the window does not take and writes it, before later bytes, when the stream drains', () => {
    const connection = new FakeConnection();
    const streams = new ClientStreams();
    connection.window = 2;
    streams.control(connection.as(), bytes(1, 2, 3));
    streams.control(connection.as(), bytes(4, 5));
    expect(connection.taken.get(CONTROL_STREAM)).toEqual([1, 2]);
    connection.window = 2;
    streams.drain(connection.as(), CONTROL_STREAM);
    expect(connection.taken.get(CONTROL_STREAM)).toEqual([1, 2, 3, 4]);
    connection.window = Infinity;
    streams.control(connection.as(), bytes(6));
    expect(connection.taken.get(CONTROL_STREAM)).toEqual([1, 2, 3, 4]); // waits behind the queued 5
    streams.drain(connection.as(), CONTROL_STREAM);
    expect(connection.taken.get(CONTROL_STREAM)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('puts chat commands, acks and uploads on three uni streams, each opened by its first frame', () => {
    const connection = new FakeConnection();
    const streams = new ClientStreams();
    expect(streams.chat(connection.as(), bytes(1))).toBe(true);
    expect(streams.ack(connection.as(), bytes(2))).toBe(true);
    expect(streams.chat(connection.as(), bytes(3))).toBe(true);
    expect(streams.openUpload(connection.as())).toBe(true);
    streams.upload(connection.as(), bytes(4));
    expect([...connection.taken]).toEqual([
      [2, [1, 3]],
      [6, [2]],
      [10, [4]],
    ]);
  });

  it('opens a new stream after STOP_SENDING and drops what was queued for the stopped one', () => {
    const connection = new FakeConnection();
    const streams = new ClientStreams();
    connection.window = 1;
    streams.chat(connection.as(), bytes(1, 2));
    streams.stopped(2);
    connection.window = Infinity;
    streams.drain(connection.as(), 2);
    expect(connection.taken.get(2)).toEqual([1]);
    streams.chat(connection.as(), bytes(3));
    expect(connection.taken.get(6)).toEqual([3]);
  });

  it('reports false at the stream limit and opens the stream once the limit allows', () => {
    const connection = new FakeConnection();
    const streams = new ClientStreams();
    connection.uniLeft = 0;
    expect(streams.ack(connection.as(), bytes(1))).toBe(false);
    expect(streams.openUpload(connection.as())).toBe(false);
    connection.uniLeft = 1;
    expect(streams.ack(connection.as(), bytes(2))).toBe(true);
    expect(connection.taken.get(2)).toEqual([2]);
  });

  it('forgets its streams and queues when the connection is reset', () => {
    const first = new FakeConnection();
    const streams = new ClientStreams();
    first.window = 0;
    streams.chat(first.as(), bytes(1));
    streams.reset();
    const second = new FakeConnection();
    streams.chat(second.as(), bytes(2));
    streams.drain(second.as(), 2);
    expect(second.taken.get(2)).toEqual([2]);
  });
});
