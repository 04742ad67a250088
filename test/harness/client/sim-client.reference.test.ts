/**
 * Every command of the simulated client against the reference server on loopback, each witnessed by an
 * independent observer (a conformance ProbeConnection, which decodes every frame it receives): send, edit,
 * add/remove reaction, delete, typing and stop-typing, presence, create room, leave/join, upload (the
 * UploadAck path, then the upload attached to a message), delivered/read receipts and ping. Load runs use most
 * of these; this pins each one's wire effect to the right frame with the right fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HoldTimer,
  IgnoreClientEvents,
  SimClient,
  createUploadJob,
  uploadContent,
  type ClientContext,
  type UploadJob,
} from '../../../harness/client/index.js';
import { ProbeConnection } from '../../../harness/conformance/probe-connection.js';
import { ResolvedTarget } from '../../../harness/conformance/target.js';
import type { ErrorPayload, MessageAck, RoomInit } from '../../../spec/index.js';
import { QuicEndpoint } from '../../../transport/index.js';
import { startTestServer, type TestServer } from '../conformance/conformance-server.js';

const GENERAL = 1;
const WAIT_MS = 5000;

/** What the actor's owner hears. */
class ActorEvents extends IgnoreClientEvents {
  ready = false;
  readonly inits: RoomInit[] = [];
  readonly acks = new Map<string, MessageAck>();
  readonly errors: ErrorPayload[] = [];
  raced = 0;
  readonly uploads: Array<{ job: UploadJob; uploadId: number; url: string }> = [];
  readonly uploadFailures: string[] = [];
  override authenticated(): void {
    this.ready = true;
  }
  override roomInit(_client: SimClient, init: RoomInit): void {
    this.inits.push(init);
  }
  override messageAck(_client: SimClient, ack: MessageAck): void {
    this.acks.set(ack.nonce, ack);
  }
  override serverError(_client: SimClient, error: ErrorPayload): void {
    this.errors.push(error);
  }
  override reactionRacedDelete(): void {
    this.raced++;
  }
  override uploadDone(_client: SimClient, job: UploadJob, uploadId: number, url: string): void {
    this.uploads.push({ job, uploadId, url });
  }
  override uploadFailed(_client: SimClient, _job: UploadJob, reason: string): void {
    this.uploadFailures.push(reason);
  }
}

/** Polls `value` until it is truthy (events without a promise of their own), bounded. */
async function until<T>(value: () => T | undefined | false | null, what: string): Promise<T> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const v = value();
    if (v !== undefined && v !== false && v !== null) return v;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let server: TestServer;
let target: ResolvedTarget;
let endpoint: QuicEndpoint;
let observer: ProbeConnection;
let actor: SimClient;
const events = new ActorEvents();

beforeAll(async () => {
  server = await startTestServer();
  target = await ResolvedTarget.open(server.address, {
    ca: null,
    serverName: null,
    handshakeTimeoutMs: 2000,
  });
  observer = await ProbeConnection.open(target, { alpn: 'chat', label: 'observer', defaultNumShards: 8 });
  await observer.login('observer', WAIT_MS);
  await observer.expectFrame('shard', 'RoomInit', { timeoutMs: WAIT_MS });
  endpoint = await QuicEndpoint.bind();
  const context: ClientContext = {
    endpoint,
    events,
    tls: { insecure: true },
    holdTimer: new HoldTimer(),
    switchHoldMs: 20,
  };
  actor = new SimClient(0, 'actor', context);
  actor.connect(server.address.host, server.address.port);
  await until(() => events.ready && actor.isMember(GENERAL), 'AuthOk and RoomInit of General for the actor');
});

afterAll(async () => {
  actor?.disconnect('test over');
  observer?.close();
  await endpoint?.close({ timeoutMs: 500 });
  await target?.close();
  await server?.stop();
});

/** Sends a message from the actor; resolves with its id once acked and seen by the observer. */
async function sendSeen(
  content: string,
  nonce: string,
  attachments: number[] = [],
  urls: string[] = [],
): Promise<number> {
  expect(actor.sendMessage(GENERAL, content, nonce, attachments)).toBe(true);
  const ack = await until(() => events.acks.get(nonce), `MessageAck for ${nonce}`);
  const id = Number(ack.message_id);
  const { payload } = await observer.expectFrame('shard', 'RoomMessage', {
    timeoutMs: WAIT_MS,
    match: (p) => Number(p.message_id) === id,
  });
  expect(payload).toMatchObject({ room_id: GENERAL, content, nonce, sender: { user_id: actor.userId } });
  // RoomMessage carries the attachments as URLs (PROTOCOL.md 8/fan-out).
  expect(payload.attachments).toEqual(urls);
  return id;
}

describe('SimClient commands against the reference server', () => {
  it('send, edit, add and remove a reaction, delete: each reaches the room with its fields', async () => {
    const id = await sendSeen('first', 'nonce-first');
    const by = (p: { message_id: unknown }) => Number(p.message_id) === id;

    expect(actor.editMessage(id, 'first, edited')).toBe(true);
    const edited = await observer.expectFrame('shard', 'RoomMessageEdited', {
      timeoutMs: WAIT_MS,
      match: by,
    });
    expect(edited.payload).toMatchObject({ room_id: GENERAL, content: 'first, edited' });

    expect(actor.addReaction(id, '🎉')).toBe(true);
    const added = await observer.expectFrame('shard', 'RoomReactionAdded', { timeoutMs: WAIT_MS, match: by });
    expect(added.payload).toMatchObject({ room_id: GENERAL, emoji: '🎉', user_id: actor.userId });

    expect(actor.removeReaction(id, '🎉')).toBe(true);
    const removed = await observer.expectFrame('shard', 'RoomReactionRemoved', {
      timeoutMs: WAIT_MS,
      match: by,
    });
    expect(removed.payload).toMatchObject({ room_id: GENERAL, emoji: '🎉', user_id: actor.userId });

    expect(actor.deleteMessage(id)).toBe(true);
    const deleted = await observer.expectFrame('shard', 'RoomMessageDeleted', {
      timeoutMs: WAIT_MS,
      match: by,
    });
    expect(deleted.payload).toMatchObject({ room_id: GENERAL });
    expect(events.errors).toEqual([]);
  });

  it('offers the newest message not seen deleted as reaction target, so a reaction never meets NOT_FOUND', async () => {
    const older = await sendSeen('older', 'nonce-older');
    const newer = await sendSeen('newer', 'nonce-newer');
    await until(() => actor.latestLiveMessageIn(GENERAL) === newer, 'the newer message at the actor');
    expect(actor.deleteMessage(newer)).toBe(true);
    await until(
      () => actor.latestLiveMessageIn(GENERAL) === older,
      'the older message as target after the delete',
    );
    const target = actor.latestLiveMessageIn(GENERAL);
    expect(actor.addReaction(target, '👍')).toBe(true);
    const added = await observer.expectFrame('shard', 'RoomReactionAdded', {
      timeoutMs: WAIT_MS,
      match: (p) => Number(p.message_id) === older,
    });
    expect(added.payload).toMatchObject({ emoji: '👍', user_id: actor.userId });
    expect(events.errors).toEqual([]);
  });

  it('counts a reaction that meets its message deleted first as a raced reaction, not an error', async () => {
    const id = await sendSeen('doomed', 'nonce-doomed');
    // One chat stream, read in order: the server deletes, then answers the reaction NOT_FOUND. The RoomMessageDeleted
    // (shard stream) and the Error (control stream) may reach the actor in either order.
    expect(actor.deleteMessage(id)).toBe(true);
    expect(actor.addReaction(id, '👀')).toBe(true);
    await observer.expectFrame('shard', 'RoomMessageDeleted', {
      timeoutMs: WAIT_MS,
      match: (p) => Number(p.message_id) === id,
    });
    await until(() => events.raced === 1, 'the raced reaction');
    expect(events.errors).toEqual([]);
  });

  it('typing, stop-typing and presence go out as datagrams the observer receives', async () => {
    const after = observer.on('any').length;
    const mine = (p: { user_id: unknown }) => p.user_id === actor.userId;
    expect(actor.sendTyping(GENERAL)).toBe(true);
    const typing = await observer.expectFrame('datagram', 'Typing', { timeoutMs: WAIT_MS, match: mine });
    expect(typing.payload.room_id).toBe(GENERAL);
    expect(actor.sendStopTyping(GENERAL)).toBe(true);
    const stop = await observer.expectFrame('datagram', 'StopTyping', { timeoutMs: WAIT_MS, match: mine });
    expect(stop.payload.room_id).toBe(GENERAL);
    expect(actor.sendPresenceOnline('busy')).toBe(true);
    const presence = await observer.expectFrame('datagram', 'PresenceOnline', {
      timeoutMs: WAIT_MS,
      match: (p) => mine(p) && p.status === 'busy',
    });
    expect(presence.item.seq).toBeGreaterThanOrEqual(after);
  });

  it('creates a room with the observer as member, leaves General and joins it again', async () => {
    expect(actor.createRoom('mix room', 'group', [observer.userId!])).toBe(true);
    const init = await until(
      // Only the room id of most RoomInits is read (membership-frames.ts): the new room is the one not General.
      () => events.inits.find((i) => Number(i.room_id) !== GENERAL),
      'RoomInit of the new room',
    );
    const roomId = Number(init.room_id);
    expect(actor.isMember(roomId)).toBe(true);
    const seen = await observer.expectFrame('shard', 'RoomInit', {
      timeoutMs: WAIT_MS,
      match: (p) => Number(p.room_id) === roomId,
    });
    expect(seen.payload).toMatchObject({ name: 'mix room', room_type: 'group' });

    const mine = (p: { room_id: unknown; user_id?: unknown }) => p.room_id === GENERAL;
    expect(actor.leaveRoom(GENERAL)).toBe(true);
    const left = await observer.expectFrame('shard', 'RoomUserLeft', { timeoutMs: WAIT_MS, match: mine });
    expect(left.payload.user_id).toBe(actor.userId);
    await until(() => !actor.isMember(GENERAL) && actor.memberRooms().length === 1, 'the leave at the actor');
    expect(actor.joinRoom(GENERAL)).toBe(true);
    const joined = await observer.expectFrame('shard', 'RoomUserJoined', {
      timeoutMs: WAIT_MS,
      match: (p) => mine(p) && p.user.user_id === actor.userId,
    });
    expect(joined.payload.room_id).toBe(GENERAL);
    await until(() => actor.isMember(GENERAL), 'RoomInit of General after the rejoin');
  });

  it('uploads a file through both UploadAcks and attaches it to a message the observer receives', async () => {
    const job = createUploadJob({
      roomId: GENERAL,
      data: uploadContent(5000, 7),
      chunkSize: 2048,
      filename: 'a b.bin',
    });
    expect(actor.startUpload(job)).toBe(true);
    const done = await until(() => events.uploads[0], 'the final UploadAck');
    expect(events.uploadFailures).toEqual([]);
    expect(done.uploadId).toBeGreaterThan(0);
    expect(done.url).toBe(`garou://uploads/${done.uploadId}/a_b.bin`);
    await sendSeen('with a file', 'nonce-file', [done.uploadId], [done.url]);
  });

  it('writes delivered and read receipts without an answer, and measures a ping round trip', async () => {
    const id = await sendSeen('receipted', 'nonce-receipt');
    const errorsBefore = events.errors.length;
    expect(actor.sendDelivered(id, GENERAL, Date.now())).toBe(true);
    expect(actor.sendRead(id, GENERAL, Date.now())).toBe(true);
    expect(actor.lastPingRttMs).toBeNull();
    expect(actor.ping()).toBe(true);
    // The Pong comes after the receipts on the server's side: had they been refused, their Error would be first.
    const rtt = await until(
      () => (actor.lastPingRttMs === null ? null : { rtt: actor.lastPingRttMs }),
      'Pong',
    );
    expect(rtt.rtt).toBeGreaterThanOrEqual(0);
    expect(events.errors.slice(errorsBefore)).toEqual([]);
  });
});
