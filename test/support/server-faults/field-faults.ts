/**
 * TEST-ONLY: field-level faults of the reference server. Where the faults of faults.ts mostly withhold a whole
 * frame, each of these sends the right frame at the right time with one field wrong (a message id, a user id, an
 * emoji, a reason) or gives a stream the wrong fate (the right Error frame, but a STOP_SENDING
 * with another code). A conformance check that only waits for the frame type passes against them; one that
 * compares the fields fails. See test/harness/conformance/falsification-table.ts (FIELD_FALSIFICATIONS).
 *
 * The wrong values are fixed sentinels, so a test can recognise them in a check's report of what it received.
 */
import {
  decodeDatagram,
  decodeFrames,
  encodeDatagram,
  encodeFrame,
  type FrameName,
} from '../../../spec/index.js';
import type { ConnectionPort } from '../../../reference-server/connection-port.js';

/** A message id no server hands out in a test: what a faulted frame names instead of the real message. */
export const WRONG_MESSAGE_ID = 999_999;
/** A user id no test user has: what a faulted frame names instead of the real user. */
export const WRONG_USER_ID = 424_242;
/** A room id no test creates: what a faulted frame names instead of the real room. */
export const WRONG_ROOM_ID = 777_777;
/** A username no test user has. */
export const WRONG_USERNAME = 'impostor';
/** An emoji no check uses: what a faulted reaction frame carries instead of the real one. */
export const WRONG_EMOJI = '🦖';
/** Text a faulted edit carries instead of the edited content. */
export const WRONG_CONTENT = 'tampered';

type Payload = Record<string, unknown>;

/** One field fault: which frames it rewrites and how. */
interface FieldFault {
  readonly describe: string;
  readonly frames: readonly FrameName[];
  /** The rewritten payload, or null to send the frame unchanged. */
  readonly rewrite: (payload: Payload) => Payload | null;
  /** Only frames on the control stream (true) or only elsewhere (false); both when absent. */
  readonly onControl?: boolean;
}

const withField =
  (field: string, value: unknown) =>
  (payload: Payload): Payload => ({ ...payload, [field]: value });

/** Every field fault, by name. */
const FIELD_FAULT_TABLE = {
  'edited-wrong-message-id': {
    describe: 'RoomMessageEdited names another message_id',
    frames: ['RoomMessageEdited'],
    rewrite: withField('message_id', WRONG_MESSAGE_ID),
  },
  'edited-wrong-content': {
    describe: 'RoomMessageEdited carries other content than the edit',
    frames: ['RoomMessageEdited'],
    rewrite: withField('content', WRONG_CONTENT),
  },
  'edited-wrong-editor': {
    describe: 'RoomMessageEdited names another editor_id',
    frames: ['RoomMessageEdited'],
    rewrite: withField('editor_id', WRONG_USER_ID),
  },
  'deleted-wrong-message-id': {
    describe: 'RoomMessageDeleted names another message_id',
    frames: ['RoomMessageDeleted'],
    rewrite: withField('message_id', WRONG_MESSAGE_ID),
  },
  'deleted-wrong-deleter': {
    describe: 'RoomMessageDeleted names another deleted_by',
    frames: ['RoomMessageDeleted'],
    rewrite: withField('deleted_by', WRONG_USER_ID),
  },
  'reaction-wrong-emoji': {
    describe: 'RoomReactionAdded / RoomReactionRemoved carry another emoji',
    frames: ['RoomReactionAdded', 'RoomReactionRemoved'],
    rewrite: withField('emoji', WRONG_EMOJI),
  },
  'reaction-wrong-user': {
    describe: 'RoomReactionAdded / RoomReactionRemoved name another user_id',
    frames: ['RoomReactionAdded', 'RoomReactionRemoved'],
    rewrite: withField('user_id', WRONG_USER_ID),
  },
  'reaction-wrong-message-id': {
    describe: 'RoomReactionAdded / RoomReactionRemoved name another message_id',
    frames: ['RoomReactionAdded', 'RoomReactionRemoved'],
    rewrite: withField('message_id', WRONG_MESSAGE_ID),
  },
  'left-wrong-user': {
    describe: 'RoomUserLeft names another user_id',
    frames: ['RoomUserLeft'],
    rewrite: withField('user_id', WRONG_USER_ID),
  },
  'joined-wrong-user': {
    describe: 'RoomUserJoined names another user',
    frames: ['RoomUserJoined'],
    rewrite: (p) => ({ ...p, user: { ...(p.user as Payload), user_id: WRONG_USER_ID } }),
  },
  'close-reason-kicked': {
    describe: 'RoomClose after a LeaveRoom says "kicked" instead of "left"',
    frames: ['RoomClose'],
    rewrite: (p) => (p.reason === 'left' ? { ...p, reason: 'kicked' } : null),
  },
  'typing-wrong-user': {
    describe: 'relayed Typing / StopTyping datagrams name another user_id',
    frames: ['Typing', 'StopTyping'],
    rewrite: withField('user_id', WRONG_USER_ID),
  },
  'presence-wrong-user': {
    describe: 'PresenceOnline / PresenceOffline / PresenceAway datagrams name another user_id',
    frames: ['PresenceOnline', 'PresenceOffline', 'PresenceAway'],
    rewrite: withField('user_id', WRONG_USER_ID),
  },
  'message-wrong-content': {
    describe: 'RoomMessage carries other content than was sent',
    frames: ['RoomMessage'],
    rewrite: withField('content', WRONG_CONTENT),
  },
  'message-wrong-sender': {
    describe: 'RoomMessage names another sender (user_id and username)',
    frames: ['RoomMessage'],
    rewrite: (p) => ({
      ...p,
      sender: { ...(p.sender as Payload), user_id: WRONG_USER_ID, username: WRONG_USERNAME },
    }),
  },
  'init-members-truncated': {
    describe: 'RoomInit lists only the first member',
    frames: ['RoomInit'],
    rewrite: (p) => ({ ...p, members: (p.members as unknown[]).slice(0, 1) }),
  },
  'init-history-dropped': {
    describe: 'RoomInit carries no recent messages',
    frames: ['RoomInit'],
    rewrite: withField('recent_messages', []),
  },
  'upload-ack-wrong-bytes': {
    describe: "the completing UploadAck's bytes_received is one more than the bytes received",
    frames: ['UploadAck'],
    rewrite: (p) => (p.url === null ? null : { ...p, bytes_received: Number(p.bytes_received) + 1 }),
  },
  'shard-assignment-shifted': {
    describe: "ShardAssignment lists each shard's rooms under the next shard",
    frames: ['ShardAssignment'],
    rewrite: (p) => {
      const streams = p.shard_streams as Payload[];
      return {
        shard_streams: streams.map((s, i) => ({
          ...s,
          room_ids: streams[(i + streams.length - 1) % streams.length]!.room_ids,
        })),
      };
    },
  },
  'kick-close-wrong-room': {
    describe: 'RoomClose "kicked" names another room',
    frames: ['RoomClose'],
    rewrite: (p) => (p.reason === 'kicked' ? { ...p, room_id: WRONG_ROOM_ID } : null),
  },
  'hello-ack-wrong-version': {
    describe: 'HelloAck announces version 2',
    frames: ['HelloAck'],
    rewrite: withField('version', 2),
  },
  'error-code-shifted': {
    describe:
      'Error frames carry another declared code (1001<->1007, others +1); close and stop codes stay right',
    frames: ['Error'],
    rewrite: (p) => ({ ...p, code: wrongStopCode(Number(p.code)) }),
  },
  'session-id-uppercase': {
    describe: 'HelloAck.session_id in upper case',
    frames: ['HelloAck'],
    rewrite: (p) => ({ ...p, session_id: String(p.session_id).toUpperCase() }),
  },
  'auth-failed-wrong-code': {
    describe: 'AuthFailed carries code 1004 instead of 1003',
    frames: ['AuthFailed'],
    rewrite: withField('code', 1004),
  },
  'auth-ok-wrong-username': {
    describe: 'AuthOk names another username',
    frames: ['AuthOk'],
    rewrite: withField('username', WRONG_USERNAME),
  },
  'message-ack-wrong-timestamp': {
    describe: 'MessageAck.timestamp is 1 (1970), not the RoomMessage timestamp',
    frames: ['MessageAck'],
    rewrite: (p) => ({ ...p, timestamp: WRONG_TIMESTAMP }),
  },
  'message-wrong-nonce': {
    describe: 'RoomMessage carries another nonce than was sent',
    frames: ['RoomMessage'],
    rewrite: (p) => (p.nonce === null ? null : { ...p, nonce: WRONG_NONCE }),
  },
  'throttle-zero-delay': {
    describe: 'Throttle says delay_ms 0',
    frames: ['Throttle'],
    rewrite: withField('delay_ms', 0),
  },
  'upload-start-ack-wrong-bytes': {
    describe: 'the UploadAck answering UploadStart says bytes_received 1 (no byte has arrived)',
    frames: ['UploadAck'],
    rewrite: (p) => (p.url === null && Number(p.bytes_received) === 0 ? { ...p, bytes_received: 1 } : null),
  },
  'pong-big-timestamp-off': {
    describe: 'Pong echoes timestamps above 2^53 off by one (as if through a double)',
    frames: ['Pong'],
    rewrite: (p) =>
      BigInt(p.timestamp as number | bigint) > 2n ** 53n ? { ...p, timestamp: addOne(p.timestamp) } : null,
  },
  'large-init-lists-member': {
    describe: 'RoomInit of a large room (no members listed) lists one member',
    frames: ['RoomInit'],
    rewrite: (p) =>
      (p.members as unknown[]).length > 0
        ? null
        : { ...p, members: [{ user_id: WRONG_USER_ID, username: WRONG_USERNAME, avatar_url: null }] },
  },
  'promoted-wrong-room': {
    describe: 'RoomPromoted on the control stream names another room',
    frames: ['RoomPromoted'],
    rewrite: withField('room_id', WRONG_ROOM_ID),
    onControl: true,
  },
  'demoted-wrong-shard': {
    describe: 'RoomDemoted names shard 200 (none) as to_shard',
    frames: ['RoomDemoted'],
    rewrite: withField('to_shard', 200),
  },
  'hot-header-wrong-room': {
    describe: 'the RoomPromoted heading a hot-room stream names another room (the one on control is right)',
    frames: ['RoomPromoted'],
    rewrite: withField('room_id', WRONG_ROOM_ID),
    onControl: false,
  },
} as const satisfies Record<string, FieldFault>;

/** The timestamp a faulted MessageAck carries. */
export const WRONG_TIMESTAMP = 1;
/** The nonce a faulted RoomMessage carries instead of the sender's. */
export const WRONG_NONCE = 'forged-nonce';

/** A u64 value plus one, in the representation it came in. */
function addOne(value: unknown): number | bigint {
  return typeof value === 'bigint' ? value + 1n : Number(value) + 1;
}

/** Stream-fate faults: the Error frame is right, the stream's fate is not. */
const FATE_FAULT_DESCRIPTIONS = {
  'stop-sending-wrong-code':
    'an aborted client stream gets STOP_SENDING with another code than its Error frame (1001<->1007, others +1)',
  'close-code-shifted':
    'the connection closes with another application code than its Error frame (1001<->1007, others +1, 0 -> 1)',
} as const;

/** Name of a field or stream-fate fault. */
export type FieldFaultName = keyof typeof FIELD_FAULT_TABLE | keyof typeof FATE_FAULT_DESCRIPTIONS;

/** Every field and stream-fate fault with what it breaks (merged into SERVER_FAULTS). */
export const FIELD_FAULTS: Record<FieldFaultName, string> = {
  ...(Object.fromEntries(Object.entries(FIELD_FAULT_TABLE).map(([name, f]) => [name, f.describe])) as Record<
    keyof typeof FIELD_FAULT_TABLE,
    string
  >),
  ...FATE_FAULT_DESCRIPTIONS,
};

/** The code `stop-sending-wrong-code` puts in STOP_SENDING instead of `code`. */
export function wrongStopCode(code: number): number {
  if (code === 1001) return 1007;
  if (code === 1007) return 1001;
  return code + 1;
}

/** Rewrites one encoded frame (stream frame or datagram) by the field faults switched on; null when untouched. */
function rewriteFrame(
  active: readonly FieldFault[],
  bytes: Uint8Array,
  datagram: boolean,
  control = false,
): Uint8Array | null {
  let frame;
  try {
    if (datagram) frame = decodeDatagram(bytes);
    else {
      const frames = decodeFrames(bytes);
      if (frames.length !== 1) return null;
      frame = frames[0]!;
    }
  } catch {
    return null;
  }
  let payload = frame.payload as unknown as Payload;
  let changed = false;
  for (const fault of active) {
    if (!fault.frames.includes(frame.name)) continue;
    if (fault.onControl !== undefined && fault.onControl !== control) continue;
    const rewritten = fault.rewrite(payload);
    if (rewritten === null) continue;
    payload = rewritten;
    changed = true;
  }
  if (!changed) return null;
  const encode = datagram ? encodeDatagram : encodeFrame;
  return encode(frame.name, payload as never);
}

/**
 * Installs the field and stream-fate faults among `faults` on one connection, outermost: what the server (and
 * the other faults) send passes through them last.
 */
export function installFieldFaults(faults: ReadonlySet<string>, port: ConnectionPort): void {
  const active = Object.entries(FIELD_FAULT_TABLE)
    .filter(([name]) => faults.has(name))
    .map(([, fault]) => fault as FieldFault);
  if (active.length > 0) {
    const send = port.send.bind(port);
    port.send = (streamId, bytes) =>
      send(streamId, rewriteFrame(active, bytes, false, streamId === 0) ?? bytes);
    const sendDatagram = port.sendDatagram.bind(port);
    port.sendDatagram = (bytes) => sendDatagram(rewriteFrame(active, bytes, true) ?? bytes);
  }
  if (faults.has('stop-sending-wrong-code')) {
    const abortStream = port.abortStream.bind(port);
    port.abortStream = (streamId, code) => abortStream(streamId, wrongStopCode(code));
  }
  if (faults.has('close-code-shifted')) {
    const close = port.close.bind(port);
    port.close = (code, reason) => close(wrongStopCode(code), reason);
  }
}
