/**
 * TEST-ONLY: deliberately broken variants of the reference server, so that every conformance check can be shown to
 * fail against a server that breaks the rule it verifies (test/harness/conformance/falsification*.test.ts).
 *
 * A fault is switched on by name: in process through `GarouServer.start(config, { composition:
 * faultComposition(faults) })` (fault-composition.ts), in a child process by starting faulty-server.ts with the
 * environment variable GAROU_SERVER_FAULTS=name1,name2. The shipped server knows nothing of either.
 *
 * Faults are applied from the outside, by wrapping methods of the server's own objects (the connection port, the
 * session, the chat service, the hot-room tracker, the broadcaster) through the server's composition seams
 * (reference-server/server-composition.ts). Most faults rewrite or drop what a connection sends (one port.send
 * call is one frame), the others bend one decision of the core.
 */
import type { Hash } from 'node:crypto';
import {
  ERROR_CODES,
  FRAME_HEADER_BYTES,
  decodeDatagram,
  decodePayload,
  encodeFrame,
  frameSpecByCode,
  FRAME_CODES,
  type Auth,
  type FrameName,
  type PayloadFor,
  type U64,
  type UserInfo,
} from '../../../spec/index.js';
import type { ChatService } from '../../../reference-server/chat-service.js';
import type { ConnectionPort } from '../../../reference-server/connection-port.js';
import type { HotRoomSettings } from '../../../reference-server/hot-room-tracker.js';
import { originalToRoom } from './fan-out-hook.js';
import { leakRoomFrames, recodeErrors } from './leak-faults.js';
import {
  fail,
  succeed,
  type CommandFailure,
  type CommandResult,
} from '../../../reference-server/protocol-errors.js';
import type { RoomFrameName } from '../../../reference-server/room-broadcaster.js';
import type { RoomCommands } from '../../../reference-server/room-commands.js';
import type { Actor, MessageInRoom, Room, RoomMember } from '../../../reference-server/rooms.js';
import type { ConnectionSession } from '../../../reference-server/session.js';
import { userIdForUsername } from '../../../reference-server/user-identity.js';
import { FIELD_FAULTS, installFieldFaults } from './field-faults.js';

/** Every fault, with what it breaks. */
export const SERVER_FAULTS = {
  'no-alpn-check': 'also accepts the ALPN "h3" (quiche cannot accept any ALPN; an extra one is the closest)',
  'hello-ack-missing-field': 'HelloAck lacks session_id',
  'fixed-session-id': 'every HelloAck carries the same session_id',
  'ignore-bad-version': 'Hello with version != 1 gets neither Error nor close',
  'ignore-repeated-hello': 'a second Hello gets neither Error nor close',
  'no-auth-required': 'frames before Hello/Auth get no AUTH_REQUIRED (1002) Error, stop or close',
  'auth-accepts-anything': 'credentials that should fail are accepted',
  'no-auth-failed': 'rejected credentials close the connection silently instead of AuthFailed',
  'auth-ok-missing-field': 'AuthOk lacks rooms',
  'wrong-handshake-order': 'ShardAssignment is sent before AuthOk',
  'shard-assignment-wrong': 'ShardAssignment misses its last shard',
  'datagram-errors': 'early or invalid datagrams get an Error frame instead of being dropped silently',
  'wrong-shard-mapping': 'room r travels on shard (r + 1) % n',
  'no-auto-join': 'users are not joined to room 1 after AuthOk',
  'no-message-ack': 'no MessageAck',
  'wrong-nonce': 'MessageAck carries a different nonce',
  'non-monotonic-ids': 'message ids are swapped in pairs (2, 1, 4, 3, ...)',
  'no-sender-echo': 'the sender does not get its own RoomMessage',
  'no-join-notify': 'no RoomUserJoined',
  'no-leave-notify': 'no RoomUserLeft',
  'no-edit-notify': 'no RoomMessageEdited',
  'no-delete-notify': 'no RoomMessageDeleted',
  'no-reaction-notify': 'no RoomReactionAdded / RoomReactionRemoved',
  'no-permission-check': "members may edit and delete other members' messages",
  'kick-reason-left': 'a kicked member gets RoomClose with reason "left" instead of "kicked"',
  'kick-without-permission-check': 'a kick refused for lack of permission (1004) is carried out anyway',
  'set-role-ignored': 'set_role is echoed but the role does not change',
  'no-throttle-frame': 'RATE_LIMITED (1006) is not followed by Throttle',
  'no-upload-start-ack': 'UploadStart is accepted without the UploadAck that announces the upload id',
  'no-upload-complete-ack': 'a completed upload gets no UploadAck',
  'upload-url-unsanitized':
    "the completing UploadAck's url carries the raw filename instead of the sanitized one",
  'no-checksum-check': 'UploadComplete is accepted whatever the SHA-256 of the bytes',
  'attachments-dropped': 'RoomMessage.attachments is always empty',
  'no-typing-relay': 'Typing / StopTyping datagrams are not relayed',
  'no-presence-relay':
    'PresenceOnline / PresenceOffline / PresenceAway datagrams from clients are not relayed',
  'no-presence-offline': 'no PresenceOffline when a connection closes',
  // Room isolation and declared error codes (issue 14).
  'leak-room-frames':
    'room frames, RoomClose, typing and presence datagrams also reach every authenticated connection outside the room',
  'undeclared-error-code': 'every Error frame carries code 1099, which is not a declared error code',
  'no-pong': 'Ping is not answered',
  'ignore-goodbye': 'Goodbye does not close the connection',
  'never-promote': 'no room is ever promoted',
  'promote-below-threshold': 'rooms are promoted at half the advertised promote_rate',
  'hot-frames-on-shard': 'a hot room keeps sending its frames on the shard stream',
  'never-demote': 'hot rooms are never demoted',
  'early-demote': 'hot rooms are demoted as soon as their rate drops, ignoring cool_down_ms',
  'ignore-max-hot-rooms': 'any number of rooms may be hot',
  'drop-on-switch': 'the message that triggers a promotion is lost',
  'duplicate-on-switch': 'the message that triggers a promotion is sent on the shard and the hot stream',
  'reorder-on-switch': 'the trigger message is sent on the hot stream after the next message',
  'trigger-on-shard': 'the trigger message is sent on the shard stream instead of the hot stream',
  'close-on-bad-frame': 'a framing or payload error closes the connection instead of the stream or frame',
  'wrong-error-code': 'Error codes swapped: 1001<->1007, 1002->1001, 1004<->1005 (also close and stop codes)',
  'survive-control-violation': 'control-stream violations do not close the connection',
  'no-stop-sending': 'aborted client streams get no STOP_SENDING',
  'crash-on-hostile-frames': 'after three hostile inputs the server stops reading from every connection',
  'wrong-stream-for-frame': 'MessageAck is sent on shard stream 0 instead of the control stream',
  'slow-fanout': 'every room fan-out leaves 20 ms late (a slower server, for the performance gate test)',
  'large-room-ignored':
    'rooms above the advertised large_room_threshold still announce joins and leaves and list every member',
  'late-fanout':
    'every RoomMessage fan-out leaves 2 s late (a server with a backlog, for the end-of-run drain test)',
  // Field-level and stream-fate faults (field-faults.ts): the right frame with one wrong field.
  ...FIELD_FAULTS,
} as const;

/** Name of a fault. */
export type FaultName = keyof typeof SERVER_FAULTS;

/** Frames a fault simply withholds (the notification or answer it breaks), by frame name. */
const SUPPRESSING_FAULT: Partial<Record<string, FaultName>> = {
  RoomUserJoined: 'no-join-notify',
  RoomUserLeft: 'no-leave-notify',
  RoomMessageEdited: 'no-edit-notify',
  RoomMessageDeleted: 'no-delete-notify',
  RoomReactionAdded: 'no-reaction-notify',
  RoomReactionRemoved: 'no-reaction-notify',
  Pong: 'no-pong',
  Throttle: 'no-throttle-frame',
};

/** All fault names. */
export const FAULT_NAMES = Object.keys(SERVER_FAULTS) as FaultName[];

/** Environment variable holding a comma-separated fault list (test-only, undocumented in the CLI). */
export const FAULTS_ENV_VAR = 'GAROU_SERVER_FAULTS';

/** An unknown fault name. */
export class FaultListError extends Error {
  constructor(readonly unknown: string) {
    super(`unknown server fault "${unknown}" (known: ${FAULT_NAMES.join(', ')})`);
    this.name = 'FaultListError';
  }
}

/** Parses "a,b, c" into fault names; throws FaultListError on an unknown name. */
export function parseFaultList(text: string): ReadonlySet<FaultName> {
  const faults = new Set<FaultName>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(name in SERVER_FAULTS)) throw new FaultListError(name);
    faults.add(name as FaultName);
  }
  return faults;
}

/** Faults named in GAROU_SERVER_FAULTS (empty when unset). */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): ReadonlySet<FaultName> {
  return parseFaultList(env[FAULTS_ENV_VAR] ?? '');
}

/** The wrong ALPN that `no-alpn-check` accepts (the conformance check offers it). */
export const EXTRA_ALPN = 'h3';

/** After this many hostile inputs, `crash-on-hostile-frames` stops the server from reading. */
const HOSTILE_INPUTS_BEFORE_CRASH = 3;

/** Error codes as `wrong-error-code` rewrites them. */
const SWAPPED_CODES: Readonly<Record<number, number>> = {
  [ERROR_CODES.INVALID_FRAME]: ERROR_CODES.INVALID_MESSAGE,
  [ERROR_CODES.INVALID_MESSAGE]: ERROR_CODES.INVALID_FRAME,
  [ERROR_CODES.AUTH_REQUIRED]: ERROR_CODES.INVALID_FRAME,
  [ERROR_CODES.PERMISSION_DENIED]: ERROR_CODES.NOT_FOUND,
  [ERROR_CODES.NOT_FOUND]: ERROR_CODES.PERMISSION_DENIED,
};

const FIXED_SESSION_ID = '00000000-0000-4000-8000-000000000000';

/** Delay `slow-fanout` adds to every room fan-out. */
const SLOW_FANOUT_DELAY_MS = 20;
/** Delay `late-fanout` adds to every RoomMessage fan-out. */
export const LATE_FANOUT_DELAY_MS = 2000;

/** A decoded outgoing frame: exactly what one port.send call carries. */
interface OutgoingFrame {
  readonly name: FrameName;
  readonly payload: Record<string, unknown>;
}

/** A frame to send after the faults rewrote it. */
interface Emission {
  readonly streamId: number;
  readonly bytes: Uint8Array;
}

/** JSON text of a decoded payload (bigints as plain digits); used where a fault writes an invalid payload. */
function toJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}:${toJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A frame with an arbitrary (possibly schema-breaking) payload. */
function rawFrame(name: FrameName, payload: Record<string, unknown>): Uint8Array {
  const text = Buffer.from(toJson(payload), 'utf8');
  const out = new Uint8Array(FRAME_HEADER_BYTES + text.length);
  out[0] = codeOf(name);
  new DataView(out.buffer).setUint32(1, text.length);
  out.set(text, FRAME_HEADER_BYTES);
  return out;
}

function codeOf(name: FrameName): number {
  return FRAME_CODES[name];
}

function validFrame<N extends FrameName>(name: N, payload: unknown): Uint8Array {
  return encodeFrame(name, payload as PayloadFor<N>);
}

/** Decodes the single frame a port.send call carries, or null when the bytes are not exactly one frame. */
function decodeOutgoing(bytes: Uint8Array): OutgoingFrame | null {
  if (bytes.length < FRAME_HEADER_BYTES) return null;
  const spec = frameSpecByCode(bytes[0]!);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  if (!spec || FRAME_HEADER_BYTES + length !== bytes.length) return null;
  try {
    const payload = decodePayload(spec.name, bytes.subarray(FRAME_HEADER_BYTES)) as unknown as Record<
      string,
      unknown
    >;
    return { name: spec.name, payload };
  } catch {
    return null;
  }
}

/** Swaps message ids in pairs: 1<->2, 3<->4, ... */
function swappedId(id: unknown): unknown {
  return typeof id === 'number' ? (id % 2 === 1 ? id + 1 : id - 1) : id;
}

function shardStreamOf(service: ChatService, roomId: U64): number {
  return service.router.shardStreamId(service.router.shardOf(roomId));
}

/** Installs the faults of one server: ALPNs, service-wide patches, and per-connection patches. */
export class FaultInjector {
  /** Hostile inputs seen server-wide (crash-on-hostile-frames). */
  private hostileInputs = 0;
  /** Filenames as the clients sent them, by upload id (upload-url-unsanitized). */
  private readonly rawFilenames = new Map<number, string>();

  private constructor(private readonly faults: ReadonlySet<FaultName>) {}

  /** An injector for these faults, or null when there are none (the server then runs unmodified). */
  static create(faults: ReadonlySet<FaultName>): FaultInjector | null {
    return faults.size === 0 ? null : new FaultInjector(faults);
  }

  /** ALPN protocols the server accepts. */
  get alpns(): string[] {
    return this.has('no-alpn-check') ? ['chat', EXTRA_ALPN] : ['chat'];
  }

  private has(fault: FaultName): boolean {
    return this.faults.has(fault);
  }

  private get crashed(): boolean {
    return this.has('crash-on-hostile-frames') && this.hostileInputs >= HOSTILE_INPUTS_BEFORE_CRASH;
  }

  /** Service-wide faults: authentication, shard mapping, auto-join, permissions, hot rooms, stream switches. */
  installService(service: ChatService): void {
    if (this.has('auth-accepts-anything')) this.acceptAnyCredentials(service);
    if (this.has('wrong-shard-mapping')) {
      const router = service.router;
      const shardOf = router.shardOf.bind(router);
      router.shardOf = (roomId: U64) => (shardOf(roomId) + 1) % router.numShards;
    }
    if (this.has('no-auto-join')) this.skipAutoJoin(service);
    if (this.has('no-permission-check')) this.skipPermissionChecks(service);
    if (this.has('kick-without-permission-check')) this.skipKickPermission(service);
    if (this.has('set-role-ignored')) this.ignoreSetRole(service);
    if (this.has('no-presence-relay')) this.skipPresenceRelay(service);
    if (this.has('no-presence-offline')) this.skipPresenceOffline(service);
    if (this.has('upload-url-unsanitized')) this.recordRawFilenames(service);
    if (this.has('no-checksum-check')) this.skipChecksumCheck(service);
    const tracker = service.hotRooms as unknown as { settings: HotRoomSettings };
    if (this.has('never-promote')) tracker.settings = { ...tracker.settings, maxHotRooms: 0 };
    if (this.has('promote-below-threshold'))
      tracker.settings = { ...tracker.settings, promoteRate: tracker.settings.promoteRate / 2 };
    if (this.has('never-demote')) tracker.settings = { ...tracker.settings, coolDownMs: Infinity };
    if (this.has('early-demote')) tracker.settings = { ...tracker.settings, coolDownMs: 0 };
    if (this.has('ignore-max-hot-rooms')) tracker.settings = { ...tracker.settings, maxHotRooms: Infinity };
    if (
      this.has('drop-on-switch') ||
      this.has('duplicate-on-switch') ||
      this.has('reorder-on-switch') ||
      this.has('trigger-on-shard')
    )
      this.breakStreamSwitch(service);
    if (this.has('slow-fanout')) this.slowFanOut(service, SLOW_FANOUT_DELAY_MS, () => true);
    if (this.has('late-fanout'))
      this.slowFanOut(service, LATE_FANOUT_DELAY_MS, (name) => name === 'RoomMessage');
    if (this.has('leak-room-frames')) leakRoomFrames(service);
    if (this.has('large-room-ignored')) {
      // HelloAck still advertises the threshold; the decisions just never see a large room.
      service.largeRooms.isLarge = () => false;
      service.largeRooms.announcesChange = () => true;
    }
  }

  /** Per-connection faults: what the connection sends, closes and stops, and how its session reads. */
  installConnection(port: ConnectionPort, session: ConnectionSession, service: ChatService): void {
    this.patchSend(port, session);
    this.patchClose(port);
    this.patchAbort(port);
    this.patchDatagrams(port);
    this.patchSession(session);
    if (this.has('undeclared-error-code')) recodeErrors(port);
    if (this.has('hot-frames-on-shard'))
      session.routes.streamFor = (roomId: U64) => shardStreamOf(service, roomId);
    installFieldFaults(this.faults, port);
  }

  /**
   * The room frames that `delays` names leave `delayMs` late, to the members of the moment, in order (equal timers
   * fire in order); the others leave at once.
   */
  private slowFanOut(service: ChatService, delayMs: number, delays: (name: RoomFrameName) => boolean): void {
    const fanOut = service.fanOut;
    const toRoom = originalToRoom(service);
    const delayed = (room: Room, name: RoomFrameName, payload: unknown, except?: number): number => {
      if (!delays(name)) return toRoom(room, name, payload, except);
      const members: Room = { ...room, connections: new Set(room.connections) };
      setTimeout(() => toRoom(members, name, payload, except), delayMs);
      return members.connections.size - (except !== undefined && members.connections.has(except) ? 1 : 0);
    };
    fanOut.toRoom = delayed as typeof fanOut.toRoom;
  }

  private acceptAnyCredentials(service: ChatService): void {
    const authenticate = service.authenticate.bind(service);
    let anonymous = 0;
    const orAnyone = (auth: Auth, result: CommandResult<UserInfo>): CommandResult<UserInfo> => {
      if (result.ok) return result;
      const username = auth.credentials.trim().slice(0, 50) || `anonymous-${++anonymous}`;
      return succeed({ user_id: userIdForUsername(username), username, avatar_url: null });
    };
    service.authenticate = (auth) => {
      const result = authenticate(auth);
      return result instanceof Promise ? result.then((r) => orAnyone(auth, r)) : orAnyone(auth, result);
    };
  }

  private skipAutoJoin(service: ChatService): void {
    const core = (service as unknown as { commands: RoomCommands }).commands;
    const joinRoom = core.joinRoom.bind(core);
    const enterReady = service.enterReady.bind(service);
    let autoJoining = false;
    core.joinRoom = (session, roomId) => (autoJoining ? null : joinRoom(session, roomId));
    service.enterReady = (session, rooms) => {
      autoJoining = true;
      try {
        enterReady(session, rooms);
      } finally {
        autoJoining = false;
      }
    };
  }

  /** Edits and deletes refused for lack of permission (1004) happen anyway. */
  private skipPermissionChecks(service: ChatService): void {
    const rooms = service.rooms;
    const index = (rooms as unknown as { messages: Map<number, unknown> }).messages;
    const editMessage = rooms.editMessage.bind(rooms);
    const deleteMessage = rooms.deleteMessage.bind(rooms);
    const denied = (result: CommandResult<MessageInRoom>): boolean =>
      !result.ok && result.failure.code === ERROR_CODES.PERMISSION_DENIED;
    rooms.editMessage = (messageId: U64, actor: Actor, content: string, validate) => {
      const result = editMessage(messageId, actor, content, validate);
      const found = rooms.findMessage(messageId);
      if (!denied(result) || !found) return result;
      found.message.content = content;
      return succeed(found);
    };
    rooms.deleteMessage = (messageId: U64, actor: Actor) => {
      const result = deleteMessage(messageId, actor);
      const found = rooms.findMessage(messageId);
      if (!denied(result) || !found) return result;
      found.room.history.remove((m) => m === found.message);
      index.delete(found.message.message_id as number);
      return succeed(found);
    };
  }

  /** A kick refused with 1004 is retried with the kicker briefly made owner, so it happens anyway. */
  private skipKickPermission(service: ChatService): void {
    const rooms = service.rooms;
    const kick = rooms.kick.bind(rooms);
    rooms.kick = (roomId: U64, actor: Actor, targetId: U64) => {
      const result = kick(roomId, actor, targetId);
      const kicker = rooms.get(roomId)?.members.get(actor.user.user_id);
      if (result.ok || result.failure.code !== ERROR_CODES.PERMISSION_DENIED || !kicker) return result;
      const role = kicker.role;
      kicker.role = 'owner';
      try {
        return kick(roomId, actor, targetId);
      } finally {
        kicker.role = role;
      }
    };
  }

  /** set_role succeeds (and is echoed) but the target keeps its role. */
  private ignoreSetRole(service: ChatService): void {
    const rooms = service.rooms;
    const setRole = rooms.setRole.bind(rooms);
    rooms.setRole = (roomId: U64, actor: Actor, targetId: U64, role: RoomMember['role']) => {
      const before = rooms.get(roomId)?.members.get(targetId)?.role;
      const result = setRole(roomId, actor, targetId, role);
      if (result.ok && before !== undefined) result.value.role = before;
      return result;
    };
  }

  /** Presence datagrams from clients are dropped instead of relayed (the server's own presence still goes out). */
  private skipPresenceRelay(service: ChatService): void {
    const handleDatagram = service.handleDatagram.bind(service);
    service.handleDatagram = (session, frame) => {
      if (frame.name.startsWith('Presence')) return;
      handleDatagram(session, frame);
    };
  }

  /** The PresenceOffline the server sends while processing a disconnect is dropped. */
  private skipPresenceOffline(service: ChatService): void {
    const fanOut = service.fanOut;
    const datagram = fanOut.datagram.bind(fanOut);
    const disconnect = service.disconnect.bind(service);
    let disconnecting = false;
    fanOut.datagram = ((recipients, name, payload) =>
      disconnecting && name === 'PresenceOffline'
        ? 0
        : datagram(recipients, name, payload)) as typeof fanOut.datagram;
    service.disconnect = (session) => {
      disconnecting = true;
      try {
        disconnect(session);
      } finally {
        disconnecting = false;
      }
    };
  }

  /** Remembers each upload's filename as sent, for the unsanitized URL of upload-url-unsanitized. */
  private recordRawFilenames(service: ChatService): void {
    const store = service.uploads;
    const start = store.start.bind(store);
    store.start = (owner, declaration) => {
      const result = start(owner, declaration);
      if (result.ok) this.rawFilenames.set(result.value.uploadId, declaration.filename);
      return result;
    };
  }

  /** Before UploadComplete is verified, the declared checksum is replaced by the SHA-256 of the bytes received. */
  private skipChecksumCheck(service: ChatService): void {
    const store = service.uploads;
    const pending = (store as unknown as { pending: Map<number, { checksum: string; hash: Hash }> }).pending;
    const complete = store.complete.bind(store);
    store.complete = (owner, uploadId) => {
      const upload = typeof uploadId === 'number' ? pending.get(uploadId) : undefined;
      if (upload) upload.checksum = upload.hash.copy().digest('hex');
      return complete(owner, uploadId);
    };
  }

  /** The message that triggers a promotion is dropped, duplicated, reordered or kept on the shard stream. */
  private breakStreamSwitch(service: ChatService): void {
    const fanOut = service.fanOut;
    const promote = fanOut.promote.bind(fanOut);
    const toRoom = originalToRoom(service);
    const triggers = new Set<U64>();
    const held = new Map<U64, unknown>();
    fanOut.promote = (room: Room, fromShard: number) => {
      promote(room, fromShard);
      triggers.add(room.id);
    };
    const onShards = (room: Room, payload: unknown): void => {
      const bytes = validFrame('RoomMessage', payload);
      for (const id of room.connections)
        service.session(id)?.port.send(shardStreamOf(service, room.id), bytes);
    };
    const broken = (room: Room, name: RoomFrameName, payload: unknown, except?: number): number => {
      if (name !== 'RoomMessage') return toRoom(room, name, payload, except);
      const waiting = held.get(room.id);
      if (waiting !== undefined) {
        held.delete(room.id);
        const count = toRoom(room, name, payload, except);
        toRoom(room, name, waiting, except);
        return count;
      }
      if (!triggers.delete(room.id)) return toRoom(room, name, payload, except);
      if (this.has('drop-on-switch')) return 0;
      if (this.has('reorder-on-switch')) {
        held.set(room.id, payload);
        return 0;
      }
      if (this.has('trigger-on-shard')) {
        onShards(room, payload);
        return room.connections.size;
      }
      const count = toRoom(room, name, payload, except);
      onShards(room, payload);
      return count;
    };
    fanOut.toRoom = broken as typeof fanOut.toRoom;
  }

  private patchSend(port: ConnectionPort, session: ConnectionSession): void {
    const send = port.send.bind(port);
    let heldAuthOk: Uint8Array | null = null;
    port.send = (streamId, bytes) => {
      // close-on-bad-frame: a closed connection answers nothing more, even while the port delays the close.
      if (this.closedByFault.has(port)) return;
      const frame = decodeOutgoing(bytes);
      if (frame === null) {
        send(streamId, bytes);
        return;
      }
      const out: Emission[] = [];
      const emit = (bytesOut: Uint8Array, stream = streamId): void => {
        out.push({ streamId: stream, bytes: bytesOut });
      };
      const p = frame.payload;
      switch (frame.name) {
        case 'HelloAck':
          if (this.has('hello-ack-missing-field')) {
            const { session_id: _dropped, ...rest } = p;
            emit(rawFrame('HelloAck', rest));
          } else if (this.has('fixed-session-id'))
            emit(validFrame('HelloAck', { ...p, session_id: FIXED_SESSION_ID }));
          else emit(bytes);
          break;
        case 'AuthFailed':
          if (this.has('no-auth-failed')) port.close(0, 'authentication failed');
          else emit(bytes);
          break;
        case 'AuthOk':
          if (this.has('auth-ok-missing-field')) {
            const { rooms: _dropped, ...rest } = p;
            emit(rawFrame('AuthOk', rest));
          } else if (this.has('wrong-handshake-order')) heldAuthOk = bytes;
          else emit(bytes);
          break;
        case 'ShardAssignment':
          if (this.has('shard-assignment-wrong')) {
            const streams = p.shard_streams as unknown[];
            emit(validFrame('ShardAssignment', { shard_streams: streams.slice(0, -1) }));
          } else emit(bytes);
          if (heldAuthOk) emit(heldAuthOk);
          heldAuthOk = null;
          break;
        case 'MessageAck':
          if (this.has('no-message-ack')) break;
          emit(
            validFrame('MessageAck', {
              ...p,
              nonce: this.has('wrong-nonce') ? `${String(p.nonce)}-wrong` : p.nonce,
              message_id: this.has('non-monotonic-ids') ? swappedId(p.message_id) : p.message_id,
            }),
            this.has('wrong-stream-for-frame') ? 3 : streamId,
          );
          break;
        case 'RoomMessage': {
          const sender = (p.sender as { user_id: U64 }).user_id;
          if (this.has('no-sender-echo') && session.user?.user_id === sender) break;
          const rewritten = {
            ...p,
            ...(this.has('non-monotonic-ids') ? { message_id: swappedId(p.message_id) } : {}),
            ...(this.has('attachments-dropped') ? { attachments: [] } : {}),
          };
          const changed = this.has('non-monotonic-ids') || this.has('attachments-dropped');
          emit(changed ? validFrame('RoomMessage', rewritten) : bytes);
          break;
        }
        case 'RoomClose':
          emit(
            this.has('kick-reason-left') && p.reason === 'kicked'
              ? validFrame('RoomClose', { ...p, reason: 'left' })
              : bytes,
          );
          break;
        case 'UploadAck': {
          if (p.url === null ? this.has('no-upload-start-ack') : this.has('no-upload-complete-ack')) break;
          const raw = typeof p.upload_id === 'number' ? this.rawFilenames.get(p.upload_id) : undefined;
          emit(
            p.url !== null && raw !== undefined && this.has('upload-url-unsanitized')
              ? validFrame('UploadAck', { ...p, url: `garou://uploads/${String(p.upload_id)}/${raw}` })
              : bytes,
          );
          break;
        }
        case 'Error':
          this.rewriteError(p as unknown as PayloadFor<'Error'>, port, emit);
          break;
        default: {
          const suppressedBy = SUPPRESSING_FAULT[frame.name];
          if (suppressedBy === undefined || !this.has(suppressedBy)) emit(bytes);
        }
      }
      for (const emission of out) send(emission.streamId, emission.bytes);
    };
  }

  /** Error frames: dropped, recoded, or followed by a close, as the faults say. */
  private rewriteError(
    error: PayloadFor<'Error'>,
    port: ConnectionPort,
    emit: (bytes: Uint8Array) => void,
  ): void {
    const { code, context } = error;
    const hostile = code === ERROR_CODES.INVALID_FRAME || code === ERROR_CODES.INVALID_MESSAGE;
    if (hostile) this.hostileInputs++;
    if (this.has('no-auth-required') && code === ERROR_CODES.AUTH_REQUIRED) return;
    if (this.has('ignore-bad-version') && context === 'Hello.version') {
      this.suppressedCloses.add(port);
      return;
    }
    if (this.has('ignore-repeated-hello') && context === 'Hello' && code === ERROR_CODES.INVALID_FRAME) {
      this.suppressedCloses.add(port);
      return;
    }
    emit(
      this.has('wrong-error-code')
        ? validFrame('Error', { ...error, code: SWAPPED_CODES[code] ?? code })
        : validFrame('Error', error),
    );
    if (this.has('close-on-bad-frame') && hostile) {
      // The port delays a close by a few round trips so the Error can arrive; the session would go on answering
      // meanwhile, and a check that waits less than that delay (it grows with the load) would see a live
      // connection. Nothing after this Error leaves, so the fault breaks the rule whatever the timing.
      port.close(code, 'bad frame');
      this.closedByFault.add(port);
    }
  }

  /** Ports that close-on-bad-frame closed: their sends are dropped (see rewriteError). */
  private readonly closedByFault = new WeakSet<ConnectionPort>();

  private readonly suppressedCloses = new WeakSet<ConnectionPort>();

  private patchClose(port: ConnectionPort): void {
    const close = port.close.bind(port);
    port.close = (code, reason) => {
      if (this.suppressedCloses.has(port)) return;
      if (this.has('survive-control-violation') && code !== 0) return;
      if (this.has('no-auth-required') && code === ERROR_CODES.AUTH_REQUIRED) return;
      if (this.has('ignore-goodbye') && reason === 'goodbye') return;
      close(this.has('wrong-error-code') ? (SWAPPED_CODES[code] ?? code) : code, reason);
    };
  }

  private patchAbort(port: ConnectionPort): void {
    const abortStream = port.abortStream.bind(port);
    port.abortStream = (streamId, code) => {
      if (this.has('no-stop-sending')) return;
      if (this.has('no-auth-required') && code === ERROR_CODES.AUTH_REQUIRED) return;
      if (this.has('close-on-bad-frame')) {
        port.close(code, 'bad frame');
        return;
      }
      abortStream(streamId, this.has('wrong-error-code') ? (SWAPPED_CODES[code] ?? code) : code);
    };
  }

  private patchDatagrams(port: ConnectionPort): void {
    if (!this.has('no-typing-relay')) return;
    const sendDatagram = port.sendDatagram.bind(port);
    port.sendDatagram = (bytes) => {
      // 0x80 Typing, 0x81 StopTyping.
      if (bytes[0] === 0x80 || bytes[0] === 0x81) return;
      sendDatagram(bytes);
    };
  }

  private patchSession(session: ConnectionSession): void {
    const onStreamData = session.onStreamData.bind(session);
    const onDatagram = session.onDatagram.bind(session);
    session.onStreamData = (streamId, bytes, fin) => {
      if (this.crashed) return;
      onStreamData(streamId, bytes, fin);
    };
    session.onDatagram = (bytes) => {
      if (this.crashed) return;
      const verdict = this.datagramVerdict(session, bytes);
      if (verdict !== null) {
        this.hostileInputs++;
        if (this.has('datagram-errors')) session.sendError(verdict);
      }
      onDatagram(bytes);
    };
  }

  /** Why a datagram would be dropped (early or undecodable), or null when it is fine. */
  private datagramVerdict(session: ConnectionSession, bytes: Uint8Array): CommandFailure | null {
    if (session.state !== 'ready') {
      return session.state === 'closed'
        ? null
        : fail(ERROR_CODES.AUTH_REQUIRED, 'datagram before AuthOk', 'datagram').failure;
    }
    try {
      decodeDatagram(bytes);
      return null;
    } catch (error) {
      return fail(ERROR_CODES.INVALID_MESSAGE, `bad datagram: ${(error as Error).message}`, 'datagram')
        .failure;
    }
  }
}
