/**
 * Targeted read of the room id of a RoomInit (0x37) or RoomUserJoined (0x35) payload, for receivers that need only
 * that of the many they get (the load harness: a connect brings a client one RoomInit per room and a RoomUserJoined
 * per later pod member). Both known servers (ours and the original) write room_id as the first member, as the frame
 * table orders it: `{"room_id":<digits>,` ... `}`. Only that layout is read; anything else gives undefined (then
 * decode the payload fully). It is not a validation: the rest of the payload is not looked at, so receivers that
 * must report a malformed payload fully decode a sample of them (harness/client/server-stream-reader.ts).
 */

/** `{"room_id":` */
const ROOM_ID_PREFIX = Uint8Array.from('{"room_id":', (c) => c.charCodeAt(0));
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Most digits read: 15 digits are exact as a double (longer ids take the full decode). */
const MAX_DIGITS = 15;

/**
 * The room id at the head of a RoomInit or RoomUserJoined payload `bytes[start, end)` (UTF-8 JSON, frame header
 * excluded), or undefined when the payload does not start `{"room_id":<digits>,` and end with `}`. Never throws.
 */
export function peekLeadingRoomId(bytes: Uint8Array, start: number, end: number): number | undefined {
  const prefix = ROOM_ID_PREFIX;
  if (start < 0 || end > bytes.length || end - start < prefix.length + 3) return undefined;
  if (bytes[end - 1] !== CLOSE_BRACE) return undefined;
  for (let k = 0; k < prefix.length; k++) if (bytes[start + k] !== prefix[k]) return undefined;
  const first = start + prefix.length;
  const limit = Math.min(end, first + MAX_DIGITS + 1);
  let value = 0;
  let i = first;
  for (; i < limit; i++) {
    const c = bytes[i] as number;
    if (c < DIGIT_0 || c > DIGIT_9) break;
    value = value * 10 + (c - DIGIT_0);
  }
  const digits = i - first;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && bytes[first] === DIGIT_0)) return undefined;
  return bytes[i] === COMMA ? value : undefined;
}
