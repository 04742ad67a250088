/**
 * Room commands of authenticated clients (PROTOCOL.md 7-8): the chat commands (SendMessage, EditMessage,
 * DeleteMessage, reactions, JoinRoom, LeaveRoom, CreateRoom) and the moderation ServerCommands (kick, set_role).
 * Each is applied to the room registry and its result fanned out through the RoomBroadcaster. The session
 * lifecycle around them (auth, auto-join, presence, disconnect) stays in chat-service.ts.
 */
import { ERROR_CODES, type U64 } from '../spec/index.js';
import type { ServerConfig } from './config.js';
import type { CoreLogger } from './connection-port.js';
import type { HotRoomTracker } from './hot-room-tracker.js';
import type { LargeRoomPolicy } from './large-rooms.js';
import { checkContentSize, checkEmoji, checkSendMessage } from './message-validation.js';
import { parseModerationParams } from './moderation-params.js';
import type { CommandFailure } from './protocol-errors.js';
import type { RoomBroadcaster } from './room-broadcaster.js';
import { encodeRoomInit } from './room-init-encoding.js';
import type { Actor, ConnectionId, Departure, Room, RoomRegistry } from './rooms.js';
import type { ServerObserver } from './server-observer.js';
import type { ConnectionSession } from './session.js';
import type { ChatCommandFrame, ServerCommandFrame } from './session-host.js';
import type { ShardRouter } from './shard-router.js';
import type { UploadStore } from './upload-store.js';

/** Longest room name accepted by CreateRoom, in characters after trimming (PROTOCOL.md 7/create-room). */
export const MAX_ROOM_NAME_LENGTH = 100;

/** The server state room commands read and change (owned by ChatService). */
export interface RoomCommandState {
  readonly config: ServerConfig;
  readonly rooms: RoomRegistry;
  readonly hotRooms: HotRoomTracker;
  readonly largeRooms: LargeRoomPolicy;
  readonly router: ShardRouter;
  readonly uploads: UploadStore;
  readonly broadcaster: RoomBroadcaster;
  readonly observer: ServerObserver;
  readonly logger: CoreLogger;
  /** Current time in Unix milliseconds. */
  readonly now: () => number;
  /** Open sessions by connection id. */
  readonly sessions: ReadonlyMap<ConnectionId, ConnectionSession>;
  /** The authenticated session of each user. */
  readonly online: ReadonlyMap<U64, ConnectionSession>;
}

/** Applies room commands to the server state. */
export class RoomCommands {
  private readonly config: ServerConfig;
  private readonly rooms: RoomRegistry;
  private readonly hotRooms: HotRoomTracker;
  private readonly largeRooms: LargeRoomPolicy;
  private readonly router: ShardRouter;
  private readonly uploads: UploadStore;
  private readonly broadcaster: RoomBroadcaster;
  private readonly observer: ServerObserver;
  private readonly logger: CoreLogger;
  private readonly now: () => number;
  private readonly sessions: ReadonlyMap<ConnectionId, ConnectionSession>;
  private readonly online: ReadonlyMap<U64, ConnectionSession>;

  constructor(state: RoomCommandState) {
    this.config = state.config;
    this.rooms = state.rooms;
    this.hotRooms = state.hotRooms;
    this.largeRooms = state.largeRooms;
    this.router = state.router;
    this.uploads = state.uploads;
    this.broadcaster = state.broadcaster;
    this.observer = state.observer;
    this.logger = state.logger;
    this.now = state.now;
    this.sessions = state.sessions;
    this.online = state.online;
  }

  /** Applies a chat command from an authenticated session; returns the failure to report, or null. */
  handleChatCommand(session: ConnectionSession, frame: ChatCommandFrame): CommandFailure | null {
    const now = this.now();
    const actor = session.actor();
    switch (frame.name) {
      case 'SendMessage': {
        const failure = this.sendMessage(session, frame.payload, now);
        // PROTOCOL.md 4.8/error-context: SendMessage errors carry the nonce so the client can match its request.
        return failure && { ...failure, context: `${failure.context} nonce=${frame.payload.nonce}` };
      }
      case 'EditMessage': {
        const { message_id, content } = frame.payload;
        const edited = this.rooms.editMessage(message_id, actor, content, () =>
          checkContentSize(content, this.config.maxContentBytes, 'EditMessage.content'),
        );
        if (!edited.ok) return edited.failure;
        const { room, message } = edited.value;
        this.broadcaster.toRoom(room, 'RoomMessageEdited', {
          message_id: message.message_id,
          room_id: room.id,
          editor_id: actor.user.user_id,
          content,
          edited_at: now,
        });
        return null;
      }
      case 'DeleteMessage': {
        const deleted = this.rooms.deleteMessage(frame.payload.message_id, actor);
        if (!deleted.ok) return deleted.failure;
        const { room, message } = deleted.value;
        this.broadcaster.toRoom(room, 'RoomMessageDeleted', {
          message_id: message.message_id,
          room_id: room.id,
          deleted_by: actor.user.user_id,
          deleted_at: now,
        });
        return null;
      }
      case 'AddReaction': {
        const { message_id, emoji } = frame.payload;
        const added = this.rooms.addReaction(message_id, actor, emoji, () => checkEmoji(emoji));
        if (!added.ok) return added.failure;
        // Adding an existing pair changes nothing and sends nothing (PROTOCOL.md 8/react-add).
        if (added.value.changed) {
          this.broadcaster.toRoom(added.value.room, 'RoomReactionAdded', {
            message_id: added.value.message.message_id,
            room_id: added.value.room.id,
            user_id: actor.user.user_id,
            emoji,
          });
        }
        return null;
      }
      case 'RemoveReaction': {
        const { message_id, emoji } = frame.payload;
        const removed = this.rooms.removeReaction(message_id, actor, emoji);
        if (!removed.ok) return removed.failure;
        this.broadcaster.toRoom(removed.value.room, 'RoomReactionRemoved', {
          message_id: removed.value.message.message_id,
          room_id: removed.value.room.id,
          user_id: actor.user.user_id,
          emoji,
        });
        return null;
      }
      case 'JoinRoom':
        return this.joinRoom(session, frame.payload.room_id);
      case 'LeaveRoom': {
        const left = this.rooms.leave(frame.payload.room_id, actor);
        if (!left.ok) return left.failure;
        this.afterDeparture(left.value, 'left', now);
        return null;
      }
      case 'CreateRoom':
        return this.createRoom(session, frame.payload.name, frame.payload.room_type, frame.payload.members);
    }
  }

  /** Applies a ServerCommand from an authenticated client: "kick" or "set_role" (PROTOCOL.md 7/kick, 7/set-role). */
  handleServerCommand(session: ConnectionSession, frame: ServerCommandFrame): CommandFailure | null {
    const { command, params } = frame.payload;
    if (command !== 'kick' && command !== 'set_role')
      return {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `unknown command ${JSON.stringify(command)}`,
        context: 'ServerCommand.command',
      };
    const parsed = parseModerationParams(params, command === 'set_role');
    if (!parsed.ok) return parsed.failure;
    const { roomId, userId, role } = parsed.value;
    if (command === 'kick') {
      const kicked = this.rooms.kick(roomId, session.actor(), userId);
      if (!kicked.ok) return kicked.failure;
      this.afterDeparture(kicked.value, 'kicked', this.now());
    } else {
      const changed = this.rooms.setRole(roomId, session.actor(), userId, role!);
      if (!changed.ok) return changed.failure;
    }
    // The echo confirms the change is in effect (PROTOCOL.md 7/set-role).
    this.broadcaster.toControl(session, 'ServerCommand', { command, params });
    return null;
  }

  /** PROTOCOL.md 8/send-validation order: room (1005), permission (1004), content, nonce, attachments (1007). */
  private sendMessage(
    session: ConnectionSession,
    p: Extract<ChatCommandFrame, { name: 'SendMessage' }>['payload'],
    now: number,
  ): CommandFailure | null {
    const urls: string[] = [];
    const validate = (): CommandFailure | null =>
      checkSendMessage(
        p,
        String(session.requireUser().user_id),
        this.uploads,
        this.config.maxContentBytes,
        urls,
      );
    const posted = this.rooms.postMessage(
      p.room_id,
      session.actor(),
      { content: p.content, nonce: p.nonce, replyTo: p.reply_to, attachments: urls },
      now,
      validate,
    );
    if (!posted.ok) return posted.failure;
    const { room, message } = posted.value;
    this.broadcaster.toControl(session, 'MessageAck', {
      nonce: p.nonce,
      message_id: message.message_id,
      timestamp: message.timestamp,
    });
    // Promotion is decided before routing, so the message that made the room hot already goes on the hot stream.
    const promotion = this.hotRooms.recordMessage(room.id, now);
    if (promotion) {
      this.broadcaster.promote(room, promotion.shard);
      this.observer.hotRoomChanged('promote');
      this.logger.info({ room_id: String(room.id), from_shard: promotion.shard }, 'room promoted');
    }
    this.broadcaster.toRoom(room, 'RoomMessage', message);
    return null;
  }

  /** Joins `session` to a room: RoomInit to it, RoomUserJoined to the others unless the room is large. */
  joinRoom(session: ConnectionSession, roomId: U64): CommandFailure | null {
    const joined = this.rooms.join(roomId, session.actor());
    if (!joined.ok) return joined.failure;
    const { room, alreadyMember } = joined.value;
    // A member joining a hot room gets the hot stream before any of the room's frames (PROTOCOL.md 10/join-hot).
    if (!alreadyMember && this.hotRooms.isHot(room.id))
      this.broadcaster.openHotStream(session, room.id, this.router.shardOf(room.id));
    this.broadcaster.toMemberEncoded(
      session,
      room.id,
      'RoomInit',
      encodeRoomInit(room, this.largeRooms, this.logger),
    );
    if (!alreadyMember && this.largeRooms.announcesChange(room.members.size - 1, room.members.size)) {
      this.broadcaster.toRoom(
        room,
        'RoomUserJoined',
        { room_id: room.id, user: session.requireUser(), joined_at: this.now() },
        session.id,
      );
    }
    return null;
  }

  /** PROTOCOL.md 7/create-room: name (1007), direct needs one other user (1007), member limit (1008). */
  private createRoom(
    session: ConnectionSession,
    rawName: string,
    type: 'direct' | 'group' | 'channel',
    memberIds: readonly U64[],
  ): CommandFailure | null {
    const name = rawName.trim();
    const nameLength = [...name].length;
    if (nameLength === 0 || nameLength > MAX_ROOM_NAME_LENGTH)
      return {
        code: ERROR_CODES.INVALID_MESSAGE,
        message: `room name must be 1-${MAX_ROOM_NAME_LENGTH} characters after trimming, got ${nameLength}`,
        context: 'CreateRoom.name',
      };
    // Listed users who are not connected do not become members (the server keeps no user directory).
    const connected: Actor[] = [];
    for (const userId of memberIds) {
      const member = this.online.get(userId);
      if (member && member !== session) connected.push(member.actor());
    }
    const created = this.rooms.createRoom(session.actor(), name, type, memberIds, connected);
    if (!created.ok) return created.failure;
    const room = created.value;
    const init = encodeRoomInit(room, this.largeRooms, this.logger);
    for (const id of room.connections) {
      const member = this.sessions.get(id);
      if (member) this.broadcaster.toMemberEncoded(member, room.id, 'RoomInit', init);
    }
    return null;
  }

  /** After a member left or was kicked: RoomClose as its last room frame, its hot stream finished, RoomUserLeft. */
  private afterDeparture(departure: Departure, reason: 'left' | 'kicked', now: number): void {
    const { room, member } = departure;
    const departed = this.sessions.get(member.connection);
    if (departed) {
      // No longer in room.connections: address it directly, on its current stream for the room.
      this.broadcaster.toMember(departed, room.id, 'RoomClose', { room_id: room.id, reason });
      this.broadcaster.closeHotStream(departed, room.id);
    }
    if (!this.announcesDeparture(room)) return;
    this.broadcaster.toRoom(room, 'RoomUserLeft', {
      room_id: room.id,
      user_id: member.user.user_id,
      left_at: now,
    });
  }

  /** Whether the departure that left `room` with its current members is announced (PROTOCOL.md 16.2). */
  announcesDeparture(room: Room): boolean {
    return this.largeRooms.announcesChange(room.members.size + 1, room.members.size);
  }
}
