/**
 * ProbeRecording without a server: frames split across chunks, truncated frames at FIN, stream kinds from the
 * HelloAck's shard count, change notifications, and the descriptions used in failure reports.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../spec/index.js';
import { HandFedRecording } from './hand-fed-recording.js';

const helloAck = (numShards: number) =>
  encodeFrame('HelloAck', {
    version: 1,
    session_id: 's',
    num_shards: numShards,
    hot_room_config: null,
    large_room_threshold: null,
  });

describe('ProbeRecording', () => {
  it('records frames split across chunks in arrival order, per stream', () => {
    const recording = new HandFedRecording();
    const both = Buffer.concat([
      encodeFrame('Pong', { timestamp: 1 }),
      encodeFrame('Pong', { timestamp: 2 }),
    ]);
    recording.data(0, both.subarray(0, 5));
    expect(recording.received).toHaveLength(0);
    recording.data(0, both.subarray(5));
    recording.data(7, encodeFrame('Pong', { timestamp: 3 }));
    expect(recording.received.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(recording.payloads('control', 'Pong').map((p) => p.timestamp)).toEqual([1, 2]);
    expect(recording.on(7)).toHaveLength(1);
    expect(recording.streamsSeen).toEqual([0, 7]);
    expect(recording.mark).toBe(3);
  });

  it('records a frame cut short by FIN as a decode failure and marks the stream finished', () => {
    const recording = new HandFedRecording();
    const pong = encodeFrame('Pong', { timestamp: 1 });
    recording.data(7, pong.subarray(0, pong.length - 2), true);
    expect(recording.finished.has(7)).toBe(true);
    expect(recording.received).toHaveLength(1);
    expect(recording.received[0]!.error).toBeDefined();
    expect(recording.describeStream(7)).toContain('invalid');
  });

  it("takes stream kinds from the HelloAck's shard count", () => {
    const recording = new HandFedRecording(8);
    expect(recording.kindOf(4 * 5 + 3)).toBe('shard');
    recording.data(0, helloAck(4));
    expect(recording.numShards).toBe(4);
    expect(recording.kindOf(4 * 5 + 3)).toBe('hot-room');
    expect(recording.kindOf(0)).toBe('control');
    expect(recording.kindOf(2)).toBe('client-uni');
    expect(recording.shardStreamOf(6)).toBe(4 * 2 + 3);
    expect(recording.streamLabel(7)).toBe('stream 7 (shard 1)');
  });

  it('notifies listeners of every recorded event until they stop listening', () => {
    const recording = new HandFedRecording();
    let calls = 0;
    const stop = recording.onChange(() => calls++);
    recording.data(0, encodeFrame('Pong', { timestamp: 1 }));
    expect(calls).toBe(1);
    stop();
    recording.data(0, encodeFrame('Pong', { timestamp: 2 }));
    expect(calls).toBe(1);
  });

  it('describes only the last 12 frames of a long stream, and the close', () => {
    const recording = new HandFedRecording();
    for (let i = 0; i < 15; i++) recording.data(0, encodeFrame('Pong', { timestamp: i }));
    expect(recording.describeStream('control')).toMatch(/^3 earlier frames, then Pong/);
    expect(recording.describeClose()).toBe('');
    recording.close({
      cause: 'peer',
      wasEstablished: true,
      localError: null,
      peerError: { isApp: true, code: 1001, reason: 'bye' },
    });
    expect(recording.closed).toBe(true);
    expect(recording.describeClose()).toBe('; connection closed (peer, application error 1001 "bye")');
  });
});
