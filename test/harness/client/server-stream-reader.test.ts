/**
 * ServerStreamReader without a connection: shard-stream bytes that overtake HelloAck are read once num_shards is
 * known, by stream index; a finished or reset stream is forgotten, and later bytes on its id start afresh; a room
 * that never switched delivers its messages as they come.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame, type PeekedRoomMessage } from '../../../spec/index.js';
import { EXAMPLE_PAYLOADS } from '../../../spec/examples.js';
import { IgnoreClientEvents } from '../../../harness/client/client-events.js';
import { HoldTimer } from '../../../harness/client/hold-timer.js';
import { ServerStreamReader, type ServerStreamOwner } from '../../../harness/client/server-stream-reader.js';
import { shardStreamId } from '../../../harness/client/server-streams.js';

class Owner implements ServerStreamOwner {
  numShards = 0;
  readonly stopped: number[] = [];
  roundTripMs(): number {
    return 1;
  }
  stopSending(streamId: number): void {
    this.stopped.push(streamId);
  }
  messageDeleted(): void {}
}

class Recorder extends IgnoreClientEvents {
  readonly delivered: [room: number, id: number][] = [];
  readonly violations: string[] = [];
  override roomMessage(_client: unknown, message: PeekedRoomMessage): void {
    this.delivered.push([Number(message.room_id), Number(message.message_id)]);
  }
  override protocolViolation(_client: unknown, rule: string): void {
    this.violations.push(rule);
  }
}

/** A RoomMessage frame of `room` with id `id`. */
function message(room: number, id: number): Buffer {
  return Buffer.from(
    encodeFrame('RoomMessage', { ...EXAMPLE_PAYLOADS.RoomMessage, room_id: room, message_id: id }),
  );
}

function reader(): { owner: Owner; events: Recorder; streams: ServerStreamReader<Owner> } {
  const owner = new Owner();
  const events = new Recorder();
  return { owner, events, streams: new ServerStreamReader<Owner>(owner, events, new HoldTimer(), 250) };
}

describe('ServerStreamReader', () => {
  it('reads shard streams whose bytes came before HelloAck once num_shards is known, in stream index order', () => {
    const { owner, events, streams } = reader();
    // 8 shards: room 13 is on shard 5, room 2 on shard 2. Shard 5's bytes arrive first.
    streams.data(shardStreamId(5), message(13, 40), false, 1);
    streams.data(shardStreamId(2), message(2, 7), false, 1);
    expect(events.delivered).toEqual([]);
    owner.numShards = 8;
    streams.classifyPending(2);
    expect(events.delivered).toEqual([
      [2, 7],
      [13, 40],
    ]);
    // Later bytes go to the same streams (a frame split across two reads is joined).
    const next = message(13, 41);
    streams.data(shardStreamId(5), next.subarray(0, 5), false, 3);
    streams.data(shardStreamId(5), next.subarray(5), false, 3);
    expect(events.delivered.at(-1)).toEqual([13, 41]);
    expect(streams.latestLiveMessageIn(13)).toBe(41);
    expect(streams.messageCountIn(13)).toBe(2);
    expect(events.violations).toEqual([]);
  });

  it('forgets a reset or finished stream: later bytes on its id start a new frame sequence', () => {
    const { owner, events, streams } = reader();
    owner.numShards = 8;
    const half = message(13, 1).subarray(0, 6);
    streams.data(shardStreamId(5), half, false, 1);
    streams.reset(shardStreamId(5), 2);
    expect(events.violations).toEqual(['5/shard-streams']);
    // Had the half frame been kept, this message would not decode.
    streams.data(shardStreamId(5), message(13, 2), false, 3);
    expect(events.delivered).toEqual([[13, 2]]);
    streams.data(shardStreamId(2), message(2, 3), true, 4);
    expect(events.violations).toEqual(['5/shard-streams', '5/shard-streams']);
    streams.data(shardStreamId(2), message(2, 4), false, 5);
    expect(events.delivered).toEqual([
      [13, 2],
      [2, 3],
      [2, 4],
    ]);
  });
});
