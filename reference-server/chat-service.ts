/**
 * The server-wide part of the protocol core: authenticated users, rooms, messages, hot rooms, presence and
 * uploads (PROTOCOL.md 6.3-13). Sessions (one per connection, session.ts) hand it well-formed, well-placed frames;
 * it applies them to the room registry and fans the results out through the RoomBroadcaster.
 *
 * Transport-independent: it sees connections only through ConnectionPort, and time only through its clock.
 */
import { randomBytes } from 'node:crypto';
import { ERROR_CODES, type Auth, type HotRoomConfig, type U64, type UserInfo } from '../spec/index.js';
import type { ServerConfig } from './config.js';
import { SILENT_LOGGER, type ConnectionPort, type CoreLogger } from './connection-port.js';
import { acceptedAuthMethods, refuseAuthMethod } from './auth-policy.js';
import { HandshakeAdmission } from './handshake-admission.js';
import { HotRoomTracker } from './hot-room-tracker.js';
import { LargeRoomPolicy } from './large-rooms.js';
import { KeepAlive } from './ping-schedule.js';
import { PartialFrameBudget } from './memory-budget.js';
import { fail, succeed, type CommandFailure, type CommandResult } from './protocol-errors.js';
import { RoomBroadcaster } from './room-broadcaster.js';
import { RoomCommands } from './room-commands.js';
import { EmptyRoomReaper } from './room-retention.js';
import { GENERAL_ROOM_ID, RoomRegistry, type ConnectionId } from './rooms.js';
import { NULL_OBSERVER, type ServerObserver } from './server-observer.js';
import { ConnectionSession } from './session.js';
import type {
  ChatCommandFrame,
  ClientAckFrame,
  DatagramFrame,
  ServerCommandFrame,
  SessionHost,
} from './session-host.js';
import { ShardRouter } from './shard-router.js';
import { handleUploadFrame, type UploadFrame } from './upload-commands.js';
import { UploadQuota } from './upload-quota.js';
import { UploadStore } from './upload-store.js';
import { TokenVerifier, loadTokenTrust } from './token-verifier.js';
import { userIdForUsername, validateUsername } from './user-identity.js';

export type { ChatCommandFrame, ClientAckFrame, DatagramFrame, ServerCommandFrame } from './session-host.js';

/** Dependencies and environment of the service. */
export interface ChatServiceOptions {
  /** Upload directory, already resolved (see ensureDataDir). */
  readonly dataDir: string;
  /** Clock in Unix milliseconds (injectable for tests). */
  readonly now?: () => number;
  readonly observer?: ServerObserver;
  readonly logger?: CoreLogger;
}

export { MAX_EMOJI_BYTES, MAX_NONCE_BYTES } from './message-validation.js';
export { MAX_ROOM_NAME_LENGTH } from './room-commands.js';

/** The chat server's state and command handling, shared by all connections. */
export class ChatService implements SessionHost<ConnectionSession> {
  /** Current time in Unix milliseconds. */
  readonly now: () => number;
  readonly router: ShardRouter;
  readonly rooms: RoomRegistry;
  readonly hotRooms: HotRoomTracker;
  /** Which rooms are too large for per-member membership and presence traffic (PROTOCOL.md 16.2). */
  readonly largeRooms: LargeRoomPolicy;
  readonly uploads: UploadStore;
  readonly observer: ServerObserver;
  readonly logger: CoreLogger;
  /** HMAC secret for token auth (the configured one, or random for this process). */
  readonly tokenSecret: string;
  /** Partial-frame bytes buffered by all sessions (PROTOCOL.md 17/partial-frame-budget). */
  readonly partialFrames: PartialFrameBudget;
  /** Connections not yet authenticated (PROTOCOL.md 17/handshake-deadline). */
  readonly admission: HandshakeAdmission;
  /** Auth methods this server accepts (PROTOCOL.md 6.3/auth-methods). */
  readonly authMethods: ReadonlySet<string>;
  /** Frees rooms nobody is in (null when empty_room_retention_ms is 0). */
  private readonly roomReaper: EmptyRoomReaper | null;
  /** Checks JWTs of Auth method "token" (token-verifier.ts). */
  private readonly tokens: TokenVerifier;
  private readonly sessions = new Map<ConnectionId, ConnectionSession>();
  /** The authenticated session of each user (one per user, PROTOCOL.md 6.3/takeover). */
  private readonly online = new Map<U64, ConnectionSession>();
  private readonly broadcaster: RoomBroadcaster;
  /** Chat and moderation commands (room-commands.ts). */
  private readonly commands: RoomCommands;
  private readonly keepAlive: KeepAlive<ConnectionSession>;
  private lastConnectionId = 0;
  /** Set by shutdown(): departures are no longer announced (everybody is leaving). */
  private shuttingDown = false;

  constructor(
    readonly config: ServerConfig,
    options: ChatServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.keepAlive = new KeepAlive(config.pingIntervalMs);
    this.observer = options.observer ?? NULL_OBSERVER;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.tokenSecret = config.tokenSecret ?? randomBytes(32).toString('base64url');
    this.tokens = new TokenVerifier(
      loadTokenTrust({
        secret: this.tokenSecret,
        publicKeyFile: config.tokenPublicKey,
        jwksFile: config.tokenJwks,
        audience: config.tokenAudience,
        issuer: config.tokenIssuer,
      }),
    );
    this.router = new ShardRouter(config.numShards);
    this.authMethods = acceptedAuthMethods(config);
    this.partialFrames = new PartialFrameBudget(config.maxPartialFrameBytesTotal);
    this.admission = new HandshakeAdmission(
      {
        deadlineMs: config.handshakeDeadlineMs,
        maxTotal: config.maxUnauthenticated,
        maxPerAddress: config.maxUnauthenticatedPerAddress,
      },
      config.maxConnections,
    );
    this.rooms = new RoomRegistry({
      historySize: config.historySize,
      maxRoomMembers: config.maxRoomMembers,
      maxRooms: config.maxRooms,
    });
    this.roomReaper =
      config.emptyRoomRetentionMs > 0 ? new EmptyRoomReaper(this.rooms, config.emptyRoomRetentionMs) : null;
    this.hotRooms = new HotRoomTracker(
      {
        promoteRate: config.promoteRate,
        demoteRate: config.demoteRate,
        coolDownMs: config.coolDownMs,
        rateWindowMs: config.rateWindowMs,
        maxHotRooms: config.maxHotRooms,
      },
      (roomId) => this.router.shardOf(roomId),
    );
    this.uploads = new UploadStore({
      dataDir: options.dataDir,
      maxUploadBytes: config.maxUploadBytes,
      maxUploadsPerOwner: config.maxUploadsPerConnection,
      quota: new UploadQuota({
        perUserBytes: config.maxUploadBytesPerUser,
        totalBytes: config.maxUploadBytesTotal,
      }),
      now: this.now,
    });
    this.broadcaster = new RoomBroadcaster(this.sessions, this.observer);
    this.largeRooms = new LargeRoomPolicy(config.largeRoomThreshold);
    this.commands = new RoomCommands({
      config,
      rooms: this.rooms,
      hotRooms: this.hotRooms,
      largeRooms: this.largeRooms,
      router: this.router,
      uploads: this.uploads,
      broadcaster: this.broadcaster,
      observer: this.observer,
      logger: this.logger,
      now: this.now,
      sessions: this.sessions,
      online: this.online,
    });
  }

  /** Hot-room parameters as advertised in HelloAck (PROTOCOL.md 16.1): exactly the applied ones. */
  get hotRoomConfig(): HotRoomConfig {
    const c = this.config;
    return {
      promote_rate: c.promoteRate,
      demote_rate: c.demoteRate,
      cool_down_ms: c.coolDownMs,
      rate_window_ms: c.rateWindowMs,
      max_hot_rooms: c.maxHotRooms,
    };
  }

  /** Partial-frame bytes buffered by all sessions. */
  get partialFrameBytes(): number {
    return this.partialFrames.usedBytes;
  }

  /** Number of open sessions (any state). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The fan-out component (sessions send their own control frames through it). */
  get fanOut(): RoomBroadcaster {
    return this.broadcaster;
  }

  /** Creates the session of a new connection from IP `address` (evicting an older unauthenticated one if needed). */
  connect(port: ConnectionPort, address = 'unknown'): ConnectionSession {
    const session = new ConnectionSession(this, ++this.lastConnectionId, port);
    this.sessions.set(session.id, session);
    this.observer.connectionsChanged(1);
    this.admission.admit(session, address, this.now());
    return session;
  }

  /** The session of a connection id, if open. */
  session(id: ConnectionId): ConnectionSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Checks Auth credentials; returns the user or the AuthFailed reason. Never changes state. A token is verified
   * asynchronously (jose uses WebCrypto), so method "token" answers with a promise; "username" answers at once.
   */
  authenticate(auth: Auth): CommandResult<UserInfo> | Promise<CommandResult<UserInfo>> {
    const refused = refuseAuthMethod(this.authMethods, auth.method);
    if (refused) return fail(refused.code, refused.message, refused.context);
    if (auth.method === 'username') {
      const check = validateUsername(auth.credentials);
      if (!check.ok) return fail(ERROR_CODES.AUTH_FAILED, check.reason, 'Auth.credentials');
      return this.userResult(check.username);
    }
    if (auth.method === 'token') {
      return this.tokens
        .verify(auth.credentials, Math.floor(this.now() / 1000))
        .then((check) =>
          check.ok
            ? this.userResult(check.username)
            : fail(ERROR_CODES.AUTH_FAILED, `token refused: ${check.reason}`, 'Auth.credentials'),
        );
    }
    return fail(ERROR_CODES.AUTH_FAILED, `unknown auth method ${JSON.stringify(auth.method)}`, 'Auth.method');
  }

  private userResult(username: string): CommandResult<UserInfo> {
    return succeed({ user_id: userIdForUsername(username), username, avatar_url: null });
  }

  /**
   * Ends the user's older connection, if any, before `session` is authenticated as that user: Goodbye "replaced",
   * close with code 0, disconnect processing (PROTOCOL.md 6.3/takeover).
   */
  takeOver(user: UserInfo, session: ConnectionSession): void {
    const previous = this.online.get(user.user_id);
    if (previous && previous !== session) {
      this.logger.info(
        { username: user.username, replaced: previous.id, by: session.id },
        'connection replaced',
      );
      previous.goodbye('replaced');
    }
  }

  /** Rooms a newly authenticated user will be joined to (AuthOk.rooms): [1], or [] when General is full. */
  initialRooms(): U64[] {
    const general = this.rooms.get(GENERAL_ROOM_ID);
    return general && general.members.size < this.config.maxRoomMembers ? [GENERAL_ROOM_ID] : [];
  }

  /** After AuthOk and ShardAssignment: marks the user online, auto-joins General, announces presence. */
  enterReady(session: ConnectionSession, initialRooms: readonly U64[]): void {
    const user = session.requireUser();
    this.admission.leave(session);
    this.online.set(user.user_id, session);
    this.keepAlive.start(session, this.now());
    if (initialRooms.includes(GENERAL_ROOM_ID)) {
      const failure = this.commands.joinRoom(session, GENERAL_ROOM_ID);
      if (failure) session.sendError(failure);
    } else {
      session.sendError({
        code: ERROR_CODES.ROOM_FULL,
        message: 'room 1 is full',
        context: 'JoinRoom.room_id',
      });
    }
    this.broadcaster.datagram(this.peersOf(session.id), 'PresenceOnline', {
      user_id: user.user_id,
      status: 'online',
    });
    // The login's own frames are not traffic: a client that stays silent gets its first Ping one interval from now.
    session.trafficSinceKeepAlive = false;
  }

  /** Applies a chat command from an authenticated session; returns the failure to report, or null. */
  handleChatCommand(session: ConnectionSession, frame: ChatCommandFrame): CommandFailure | null {
    return this.commands.handleChatCommand(session, frame);
  }

  /** Applies a ServerCommand from an authenticated client: "kick" or "set_role" (PROTOCOL.md 7/kick, 7/set-role). */
  handleServerCommand(session: ConnectionSession, frame: ServerCommandFrame): CommandFailure | null {
    return this.commands.handleServerCommand(session, frame);
  }

  /** Ack-stream frames: accepted silently, not relayed (PROTOCOL.md 8/delivered-read). */
  handleAck(_session: ConnectionSession, _frame: ClientAckFrame): CommandFailure | null {
    return null;
  }

  /**
   * Applies an upload-stream frame; UploadAck goes on the control stream. An accepted UploadComplete is answered
   * (UploadAck or Error) once the upload is on disk (PROTOCOL.md 13/upload-complete); a connection closed by then
   * gets nothing.
   */
  handleUpload(session: ConnectionSession, frame: UploadFrame): CommandFailure | null {
    const outcome = handleUploadFrame(this.uploads, this.rooms, session.actor(), frame);
    if (outcome instanceof Promise) {
      outcome
        .then((result) => {
          if (session.state === 'closed') return;
          if (!result.ok) session.sendError(result.failure);
          else if (result.value) this.broadcaster.toControl(session, 'UploadAck', result.value);
        })
        .catch((error: unknown) =>
          this.logger.error({ err: error, connection: session.id }, 'cannot answer UploadComplete'),
        );
      return null;
    }
    if (!outcome.ok) return outcome.failure;
    if (outcome.value) this.broadcaster.toControl(session, 'UploadAck', outcome.value);
    return null;
  }

  /**
   * Relays a client datagram (PROTOCOL.md 11): typing to the room's other members, presence to everyone sharing a
   * room, always with the sender's own user id. A datagram from a non-member of its room is dropped silently.
   */
  handleDatagram(session: ConnectionSession, frame: DatagramFrame): void {
    const user = session.requireUser();
    switch (frame.name) {
      case 'Typing':
      case 'StopTyping': {
        const room = this.rooms.get(frame.payload.room_id);
        if (!room || !this.rooms.memberOf(room.id, session.actor())) return;
        const others = [...room.connections].filter((id) => id !== session.id);
        this.broadcaster.datagram(others, frame.name, { room_id: room.id, user_id: user.user_id });
        return;
      }
      case 'PresenceOnline':
      case 'PresenceOffline':
      case 'PresenceAway':
        this.broadcaster.datagram(this.peersOf(session.id), frame.name, {
          ...frame.payload,
          user_id: user.user_id,
        });
        return;
    }
  }

  /**
   * Forgets a closed connection (PROTOCOL.md 7/disconnect): PresenceOffline to the connections sharing a room with
   * it, RoomUserLeft to the remaining members of each of its rooms, unfinished uploads discarded. Idempotent.
   */
  disconnect(session: ConnectionSession): void {
    if (!this.sessions.delete(session.id)) return;
    this.keepAlive.stop(session);
    this.observer.connectionsChanged(-1);
    this.admission.leave(session);
    this.uploads.releaseOwner(session.id);
    const user = session.user;
    if (!user || this.online.get(user.user_id) !== session) return;
    this.online.delete(user.user_id);
    if (this.shuttingDown) {
      // PROTOCOL.md 12/shutdown: no RoomUserLeft/PresenceOffline for connections the server closes itself; that
      // fan-out is quadratic in the number of clients and would delay everyone's Goodbye.
      this.rooms.disconnect(session.id);
      return;
    }
    const now = this.now();
    this.broadcaster.datagram(this.peersOf(session.id), 'PresenceOffline', {
      user_id: user.user_id,
      last_seen: now,
    });
    for (const departure of this.rooms.disconnect(session.id, user.user_id)) {
      if (!this.commands.announcesDeparture(departure.room)) continue;
      this.broadcaster.toRoom(departure.room, 'RoomUserLeft', {
        room_id: departure.room.id,
        user_id: user.user_id,
        left_at: now,
      });
    }
  }

  /** Periodic work: hot-room demotions, keep-alive pings, gauges. Call every ~250 ms. */
  tick(): void {
    const now = this.now();
    this.admission.expire(now);
    if (this.config.uploadRetentionMs > 0) this.uploads.expireCompleted(now - this.config.uploadRetentionMs);
    const freed = this.roomReaper?.tick(now) ?? [];
    if (freed.length > 0) this.logger.debug({ rooms: freed.length }, 'empty rooms freed');
    for (const event of this.hotRooms.tick(now)) {
      const room = this.rooms.get(event.roomId);
      if (!room) continue;
      this.broadcaster.demote(room, event.shard);
      this.observer.hotRoomChanged('demote');
      this.logger.info({ room_id: String(room.id), to_shard: event.shard }, 'room demoted');
    }
    this.keepAlive.tick(now);
    this.observer.roomCounts(this.rooms.size, this.hotRooms.hotRooms.size);
  }

  /** Says Goodbye to every connection and closes it (graceful shutdown). */
  shutdown(reason: string): void {
    this.shuttingDown = true;
    for (const session of [...this.sessions.values()]) session.goodbye(reason);
  }

  /** Connections that share at least one room that is not large (PROTOCOL.md 16.2) with `connection`, but itself. */
  private peersOf(connection: ConnectionId): Set<ConnectionId> {
    const peers = new Set<ConnectionId>();
    for (const roomId of this.rooms.roomsOf(connection)) {
      const room = this.rooms.get(roomId);
      if (room && !this.largeRooms.isLarge(room.members.size))
        for (const peer of room.connections) peers.add(peer);
    }
    peers.delete(connection);
    return peers;
  }
}
