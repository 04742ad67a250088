/** What the runner does with every RoomMessage a client receives (the harness's per-delivery hot path). */
import type { RunRecorder } from '../metrics/run-recorder.js';
import type { DeliveryVerdict } from '../metrics/delivery-tracker.js';
import { decodeSendStamp } from '../metrics/send-stamp.js';
import type { PeekedRoomMessage, U64 } from '../../spec/index.js';

function toNumber(value: U64): number {
  return typeof value === 'number' ? value : Number(value);
}

/**
 * Records one delivery to `recipient` (in room order, after the switch merge): correctness, and latency from
 * the scheduled send time carried in the nonce stamp (contract 3). In a segment run, `senderIsLocal` tells
 * whether the stamp's sender belongs to this segment; a delivery from another segment is only counted
 * (verdict 'foreign'): its ack is known to that segment alone, and its scheduled time is another machine's clock.
 * Without `senderIsLocal` every sender is local.
 */
export function recordRoomMessage(
  recorder: RunRecorder,
  recipient: number,
  message: PeekedRoomMessage,
  receivedAtMs: number,
  senderIsLocal?: (client: number) => boolean,
): DeliveryVerdict | 'foreign' {
  const stamp = decodeSendStamp(message.nonce);
  if (stamp !== undefined && senderIsLocal !== undefined && !senderIsLocal(stamp.client)) {
    recorder.recordCrossSegmentDelivery(receivedAtMs);
    return 'foreign';
  }
  return recorder.recordDelivery({
    recipient,
    roomId: toNumber(message.room_id),
    messageId: toNumber(message.message_id),
    scheduledAtMs: stamp?.scheduledAtMs,
    receivedAtMs,
  });
}
