/** What the runner does with every RoomMessage a client receives (the harness's per-delivery hot path). */
import type { RunRecorder } from '../metrics/run-recorder.js';
import type { DeliveryVerdict } from '../metrics/delivery-tracker.js';
import { decodeSendStampInto, type SendStamp } from '../metrics/send-stamp.js';
import { u64ToNumber, type PeekedRoomMessage } from '../../spec/index.js';

/**
 * Records one delivery to `recipient` (in room order, after the switch merge): correctness, and latency from
 * the scheduled send time carried in the nonce stamp (contract 3). In a segment run, `senderIsLocal` tells
 * whether the stamp's sender belongs to this segment; a delivery from another segment (verdict 'foreign') is
 * counted, judged for duplicates and order, and kept in the segment ledger for the merge: its ack is known to
 * that segment alone, and its scheduled time is another machine's clock. Without `senderIsLocal` every sender
 * is local.
 */
export function recordRoomMessage(
  recorder: RunRecorder,
  recipient: number,
  message: PeekedRoomMessage,
  receivedAtMs: number,
  senderIsLocal?: (client: number) => boolean,
): DeliveryVerdict | 'foreign' {
  const stamped = decodeSendStampInto(message.nonce, stamp);
  if (stamped && senderIsLocal !== undefined && !senderIsLocal(stamp.client)) {
    recordForeign(recorder, recipient, message, stamp, receivedAtMs);
    return 'foreign';
  }
  return recorder.recordDeliveryOf(
    recipient,
    u64ToNumber(message.room_id),
    u64ToNumber(message.message_id),
    stamped ? stamp.scheduledAtMs : undefined,
    receivedAtMs,
    message.nonce,
  );
}

/** The stamp of the delivery being recorded (reused: recordRoomMessage runs once per delivered message). */
const stamp: SendStamp = { client: 0, seq: 0, scheduledAtMs: 0 };

/** The foreign branch of recordRoomMessage, kept out of it so the local path's function stays small (inlining). */
function recordForeign(
  recorder: RunRecorder,
  recipient: number,
  message: PeekedRoomMessage,
  stamp: SendStamp,
  receivedAtMs: number,
): void {
  recorder.recordCrossSegmentDelivery({
    recipient,
    roomId: u64ToNumber(message.room_id),
    messageId: u64ToNumber(message.message_id),
    receivedAtMs,
    sender: stamp.client,
    seq: stamp.seq,
    scheduledAtMs: stamp.scheduledAtMs,
  });
}
