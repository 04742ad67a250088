/**
 * ProbeStreamWriter against a transport that takes a fixed number of bytes per write: what flow control pushes back
 * is queued per stream, written in order on drain with the FIN on the last piece, and dropped for a stopped stream
 * or a closed connection.
 */
import { describe, expect, it } from 'vitest';
import { ProbeStreamWriter } from '../../../harness/conformance/probe-stream-writer.js';
import type { QuicConnection } from '../../../transport/index.js';
import { HandFedRecording } from './hand-fed-recording.js';

/** A transport stand-in: takes at most `room` bytes per write and logs what it took. */
function tightTransport(room: number): { quic: QuicConnection; taken: { bytes: string; fin: boolean }[] } {
  const taken: { bytes: string; fin: boolean }[] = [];
  const quic = {
    state: 'established',
    write(_streamId: number, data: Uint8Array, fin: boolean): number {
      const accepted = Math.min(room, data.length);
      const all = accepted === data.length;
      taken.push({ bytes: Buffer.from(data.subarray(0, accepted)).toString(), fin: fin && all });
      return accepted;
    },
  } as unknown as QuicConnection;
  return { quic, taken };
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('ProbeStreamWriter', () => {
  it('queues what flow control refuses and writes it in order on drain, FIN last', () => {
    const { quic, taken } = tightTransport(3);
    const writer = new ProbeStreamWriter(quic, new HandFedRecording());
    writer.write(2, bytes('abcdef'), false);
    writer.write(2, bytes('gh'), true);
    expect(taken).toEqual([{ bytes: 'abc', fin: false }]);
    expect(writer.isFinishedOrQueued(2)).toBe(true);
    writer.drain(2);
    writer.drain(2);
    expect(taken.map((t) => t.bytes).join('')).toBe('abcdefgh');
    expect(taken.at(-1)).toEqual({ bytes: 'gh', fin: true });
  });

  it('drops the queue of a stopped stream and writes nothing once the connection closed', () => {
    const { quic, taken } = tightTransport(3);
    const recording = new HandFedRecording();
    const writer = new ProbeStreamWriter(quic, recording);
    writer.write(6, bytes('abcdef'), false);
    writer.discard(6);
    expect(writer.isFinishedOrQueued(6)).toBe(false);
    recording.stop(10, 7);
    writer.write(10, bytes('abcdef'), false);
    expect(writer.isFinishedOrQueued(10)).toBe(false);
    recording.close();
    writer.write(14, bytes('x'), false);
    writer.drain(6);
    expect(taken.map((t) => t.bytes)).toEqual(['abc', 'abc']);
  });
});
