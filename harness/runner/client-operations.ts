/**
 * The scenario's actions as one worker-owned client performs them (send, edit, delete, react, typing,
 * leave and rejoin, upload): each checks that the client can do it now, does it, and counts it. The
 * reconnect action is the worker's (it needs the departure logic), not here.
 */
import { encodeSendStamp } from '../metrics/send-stamp.js';
import { epochNowMs } from '../metrics/clock.js';
import type { Scenario } from '../scenario/types.js';
import { createUploadJob, uploadContent } from '../client/upload-job.js';
import type { ClientSlot } from './client-slot.js';
import type { PendingRecorder } from './pending-recorder.js';
import type { PendingSends } from './pending-sends.js';
import type { TimerQueue } from './timer-queue.js';
import type { PlannedOperation } from './traffic-plan.js';

/** Attachments carried by one message at most. */
const MAX_ATTACHMENTS_PER_MESSAGE = 4;
const EMOJIS = ['👍', '🎉', '😂', '❤️', '🔥', '👀'];
/**
 * Unfinished uploads per connection the server accepts (PROTOCOL.md 13/upload-start, default 4). When the server
 * or a starved harness runs slow, uploads pile up: a fifth UploadStart would be refused with error 1009, an error
 * the harness provoked and the run would blame on the server. The upload is skipped (counted) instead.
 */
export const MAX_UNFINISHED_UPLOADS = 4;

const CONTENT_UNIT = 'garou-bench load message. The quick brown fox jumps over the lazy dog 0123456789. ';
let contentCache = CONTENT_UNIT;

/** Message text of exactly `size` ASCII characters (one shared string, sliced). */
function messageContent(size: number): string {
  while (contentCache.length < size) contentCache += contentCache;
  return contentCache.slice(0, size);
}

/** What the operations read and record into: the worker's recorder, its pending sends and its timers. */
export interface OperationContext {
  readonly scenario: Scenario;
  readonly rec: PendingRecorder;
  readonly pendingSends: PendingSends;
  readonly timers: TimerQueue;
}

/** A planned operation other than `reconnect` by a ready client; whether it was performed (else it is skipped). */
export function performClientOperation(
  context: OperationContext,
  slot: ClientSlot,
  op: PlannedOperation,
  now: number,
): boolean {
  switch (op.action) {
    case 'send':
      return send(context, slot, op, now);
    case 'edit':
      return edit(context, slot, op, now);
    case 'delete':
      return remove(context, slot, op, now);
    case 'react':
      return react(context, slot, op, now);
    case 'typing': {
      const done = slot.client.isMember(op.roomId) && slot.client.sendTyping(op.roomId);
      if (done) context.rec.count('typing_sent', now);
      return done;
    }
    case 'join_leave':
      return leaveAndRejoin(context, slot, op, now);
    case 'upload':
      return upload(context, slot, op);
    case 'reconnect':
      throw new Error('the reconnect action is performed by the worker');
  }
}

function send(context: OperationContext, slot: ClientSlot, op: PlannedOperation, now: number): boolean {
  const client = slot.client;
  if (!client.isMember(op.roomId)) return false;
  const nonce = encodeSendStamp({ client: client.index, seq: ++slot.seq, scheduledAtMs: op.atMs });
  let attachments: number[] | undefined;
  if (slot.attachments !== null) {
    attachments = slot.attachments.splice(0, MAX_ATTACHMENTS_PER_MESSAGE);
    if (slot.attachments.length === 0) slot.attachments = null;
  }
  if (!client.sendMessage(op.roomId, messageContent(op.size), nonce, attachments)) return false;
  context.pendingSends.add({ slot, nonce, roomId: op.roomId, scheduledAtMs: op.atMs, sentAtMs: now });
  context.rec.count('sent', now);
  return true;
}

function edit(context: OperationContext, slot: ClientSlot, op: PlannedOperation, now: number): boolean {
  // A member only (PROTOCOL.md 7/permissions): after a leave its own messages stay listed but are out of reach.
  if (!slot.client.isMember(op.roomId)) return false;
  const id = slot.ownMessageIn(op.roomId, false);
  if (id === 0 || !slot.client.editMessage(id, messageContent(Math.max(1, op.size)))) return false;
  context.rec.count('edits', now);
  return true;
}

function remove(context: OperationContext, slot: ClientSlot, op: PlannedOperation, now: number): boolean {
  if (!slot.client.isMember(op.roomId)) return false;
  const id = slot.ownMessageIn(op.roomId, true);
  if (id === 0 || !slot.client.deleteMessage(id)) return false;
  context.rec.count('deletes', now);
  return true;
}

function react(context: OperationContext, slot: ClientSlot, op: PlannedOperation, now: number): boolean {
  const id = slot.client.latestLiveMessageIn(op.roomId);
  if (id === 0 || !slot.client.isMember(op.roomId)) return false;
  if (!slot.client.addReaction(id, EMOJIS[op.size % EMOJIS.length] as string)) return false;
  context.rec.count('reactions', now);
  return true;
}

function leaveAndRejoin(
  context: OperationContext,
  slot: ClientSlot,
  op: PlannedOperation,
  now: number,
): boolean {
  const client = slot.client;
  const rec = context.rec;
  if (!client.isMember(op.roomId) || !client.leaveRoom(op.roomId)) return false;
  rec.count('leaves', now);
  // The membership ends at the server somewhere before RoomClose (recorded then as `left`).
  rec.leaving(client.index, op.roomId, now);
  const rejoinAt = now + context.scenario.actions.joinLeave.rejoinAfterMs;
  context.timers.at(rejoinAt, () => {
    if (!client.ready || slot.departing || client.isMember(op.roomId)) return;
    const at = epochNowMs();
    rec.joining(client.index, op.roomId, at);
    if (client.joinRoom(op.roomId)) rec.count('joins', at);
  });
  return true;
}

function upload(context: OperationContext, slot: ClientSlot, op: PlannedOperation): boolean {
  if (!slot.client.isMember(op.roomId) || slot.client.uploadsPending >= MAX_UNFINISHED_UPLOADS) return false;
  const job = createUploadJob({
    roomId: op.roomId,
    data: uploadContent(op.uploadSize, op.sender * 1_000_003 + slot.seq),
    chunkSize: context.scenario.actions.upload.chunkSize,
    filename: `bench-${op.sender}-${++slot.seq}.bin`,
    tag: op.atMs,
  });
  return slot.client.startUpload(job);
}
