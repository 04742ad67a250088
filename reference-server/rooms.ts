/**
 * Room state: rooms, their members and roles, recent-message history, reactions, and the message index used by
 * edits, deletes and reactions (PROTOCOL.md 7 and 8).
 *
 * A user has at most one authenticated connection (PROTOCOL.md 6.3/takeover) and membership belongs to that
 * connection (7/roles): it ends on leave, kick or disconnect. Rooms are never deleted (7/persistence). A direct room
 * keeps an allow-list of its two users, separate from its members, so a user can rejoin after reconnecting.
 *
 * Returns typed outcomes and never builds frames: the chat service turns outcomes into frames. Failures follow the
 * check order of PROTOCOL.md 14/precedence: existence of the room or message, membership and permission, other
 * existence, then values (the caller's `validate` hook runs there, before anything changes).
 */
import { ERROR_CODES, type RoomMessage, type RoomType, type U64, type UserInfo } from '../spec/index.js';
import { HistoryRing } from './history-ring.js';
import { fail, succeed, type CommandFailure, type CommandResult } from './protocol-errors.js';
import { mayDelete, mayEdit, mayKick, mayPerform, maySetRole, type Role } from './room-permissions.js';

/** Server-local id of a connection (assigned by the server, not a QUIC id). */
export type ConnectionId = number;

/** Id of room 1, "General", created at startup; every user joins it after authenticating. */
export const GENERAL_ROOM_ID = 1;

/** A member: who, with which role, on which connection. */
export interface RoomMember {
  readonly user: UserInfo;
  role: Role;
  connection: ConnectionId;
}

/** A room and its state. */
export interface Room {
  readonly id: U64;
  readonly name: string;
  readonly type: RoomType;
  /** Members by user id (canonical u64), in join order. */
  readonly members: Map<U64, RoomMember>;
  /** The members' connections: the fan-out set. */
  readonly connections: Set<ConnectionId>;
  /** Recent messages, oldest first; edits update the stored object, deletes remove it. */
  readonly history: HistoryRing<RoomMessage>;
  /** For a direct room, the two user ids allowed to join; null for groups and channels. */
  readonly allowList: ReadonlySet<U64> | null;
}

/** A user acting through its connection. */
export interface Actor {
  readonly user: UserInfo;
  readonly connection: ConnectionId;
}

/** Outcome of a join. */
export interface JoinOutcome {
  readonly room: Room;
  /** The room did not exist and was created by this join (as a group). */
  readonly created: boolean;
  /** The user was already a member: the join only re-sends RoomInit (PROTOCOL.md 7/join-again). */
  readonly alreadyMember: boolean;
}

/** A member removed from a room (leave, kick or disconnect). */
export interface Departure {
  readonly room: Room;
  readonly member: RoomMember;
}

/** Fields of a new message chosen by the sender (validated by the caller). */
export interface NewMessage {
  readonly content: string;
  readonly nonce: string | null;
  readonly replyTo: U64 | null;
  readonly attachments: readonly string[];
}

/** A message and the room it belongs to. */
export interface MessageInRoom {
  readonly room: Room;
  readonly message: RoomMessage;
}

/** Outcome of adding a reaction. */
export interface ReactionOutcome extends MessageInRoom {
  /** False when the pair (user, emoji) already existed: nothing to announce. */
  readonly changed: boolean;
}

/** A check the caller runs after existence and permission checks, before the change (value validation). */
export type Validation = () => CommandFailure | null;

/** Registry limits. */
export interface RoomRegistryOptions {
  readonly historySize: number;
  readonly maxRoomMembers: number;
  /** Rooms kept, General included; creating one more fails with ROOM_FULL (PROTOCOL.md 7/room-limit). Default: none. */
  readonly maxRooms?: number;
}

interface IndexedMessage {
  readonly room: Room;
  readonly message: RoomMessage;
  /** emoji -> user ids who reacted with it. */
  readonly reactions: Map<string, Set<U64>>;
}

const NO_VALIDATION: Validation = () => null;

/**
 * All rooms of the server. Message lookups (edit/delete/react) only reach messages still in their room's history:
 * the index drops a message when the history evicts it, so memory stays bounded by rooms x history size, and older
 * messages answer NOT_FOUND (PROTOCOL.md 8/message-scope).
 */
export class RoomRegistry {
  private readonly rooms = new Map<U64, Room>();
  private readonly messages = new Map<number, IndexedMessage>();
  private readonly roomsByConnection = new Map<ConnectionId, Set<U64>>();
  private lastMessageId = 0;
  private nextRoomId = GENERAL_ROOM_ID + 1;

  constructor(private readonly options: RoomRegistryOptions) {
    // General has no owner (PROTOCOL.md 7/general).
    this.createRoomRecord(GENERAL_ROOM_ID, 'General', 'channel', null);
  }

  /** The room with this id, if it exists. */
  get(roomId: U64): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** Number of rooms (General included). */
  get size(): number {
    return this.rooms.size;
  }

  /** Ids of the rooms a connection is a member of. */
  roomsOf(connection: ConnectionId): ReadonlySet<U64> {
    return this.roomsByConnection.get(connection) ?? EMPTY_SET;
  }

  /** The member record of `actor` in the room, if `actor` is a member through this connection. */
  memberOf(roomId: U64, actor: Actor): RoomMember | undefined {
    const room = this.rooms.get(roomId);
    return room ? this.joinedMember(room, actor) : undefined;
  }

  /** The message with this id while it is in its room's history. */
  findMessage(messageId: U64): MessageInRoom | undefined {
    return typeof messageId === 'number' ? this.messages.get(messageId) : undefined;
  }

  /** Reactions on a message (emoji -> user ids) while it is in its room's history. */
  reactionsOf(messageId: U64): ReadonlyMap<string, ReadonlySet<U64>> | undefined {
    return typeof messageId === 'number' ? this.messages.get(messageId)?.reactions : undefined;
  }

  /**
   * Joins `actor` to a room. An unknown room is created as a group named "Room <id>" with the joiner as owner.
   * Direct rooms admit only their allow-list. Joining again changes nothing (the caller re-sends RoomInit).
   */
  join(roomId: U64, actor: Actor): CommandResult<JoinOutcome> {
    let room = this.rooms.get(roomId);
    let created = false;
    if (!room) {
      const full = this.roomLimitFailure('JoinRoom.room_id');
      if (full) return full;
      room = this.createRoomRecord(roomId, `Room ${roomId}`, 'group', null);
      created = true;
    }
    const existing = room.members.get(actor.user.user_id);
    if (existing) {
      // One connection per user: a member found under another connection is a stale binding; move it here.
      if (existing.connection !== actor.connection) this.rebind(room, existing, actor.connection);
      return succeed({ room, created, alreadyMember: true });
    }
    if (room.allowList && !room.allowList.has(actor.user.user_id))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        'only its two users may join a direct room',
        'JoinRoom.room_id',
      );
    if (room.members.size >= this.options.maxRoomMembers)
      return fail(
        ERROR_CODES.ROOM_FULL,
        `room ${roomId} has ${room.members.size} members`,
        'JoinRoom.room_id',
      );
    this.attach(room, { user: actor.user, role: created ? 'owner' : 'member', connection: actor.connection });
    return succeed({ room, created, alreadyMember: false });
  }

  /** Removes the actor from a room (LeaveRoom). */
  leave(roomId: U64, actor: Actor): CommandResult<Departure> {
    const room = this.rooms.get(roomId);
    const member = room ? this.joinedMember(room, actor) : undefined;
    if (!room || !member) return fail(ERROR_CODES.NOT_FOUND, `not in room ${roomId}`, 'LeaveRoom.room_id');
    this.detach(room, member);
    return succeed({ room, member });
  }

  /**
   * Removes a closed connection from every room it was in; returns the departures. With the connection's user id
   * each room is a map lookup; without it, a scan of the room's members (O(members) per room).
   */
  disconnect(connection: ConnectionId, userId?: U64): Departure[] {
    const joined = this.roomsByConnection.get(connection);
    if (!joined) return [];
    const departures: Departure[] = [];
    for (const roomId of [...joined]) {
      const room = this.rooms.get(roomId);
      if (!room) continue;
      const known = userId === undefined ? undefined : room.members.get(userId);
      if (known?.connection === connection) {
        this.detach(room, known);
        departures.push({ room, member: known });
        continue;
      }
      for (const member of room.members.values()) {
        if (member.connection !== connection) continue;
        this.detach(room, member);
        departures.push({ room, member });
        break;
      }
    }
    this.roomsByConnection.delete(connection);
    return departures;
  }

  /**
   * Creates a room with a fresh id (counting up from 2, skipping ids in use): the creator as owner, each connected
   * listed user as member. `listedUserIds` are all the ids the client listed (connected or not): a direct room needs
   * exactly one besides the creator, and the two form its allow-list.
   */
  createRoom(
    creator: Actor,
    name: string,
    type: RoomType,
    listedUserIds: readonly U64[],
    connectedInvitees: readonly Actor[],
  ): CommandResult<Room> {
    const others = new Set(listedUserIds.filter((id) => id !== creator.user.user_id));
    if (type === 'direct' && others.size !== 1)
      return fail(
        ERROR_CODES.INVALID_MESSAGE,
        `a direct room needs exactly one other user, got ${others.size}`,
        'CreateRoom.members',
      );
    const invitees = new Map<U64, Actor>();
    for (const invitee of connectedInvitees) {
      if (others.has(invitee.user.user_id)) invitees.set(invitee.user.user_id, invitee);
    }
    if (invitees.size + 1 > this.options.maxRoomMembers)
      return fail(
        ERROR_CODES.ROOM_FULL,
        `${invitees.size + 1} members exceed the room limit`,
        'CreateRoom.members',
      );
    const full = this.roomLimitFailure('CreateRoom');
    if (full) return full;
    while (this.rooms.has(this.nextRoomId)) this.nextRoomId++;
    const allowList = type === 'direct' ? new Set([creator.user.user_id, ...others]) : null;
    const room = this.createRoomRecord(this.nextRoomId++, name, type, allowList);
    this.attach(room, { user: creator.user, role: 'owner', connection: creator.connection });
    for (const invitee of invitees.values())
      this.attach(room, { user: invitee.user, role: 'member', connection: invitee.connection });
    return succeed(room);
  }

  /**
   * Posts a message: room exists (1005), actor is a member allowed to post (1004), then `validate`; on success
   * assigns the next server-wide message id and stores the message in the room's history.
   */
  postMessage(
    roomId: U64,
    actor: Actor,
    fields: NewMessage,
    now: number,
    validate: Validation = NO_VALIDATION,
  ): CommandResult<MessageInRoom> {
    const context = 'SendMessage.room_id';
    const room = this.rooms.get(roomId);
    if (!room) return fail(ERROR_CODES.NOT_FOUND, `room ${roomId} does not exist`, context);
    const member = this.joinedMember(room, actor);
    if (!member) return fail(ERROR_CODES.PERMISSION_DENIED, `not in room ${roomId}`, context);
    if (!mayPerform('post', room.type, member.role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not post in a ${room.type} room`,
        context,
      );
    const invalid = validate();
    if (invalid) return { ok: false, failure: invalid };
    const message: RoomMessage = {
      message_id: ++this.lastMessageId,
      room_id: room.id,
      sender: actor.user,
      content: fields.content,
      timestamp: now,
      reply_to: fields.replyTo,
      attachments: [...fields.attachments],
      nonce: fields.nonce,
    };
    const evicted = room.history.push(message);
    if (evicted) this.messages.delete(evicted.message_id as number);
    if (this.options.historySize > 0)
      this.messages.set(message.message_id as number, { room, message, reactions: new Map() });
    return succeed({ room, message });
  }

  /** Edits a message's content (author only, then `validate`); the history entry changes too. */
  editMessage(
    messageId: U64,
    actor: Actor,
    content: string,
    validate: Validation = NO_VALIDATION,
  ): CommandResult<MessageInRoom> {
    const found = this.lookupForActor(messageId, actor, 'EditMessage');
    if (!found.ok) return found;
    const { room, message } = found.value;
    if (!mayEdit(message.sender.user_id === actor.user.user_id))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        'only the author may edit a message',
        'EditMessage.message_id',
      );
    const invalid = validate();
    if (invalid) return { ok: false, failure: invalid };
    message.content = content;
    return succeed({ room, message });
  }

  /** Deletes a message (author, or moderator+ outside direct rooms): removed from history, index and reactions. */
  deleteMessage(messageId: U64, actor: Actor): CommandResult<MessageInRoom> {
    const found = this.lookupForActor(messageId, actor, 'DeleteMessage');
    if (!found.ok) return found;
    const { room, message, member } = found.value;
    if (!mayDelete(room.type, member.role, message.sender.user_id === actor.user.user_id))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        "deleting another user's message needs moderator or above",
        'DeleteMessage.message_id',
      );
    room.history.remove((m) => m === message);
    this.messages.delete(message.message_id as number);
    return succeed({ room, message });
  }

  /** Adds the actor's (user, emoji) pair after `validate`; an existing pair changes nothing. */
  addReaction(
    messageId: U64,
    actor: Actor,
    emoji: string,
    validate: Validation = NO_VALIDATION,
  ): CommandResult<ReactionOutcome> {
    const found = this.lookupForActor(messageId, actor, 'AddReaction');
    if (!found.ok) return found;
    const { room, message, member, indexed } = found.value;
    if (!mayPerform('react', room.type, member.role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not react here`,
        'AddReaction.message_id',
      );
    const invalid = validate();
    if (invalid) return { ok: false, failure: invalid };
    let users = indexed.reactions.get(emoji);
    if (!users) indexed.reactions.set(emoji, (users = new Set()));
    const changed = !users.has(actor.user.user_id);
    users.add(actor.user.user_id);
    return succeed({ room, message, changed });
  }

  /** Removes the actor's own (user, emoji) pair; an absent pair is NOT_FOUND (PROTOCOL.md 8/react-remove). */
  removeReaction(messageId: U64, actor: Actor, emoji: string): CommandResult<MessageInRoom> {
    const found = this.lookupForActor(messageId, actor, 'RemoveReaction');
    if (!found.ok) return found;
    const { room, message, member, indexed } = found.value;
    if (!mayPerform('react', room.type, member.role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not react here`,
        'RemoveReaction.message_id',
      );
    const users = indexed.reactions.get(emoji);
    if (!users?.delete(actor.user.user_id))
      return fail(
        ERROR_CODES.NOT_FOUND,
        `no ${JSON.stringify(emoji)} reaction of yours`,
        'RemoveReaction.emoji',
      );
    if (users.size === 0) indexed.reactions.delete(emoji);
    return succeed({ room, message });
  }

  /** Removes `targetId` from a room (moderator+ over a strictly lower role). Context: ServerCommand.params. */
  kick(roomId: U64, actor: Actor, targetId: U64): CommandResult<Departure> {
    const checked = this.checkModeration(roomId, actor, targetId, 'kick');
    if (!checked.ok) return checked;
    const { room, member, target } = checked.value;
    if (!mayKick(room.type, member.role, target.role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not kick a ${target.role}`,
        CONTEXT_PARAMS,
      );
    this.detach(room, target);
    return succeed({ room, member: target });
  }

  /** Changes a member's role (admin+, target and new role strictly lower). Context: ServerCommand.params. */
  setRole(roomId: U64, actor: Actor, targetId: U64, role: Role): CommandResult<RoomMember> {
    const checked = this.checkModeration(roomId, actor, targetId, 'set_role');
    if (!checked.ok) return checked;
    const { room, member, target } = checked.value;
    if (!maySetRole(room.type, member.role, target.role, role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not change a ${target.role} to ${role}`,
        CONTEXT_PARAMS,
      );
    target.role = role;
    return succeed(target);
  }

  /** Sets a role without checks (server-side administration and tests); false when not a member. */
  assignRole(roomId: U64, userId: U64, role: Role): boolean {
    const member = this.rooms.get(roomId)?.members.get(userId);
    if (!member) return false;
    member.role = role;
    return true;
  }

  /** Room exists (1005), actor is a member with the action at all (1004), target is a member (1005). */
  private checkModeration(
    roomId: U64,
    actor: Actor,
    targetId: U64,
    action: 'kick' | 'set_role',
  ): CommandResult<{ room: Room; member: RoomMember; target: RoomMember }> {
    const room = this.rooms.get(roomId);
    if (!room) return fail(ERROR_CODES.NOT_FOUND, `room ${roomId} does not exist`, CONTEXT_PARAMS);
    const member = this.joinedMember(room, actor);
    if (!member) return fail(ERROR_CODES.PERMISSION_DENIED, `not in room ${roomId}`, CONTEXT_PARAMS);
    if (!mayPerform(action, room.type, member.role))
      return fail(
        ERROR_CODES.PERMISSION_DENIED,
        `a ${member.role} may not ${action} in a ${room.type} room`,
        CONTEXT_PARAMS,
      );
    const target = room.members.get(targetId);
    if (!target)
      return fail(
        ERROR_CODES.NOT_FOUND,
        `user ${targetId} is not a member of room ${roomId}`,
        CONTEXT_PARAMS,
      );
    return succeed({ room, member, target });
  }

  private lookupForActor(
    messageId: U64,
    actor: Actor,
    frame: string,
  ): CommandResult<{ room: Room; message: RoomMessage; member: RoomMember; indexed: IndexedMessage }> {
    const indexed = typeof messageId === 'number' ? this.messages.get(messageId) : undefined;
    if (!indexed)
      return fail(
        ERROR_CODES.NOT_FOUND,
        `message ${messageId} is unknown or no longer in the room history`,
        `${frame}.message_id`,
      );
    const member = this.joinedMember(indexed.room, actor);
    if (!member)
      return fail(ERROR_CODES.PERMISSION_DENIED, `not in room ${indexed.room.id}`, `${frame}.message_id`);
    return succeed({ room: indexed.room, message: indexed.message, member, indexed });
  }

  private joinedMember(room: Room, actor: Actor): RoomMember | undefined {
    const member = room.members.get(actor.user.user_id);
    return member && member.connection === actor.connection ? member : undefined;
  }

  /** ROOM_FULL when one more room would exceed max_rooms (PROTOCOL.md 7/room-limit); `context` names the frame field. */
  private roomLimitFailure(context: string): CommandResult<never> | null {
    const max = this.options.maxRooms;
    if (max === undefined || this.rooms.size < max) return null;
    return fail(ERROR_CODES.ROOM_FULL, `room limit reached (max_rooms ${max})`, context);
  }

  private createRoomRecord(id: U64, name: string, type: RoomType, allowList: ReadonlySet<U64> | null): Room {
    const room: Room = {
      id,
      name,
      type,
      members: new Map(),
      connections: new Set(),
      history: new HistoryRing<RoomMessage>(this.options.historySize),
      allowList,
    };
    this.rooms.set(id, room);
    return room;
  }

  private attach(room: Room, member: RoomMember): void {
    room.members.set(member.user.user_id, member);
    room.connections.add(member.connection);
    let joined = this.roomsByConnection.get(member.connection);
    if (!joined) this.roomsByConnection.set(member.connection, (joined = new Set()));
    joined.add(room.id);
  }

  private detach(room: Room, member: RoomMember): void {
    room.members.delete(member.user.user_id);
    room.connections.delete(member.connection);
    this.roomsByConnection.get(member.connection)?.delete(room.id);
  }

  private rebind(room: Room, member: RoomMember, connection: ConnectionId): void {
    this.detach(room, member);
    member.connection = connection;
    this.attach(room, member);
  }
}

const CONTEXT_PARAMS = 'ServerCommand.params';
const EMPTY_SET: ReadonlySet<U64> = new Set();
