/**
 * The chat service as a connection session sees it (session.ts): what the session reads of the server, and where
 * it hands the well-formed, well-placed frames it has accepted. The session owns this contract and the chat
 * service implements it, so the dependency points one way: chat-service.ts -> session.ts -> session-host.ts.
 */
import type { Auth, Frame, HotRoomConfig, U64, UserInfo } from '../spec/index.js';
import type { ServerConfig } from './config.js';
import type { CoreLogger } from './connection-port.js';
import type { LargeRoomPolicy } from './large-rooms.js';
import type { PartialFrameBudget } from './memory-budget.js';
import type { CommandFailure, CommandResult } from './protocol-errors.js';
import type { RoomBroadcaster } from './room-broadcaster.js';
import type { ServerObserver } from './server-observer.js';
import type { ShardRouter } from './shard-router.js';
import type { UploadFrame } from './upload-commands.js';

/** Chat-command frames (0x10-0x17). */
export type ChatCommandFrame = Extract<
  Frame,
  {
    name:
      | 'SendMessage'
      | 'EditMessage'
      | 'DeleteMessage'
      | 'AddReaction'
      | 'RemoveReaction'
      | 'JoinRoom'
      | 'LeaveRoom'
      | 'CreateRoom';
  }
>;

/** Datagram frames (0x80-0x84). */
export type DatagramFrame = Extract<
  Frame,
  { name: 'Typing' | 'StopTyping' | 'PresenceOnline' | 'PresenceOffline' | 'PresenceAway' }
>;

/** Ack-stream frames a client may send (0x60-0x61). */
export type ClientAckFrame = Extract<Frame, { name: 'MessageDelivered' | 'MessageRead' }>;

/** The ServerCommand frame (0x09). */
export type ServerCommandFrame = Extract<Frame, { name: 'ServerCommand' }>;

/** What a session (`Session`, a ConnectionSession) needs of the chat service. */
export interface SessionHost<Session> {
  readonly config: ServerConfig;
  readonly router: ShardRouter;
  readonly largeRooms: LargeRoomPolicy;
  /** Partial-frame bytes buffered by all sessions (PROTOCOL.md 17/partial-frame-budget). */
  readonly partialFrames: PartialFrameBudget;
  readonly observer: ServerObserver;
  readonly logger: CoreLogger;
  /** HelloAck.hot_room_config. */
  readonly hotRoomConfig: HotRoomConfig;
  /** The fan-out component (sessions send their own control frames through it). */
  readonly fanOut: RoomBroadcaster;
  /** The server's clock (epoch ms). */
  now(): number;
  /** Verifies an Auth frame (a token may take a while). */
  authenticate(auth: Auth): CommandResult<UserInfo> | Promise<CommandResult<UserInfo>>;
  /** Makes `session` the one session of `user`, closing an older one (PROTOCOL.md 6.3/takeover). */
  takeOver(user: UserInfo, session: Session): void;
  /** Rooms a session joins right after AuthOk. */
  initialRooms(): U64[];
  /** The session is authenticated: it joins `initialRooms`. */
  enterReady(session: Session, initialRooms: readonly U64[]): void;
  handleChatCommand(session: Session, frame: ChatCommandFrame): CommandFailure | null;
  handleServerCommand(session: Session, frame: ServerCommandFrame): CommandFailure | null;
  handleAck(session: Session, frame: ClientAckFrame): CommandFailure | null;
  handleUpload(session: Session, frame: UploadFrame): CommandFailure | null;
  handleDatagram(session: Session, frame: DatagramFrame): void;
  /** The session ended: leave its rooms, forget it. */
  disconnect(session: Session): void;
}
