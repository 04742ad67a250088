/**
 * Codec throughput: encode and decode rate (frames/s) of a typical RoomMessage, beside
 * JSON.stringify / JSON.parse of the same payload measured in the same run. The headline
 * figure is the ratio ours/JSON: our codec also writes the 5-byte header, checks every
 * field against the schema, converts to/from UTF-8 bytes and keeps u64 ids above 2^53
 * exact (the JSON baseline carries the big user id as a lossy double).
 *
 * Run: node --import tsx bench/codec/main.ts
 */
import { FrameDecoder, encodeFrame } from '../../spec/codec.js';
import type { RoomMessage } from '../../spec/messages.js';

const MEASURE_MS = 1500;
const WARMUP_MS = 500;

/** A RoomMessage as the server fans it out: ~150-byte content, one user id above 2^53. */
const message: RoomMessage = {
  message_id: 48_213_377,
  room_id: 1_042,
  sender: { user_id: 14_695_981_039_346_656_037n, username: 'load-user-0042', avatar_url: null },
  content:
    'Load test message 000123: the quick brown fox jumps over the lazy dog while the ' +
    'benchmark harness measures fan-out latency across shards and hot rooms.',
  timestamp: 1_732_640_000_123,
  reply_to: null,
  attachments: [],
  nonce: 'c0ffee00-0042-4000-8000-000000000123',
};

/** The same payload as plain JSON can carry it (bigint as a double: what JSON.stringify cannot do exactly). */
const jsonMessage = { ...message, sender: { ...message.sender, user_id: Number(message.sender.user_id) } };

let sink = 0;

/** Runs `op` repeatedly for about `ms`, returning operations per second. */
function measure(op: () => void, ms: number): number {
  const batch = 1000;
  let count = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  do {
    for (let i = 0; i < batch; i++) op();
    count += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return (count * 1e9) / Number(elapsed);
}

function run(label: string, op: () => void): number {
  measure(op, WARMUP_MS);
  const rate = measure(op, MEASURE_MS);
  console.log(`  ${label.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} frames/s`);
  return rate;
}

const frame = encodeFrame('RoomMessage', message);
const jsonText = JSON.stringify(jsonMessage);
console.log(
  `RoomMessage: ${frame.length} bytes on the wire (payload ${frame.length - 5}), JSON text ${jsonText.length} chars`,
);

const encodeOurs = run('encodeFrame (schema-checked, exact u64)', () => {
  sink += encodeFrame('RoomMessage', message).length;
});
const encodeJson = run('JSON.stringify (baseline)', () => {
  sink += JSON.stringify(jsonMessage).length;
});

const decoder = new FrameDecoder();
const decodeOurs = run('FrameDecoder push+next (validated, exact u64)', () => {
  decoder.push(frame);
  const decoded = decoder.next();
  if (decoded !== undefined) sink += decoded.code;
});
const decodeJson = run('JSON.parse (baseline)', () => {
  sink += (JSON.parse(jsonText) as { room_id: number }).room_id;
});

console.log('');
console.log(`encode ratio ours/JSON: ${(encodeOurs / encodeJson).toFixed(2)}`);
console.log(`decode ratio ours/JSON: ${(decodeOurs / decodeJson).toFixed(2)}`);
if (sink === 42) console.log('');
