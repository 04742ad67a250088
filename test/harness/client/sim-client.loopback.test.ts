import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HoldTimer,
  IgnoreClientEvents,
  SimClient,
  FULL_DECODE_EVERY,
  FULL_MEMBERSHIP_DECODE_EVERY,
  createUploadJob,
  uploadContent,
  type ClientContext,
} from '../../../harness/client/index.js';
import { encodeFrame, type RoomMessage, type RoomInit } from '../../../spec/index.js';
import { QuicEndpoint } from '../../../transport/index.js';
import { FakeChatServer, type FakeSession } from '../fake-chat-server.js';

const NUM_SHARDS = 4;

function roomMessage(id: number, roomId: number, nonce: string | null = null): Uint8Array {
  return encodeFrame('RoomMessage', {
    message_id: id,
    room_id: roomId,
    sender: { user_id: 9, username: 'script', avatar_url: null },
    content: 'x',
    timestamp: 1,
    reply_to: null,
    attachments: [],
    nonce,
  });
}

/** A RoomMessage frame with a payload the encoder would refuse. */
function badRoomMessage(payload: string): Uint8Array {
  return badFrame(0x30, payload);
}

/** A frame of the given type code with a payload the encoder would refuse. */
function badFrame(code: number, payload: string): Uint8Array {
  const body = new TextEncoder().encode(payload);
  const frame = new Uint8Array(5 + body.length);
  frame[0] = code;
  new DataView(frame.buffer).setUint32(1, body.length);
  frame.set(body, 5);
  return frame;
}

/** Frames a scripted server writes after AuthOk, on chosen server streams. */
function script(session: FakeSession): void {
  // Shard streams are mapped by QUIC id: index 2 (id 11) is shard 2 = room 6 % 4.
  session.onStream(
    2,
    encodeFrame('RoomInit', {
      room_id: 6,
      name: 'six',
      room_type: 'group',
      members: [],
      recent_messages: [],
      member_count: null,
    }),
  );
  session.onStream(2, roomMessage(10, 6));
  // Promotion: RoomPromoted on control, then a hot stream (index 4 = id 19) with the header first.
  session.control(encodeFrame('RoomPromoted', { room_id: 6, from_shard: 2 }));
  session.onStream(4, encodeFrame('RoomPromoted', { room_id: 6, from_shard: 2 }));
  session.onStream(4, roomMessage(11, 6));
  // A header-less hot stream (the original server may omit the header): mapped by its first room frame.
  session.onStream(5, roomMessage(12, 9));
  session.onStream(5, roomMessage(13, 9));
  // Violations: a control frame on a shard stream, a room frame on the wrong shard.
  session.onStream(0, encodeFrame('Ping', { timestamp: 1 }));
  session.onStream(3, roomMessage(14, 1));
  // Shard 1 (room 5): a nonce the peek leaves to the full decode, a payload both reject, then a plain one.
  session.onStream(1, roomMessage(20, 5, 'quote " and \\ backslash'));
  session.onStream(1, badRoomMessage('{"message_id":"20","room_id":5}'));
  session.onStream(1, roomMessage(21, 5, 'plain-21'));
  // Shard 3 (room 7): payloads whose edges the peek's fast path reads but whose middle is broken. The sampled
  // full decode must catch one of every FULL_DECODE_EVERY of them.
  for (let id = 100; id < 100 + FULL_DECODE_EVERY; id++) {
    session.onStream(3, badRoomMessage(`{"message_id":${id},"room_id":7,broken,"nonce":null}`));
  }
  // Shard 3: RoomUserJoined (0x35) and RoomInit (0x37) broken past the room id the peek reads. The sampled full
  // decode must report some: three rounds, as other RoomInits may take a sampled turn.
  for (let k = 0; k < 3 * FULL_MEMBERSHIP_DECODE_EVERY; k++) {
    session.onStream(3, badFrame(k % 2 === 0 ? 0x35 : 0x37, `{"room_id":7,"user":broken}`));
  }
}

class Recorder extends IgnoreClientEvents {
  readonly deliveries: Array<[room: number, id: number]> = [];
  readonly nonces: Array<string | null> = [];
  readonly inits: number[] = [];
  readonly violations: string[] = [];
  readonly violationDetails: string[] = [];
  readonly promoted: number[] = [];
  readonly uploads: string[] = [];
  override roomMessage(_client: SimClient, message: RoomMessage): void {
    this.deliveries.push([Number(message.room_id), Number(message.message_id)]);
    this.nonces.push(message.nonce);
  }
  override roomInit(_client: SimClient, init: RoomInit): void {
    this.inits.push(Number(init.room_id));
  }
  override protocolViolation(_client: SimClient, rule: string, detail: string): void {
    this.violations.push(rule);
    this.violationDetails.push(detail);
  }
  override roomPromoted(_client: SimClient, roomId: number): void {
    this.promoted.push(roomId);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SimClient on loopback', () => {
  let server: FakeChatServer;
  let endpoint: QuicEndpoint;

  beforeAll(async () => {
    server = await FakeChatServer.start({ numShards: NUM_SHARDS, onAuthenticated: script });
    endpoint = await QuicEndpoint.bind();
  });

  afterAll(async () => {
    await endpoint.close({ timeoutMs: 500 });
    await server.close();
  });

  it('maps shard streams by stream id, hot streams by header or first frame, and reports violations', async () => {
    const events = new Recorder();
    const context: ClientContext = {
      endpoint,
      events,
      tls: { insecure: true },
      holdTimer: new HoldTimer(),
      switchHoldMs: 20,
    };
    const client = new SimClient(0, 'mapper', context);
    client.connect('127.0.0.1', server.port);
    await until(() => events.deliveries.length >= 7 + FULL_DECODE_EVERY - 1, 'every valid delivery');
    expect(client.ready).toBe(true);
    expect(client.numShards).toBe(NUM_SHARDS);
    expect(events.inits).toEqual(expect.arrayContaining([1, 6]));
    expect(client.isMember(6)).toBe(true);
    const inRoom = (room: number) => events.deliveries.filter(([r]) => r === room).map(([, id]) => id);
    expect(inRoom(6)).toEqual([10, 11]);
    expect(inRoom(9)).toEqual([12, 13]);
    expect(inRoom(1)).toEqual([14]);
    expect(inRoom(5)).toEqual([20, 21]);
    expect(inRoom(7)).toHaveLength(FULL_DECODE_EVERY - 1);
    const isMembershipFrame = (detail: string): boolean => /RoomUserJoined|RoomInit/.test(detail);
    await until(() => events.violationDetails.some(isMembershipFrame), 'a sampled membership frame');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const membership = events.violationDetails.filter(isMembershipFrame);
    expect(membership.length).toBeGreaterThanOrEqual(1);
    expect(membership.length).toBeLessThan(3 * FULL_MEMBERSHIP_DECODE_EVERY);
    expect(events.violations.filter((rule) => rule === '3/invalid-payload').length).toBe(
      2 + membership.length,
    );
    expect(events.nonces.filter((nonce) => nonce !== null)).toEqual(['quote " and \\ backslash', 'plain-21']);
    expect(events.promoted).toEqual([6]);
    expect(events.violations).toEqual(
      expect.arrayContaining(['5/shard-streams', '4.3/room-frame-routing', '3/invalid-payload']),
    );
    client.disconnect();
  });

  it('puts Goodbye on the wire before closing on purpose, and reports a requested close', async () => {
    const closes: boolean[] = [];
    const events = new (class extends IgnoreClientEvents {
      override disconnected(_c: SimClient, _info: unknown, requested: boolean): void {
        closes.push(requested);
      }
    })();
    const context: ClientContext = { endpoint, events, tls: { insecure: true }, holdTimer: new HoldTimer() };
    const client = new SimClient(3, 'leaver', context);
    client.connect('127.0.0.1', server.port);
    await until(() => client.ready, 'AuthOk');
    client.disconnect('done for today');
    await until(() => closes.length === 1, 'the close');
    expect(server.goodbyes).toContain('done for today');
    expect(closes).toEqual([true]);
    expect(client.state).toBe('closed');
  });

  it('sends messages and gets acks and its own echo, and uploads over the upload stream', async () => {
    const acks: string[] = [];
    const echoes: string[] = [];
    const events = new (class extends Recorder {
      override messageAck(_c: SimClient, ack: { nonce: string }): void {
        acks.push(ack.nonce);
      }
      override roomMessage(_c: SimClient, m: RoomMessage): void {
        if (m.nonce?.startsWith('n-')) echoes.push(m.nonce); // the scripted room messages carry others
      }
      override uploadFailed(_c: SimClient, _job: unknown, reason: string): void {
        this.uploads.push(`failed: ${reason}`);
      }
    })();
    const context: ClientContext = { endpoint, events, tls: { insecure: true }, holdTimer: new HoldTimer() };
    const client = new SimClient(1, 'sender', context);
    client.connect('127.0.0.1', server.port);
    await until(() => client.ready && client.isMember(1), 'AuthOk and General');
    expect(client.sendMessage(1, 'hello', 'n-1')).toBe(true);
    expect(client.sendMessage(1, 'again', 'n-2')).toBe(true);
    await until(() => acks.length === 2 && echoes.length === 2, 'acks and echoes');
    expect(acks).toEqual(['n-1', 'n-2']);
    expect(echoes).toEqual(['n-1', 'n-2']);
    // Delivery and read receipts travel on their own ACK stream, not on the chat-command stream.
    expect(client.sendDelivered(1, 1, Date.now())).toBe(true);
    expect(client.sendRead(1, 1, Date.now())).toBe(true);
    await until(() => server.receipts.length === 2, 'receipts');
    expect(server.receipts.map((r) => r.name)).toEqual(['MessageDelivered', 'MessageRead']);
    expect(server.receipts[0]!.streamId).toBe(server.receipts[1]!.streamId);
    expect(server.receipts[0]!.streamId % 4).toBe(2); // a client uni stream (2, 6, 10, ...)
    expect(server.receipts[0]!.streamId).not.toBe(2); // stream 2 carried the chat commands
    // The fake server does not implement uploads; the start goes out and the job fails when we close.
    expect(
      client.startUpload(createUploadJob({ roomId: 1, data: uploadContent(1000, 1), chunkSize: 256 })),
    ).toBe(true);
    client.disconnect();
    await until(() => events.uploads.length === 1, 'upload failure on close');
    expect(events.uploads[0]).toBe('failed: connection closed');
    expect(client.ready).toBe(false);
  });
});
