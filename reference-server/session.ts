/**
 * Protocol state machine of one connection (PROTOCOL.md 5, 6, 12, 14).
 *
 * States: await-hello -> await-auth -> ready (PROTOCOL.md's "Authenticated") -> closed. Takes the raw bytes of each
 * client stream (one FrameDecoder per stream) and each datagram, enforces which frames may appear on which stream in
 * which state, answers the handshake and keep-alive itself, and hands well-placed chat, ACK, upload and
 * ServerCommand frames to the chat service (through SessionHost, session-host.ts). Every violation becomes at most one Error frame on the control stream
 * plus the stream or connection fate of PROTOCOL.md 14; nothing a client sends can throw out of here.
 */
import { randomUUID } from 'node:crypto';
import {
  ERROR_CODES,
  FrameError,
  decodeDatagram,
  type Auth,
  type ErrorCode,
  type Frame,
  type UserInfo,
} from '../spec/index.js';
import type {
  ChatCommandFrame,
  ClientAckFrame,
  DatagramFrame,
  ServerCommandFrame,
  SessionHost,
} from './session-host.js';
import { AuthQueue, type AuthQueueSession } from './auth-queue.js';
import type { ConnectionPort } from './connection-port.js';
import { boundEcho } from './echo-bound.js';
import type { CommandFailure, CommandResult } from './protocol-errors.js';
import { TokenBucket } from './rate-limiter.js';
import type { RoutedConnection } from './room-broadcaster.js';
import type { Actor, ConnectionId } from './rooms.js';
import type { ConnectionRoutes } from './shard-router.js';
import { SessionStreams } from './session-streams.js';
import type { UploadFrame } from './upload-commands.js';
import {
  earlyStreamFailure,
  isClientBidi,
  judgePlacement,
  streamContext,
  type StreamState,
} from './stream-placement.js';

/** Connection states (PROTOCOL.md 6.1; "ready" is its Authenticated). */
export type SessionState = 'await-hello' | 'await-auth' | 'ready' | 'closed';

/** The only protocol version (Hello.version). */
export const PROTOCOL_VERSION = 1;

/** Application close code for an orderly close (Goodbye). */
export const CLOSE_NO_ERROR = 0;

/** One connection's protocol session. */
export class ConnectionSession implements RoutedConnection, AuthQueueSession {
  /** HelloAck.session_id: a lowercase UUID v4, new for every connection. */
  readonly sessionId = randomUUID();
  readonly routes: ConnectionRoutes;
  private currentState: SessionState = 'await-hello';
  /** See RoutedConnection: set by the fan-out and by frames from the client, cleared by the keep-alive check. */
  trafficSinceKeepAlive = false;
  private authenticatedUser: UserInfo | null = null;
  private readonly auths = new AuthQueue(this);
  private readonly streams: SessionStreams;
  private readonly limiter: TokenBucket;
  /** Client datagrams relayed per second (PROTOCOL.md 17/datagram-rate); over it they are dropped silently. */
  private readonly datagramLimiter: TokenBucket;

  constructor(
    private readonly service: SessionHost<ConnectionSession>,
    readonly id: ConnectionId,
    readonly port: ConnectionPort,
  ) {
    this.routes = service.router.newConnectionRoutes();
    this.streams = new SessionStreams(service.partialFrames);
    this.limiter = new TokenBucket(
      service.config.rateLimitPerSec,
      service.config.rateLimitBurst,
      service.now(),
    );
    const datagramRate = service.config.datagramRatePerSec;
    this.datagramLimiter = new TokenBucket(datagramRate, Math.max(1, datagramRate), service.now());
  }

  /** Current state. */
  get state(): SessionState {
    return this.currentState;
  }

  /** The authenticated user, or null before AuthOk. */
  get user(): UserInfo | null {
    return this.authenticatedUser;
  }

  /** Streams this session keeps state for (open ones and aborted ones not yet ended by the client). */
  get trackedStreamCount(): number {
    return this.streams.trackedCount;
  }

  /** Partial-frame bytes this connection has buffered. */
  get bufferedPartialBytes(): number {
    return this.streams.bufferedPartialBytes;
  }

  /** QUIC id of the control stream (-1 until the client opened it). */
  get controlStreamId(): number {
    return this.streams.controlStreamId;
  }

  /** The authenticated user; only called on paths that run after AuthOk. */
  requireUser(): UserInfo {
    if (!this.authenticatedUser) throw new Error(`session ${this.id} is not authenticated`);
    return this.authenticatedUser;
  }

  /** This session as a room actor (user + connection). */
  actor(): Actor {
    return { user: this.requireUser(), connection: this.id };
  }

  /** Bytes received on a client stream; `fin` when the client finished the stream. */
  onStreamData(streamId: number, bytes: Uint8Array, fin: boolean): void {
    if (this.currentState === 'closed') return;
    if (this.streams.isAborted(streamId)) {
      if (fin) this.streams.clientEnded(streamId);
      return;
    }
    const stream = this.streamFor(streamId);
    if (!stream || stream.dropped) return;
    this.guard(streamContext(streamId), () => {
      if (stream.kind !== 'control' && this.currentState !== 'ready') {
        this.refuseEarlyStream(stream, bytes);
        if (fin) this.streams.clientEnded(streamId);
        return;
      }
      if (stream.kind !== 'control') this.trafficSinceKeepAlive = true;
      stream.decoder.push(bytes);
      this.drain(stream);
      if (stream.dropped || this.currentState === 'closed') {
        if (fin) this.streams.clientEnded(streamId);
        return;
      }
      if (fin) this.finishStream(stream);
      else this.accountPartial(stream);
    });
  }

  /** A datagram from the client. Invalid or early datagrams are dropped silently (PROTOCOL.md 11, 14). */
  onDatagram(bytes: Uint8Array): void {
    if (this.currentState !== 'ready') return;
    this.guard('datagram', () => {
      let frame: Frame;
      try {
        frame = decodeDatagram(bytes);
      } catch (error) {
        if (error instanceof FrameError) return;
        throw error;
      }
      this.service.observer.frameIn(frame.name);
      this.trafficSinceKeepAlive = true;
      // Unreliable by definition: a datagram over the rate is dropped like a lost one, without an Error.
      if (!this.datagramLimiter.take(this.service.now()).allowed) return;
      this.service.handleDatagram(this, frame as DatagramFrame);
    });
  }

  /**
   * The client reset a stream (RESET_STREAM): its partial frame is discarded without an Error (PROTOCOL.md
   * 3/truncated). The control stream cannot be replaced, so its reset ends the connection like a FIN.
   */
  onStreamReset(streamId: number): void {
    this.streams.clientEnded(streamId);
    const stream = this.streams.get(streamId);
    if (!stream || this.currentState === 'closed') return;
    stream.dropped = true;
    this.streams.forget(stream);
    if (stream.kind === 'control') this.close(CLOSE_NO_ERROR, 'control stream reset');
  }

  /** Ends the connection for a server-side reason (e.g. a slow consumer) with `code`, without Goodbye. */
  terminate(code: number, reason: string): void {
    this.close(code, reason);
  }

  /**
   * Ends a connection that did not authenticate in time or was evicted by a newer one (PROTOCOL.md
   * 17/handshake-deadline): AUTH_REQUIRED as Error (only once HelloAck was sent) and as the close code.
   */
  expireHandshake(reason: string): void {
    if (this.currentState !== 'await-hello' && this.currentState !== 'await-auth') return;
    if (this.currentState === 'await-auth')
      this.sendError({ code: ERROR_CODES.AUTH_REQUIRED, message: reason, context: null });
    this.close(ERROR_CODES.AUTH_REQUIRED, reason);
  }

  /** The transport reports the connection gone (peer close, idle timeout, error). Idempotent. */
  onClosed(): void {
    this.currentState = 'closed';
    this.streams.releaseAll();
    this.service.disconnect(this);
  }

  /** Keep-alive Ping, when the service's ping schedule says it is due (PROTOCOL.md 12/server-ping). */
  ping(now: number): void {
    if (this.currentState !== 'ready') return;
    this.service.fanOut.toControl(this, 'Ping', { timestamp: now });
  }

  /** Server-initiated orderly close: Goodbye on the control stream, then close with code 0. */
  goodbye(reason: string): void {
    if (this.currentState === 'closed') return;
    if (this.currentState !== 'await-hello') this.service.fanOut.toControl(this, 'Goodbye', { reason });
    this.close(CLOSE_NO_ERROR, reason);
  }

  /** Sends an Error frame on the control stream (not before the control stream exists). */
  sendError(failure: CommandFailure): void {
    if (this.streams.controlStreamId < 0 || this.currentState === 'closed') return;
    // Messages and contexts may quote client input: bounded so the reply fits a frame (PROTOCOL.md 17/echo-bound).
    this.service.fanOut.toControl(this, 'Error', {
      code: failure.code,
      message: boundEcho(failure.message),
      context: boundEcho(failure.context),
    });
    this.service.observer.errorSent(failure.code);
  }

  private streamFor(streamId: number): StreamState | undefined {
    const known = this.streams.get(streamId);
    if (known) return known;
    const stream = this.streams.add(streamId);
    if (stream !== undefined && stream.kind === null && isClientBidi(streamId)) {
      this.abortStream(stream, {
        code: ERROR_CODES.INVALID_FRAME,
        message: 'the control stream is the only bidirectional stream',
        context: streamContext(streamId),
      });
    }
    return stream;
  }

  /**
   * A client uni stream before AuthOk (PROTOCOL.md 6.5/uni-before-auth): aborted with 1002, unless its first header
   * is already invalid, which takes precedence (14/precedence) and gives 1001.
   */
  private refuseEarlyStream(stream: StreamState, bytes: Uint8Array): void {
    const failure = earlyStreamFailure(bytes);
    if (failure !== null) this.abortStream(stream, failure);
  }

  /** Decodes and handles every complete frame buffered on the stream. */
  private drain(stream: StreamState): void {
    for (;;) {
      let frame: Frame | undefined;
      try {
        frame = stream.decoder.next();
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        this.onDecodeError(stream, error);
        if (stream.dropped || this.currentState === 'closed' || !error.framingIntact) return;
        continue;
      }
      if (frame === undefined) return;
      this.service.observer.frameIn(frame.name);
      if (!this.checkPlacement(stream, frame.code)) return;
      // One failing frame (a server bug) gets SERVER_ERROR and is skipped; the frames after it still run.
      const current = frame;
      if (stream.kind === 'control') this.guard(current.name, () => this.handleControl(current));
      else this.guard(current.name, () => this.dispatch(stream, current));
      if (stream.dropped || this.currentState === 'closed') return;
    }
  }

  /** Client finished a stream: an unfinished frame is a framing error; the control stream ends the session. */
  private finishStream(stream: StreamState): void {
    try {
      stream.decoder.end();
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.onDecodeError(stream, error);
    }
    if (stream.kind === 'control' && this.currentState !== 'closed') {
      // FIN at a frame boundary on the control stream is a Goodbye (PROTOCOL.md 6.1/transitions).
      this.close(CLOSE_NO_ERROR, 'control stream finished');
      return;
    }
    this.streams.forget(stream);
  }

  /**
   * Accounts what the stream's decoder still holds of unfinished frames (PROTOCOL.md 17/partial-frame-budget): before
   * AuthOk at most max_pre_auth_bytes per connection, after it max_partial_frame_bytes_per_connection, and the
   * server-wide total. Growth beyond a cap aborts the stream (closes the connection for the control stream) with
   * RATE_LIMITED, which frees its bytes.
   */
  private accountPartial(stream: StreamState): void {
    const config = this.service.config;
    const limit =
      this.currentState === 'ready' ? config.maxPartialFrameBytesPerConnection : config.maxPreAuthBytes;
    const failure = this.streams.account(stream, limit);
    if (failure === null) return;
    if (stream.kind === 'control') this.violation(failure);
    else this.abortStream(stream, failure);
  }

  private onDecodeError(stream: StreamState, error: FrameError): void {
    if (error.framingIntact) {
      // A bad payload still has a type byte: state and stream rules come before payload checks (14/precedence).
      if (error.frameCode !== undefined && !this.checkPlacement(stream, error.frameCode)) return;
      this.sendError({ code: error.errorCode, message: error.message, context: error.context ?? null });
      return;
    }
    // Framing lost: the stream cannot be read any further.
    const failure: CommandFailure = {
      code: error.errorCode,
      message: error.message,
      context: streamContext(stream.id),
    };
    if (stream.kind === 'control') this.violation(failure);
    else this.abortStream(stream, failure);
  }

  /**
   * Stream placement rules (PROTOCOL.md 5, 6.5): Hello first on control; only client control frames on control;
   * a client uni stream is classified by its first frame and stays in that range. False when the frame was refused.
   */
  private checkPlacement(stream: StreamState, code: number): boolean {
    const verdict = judgePlacement(stream.id, stream.kind, this.currentState === 'await-hello', code);
    stream.kind = verdict.kind;
    if (verdict.refusal === null) return true;
    if (verdict.refusal.fate === 'connection') this.violation(verdict.refusal.failure);
    else this.abortStream(stream, verdict.refusal.failure);
    return false;
  }

  private handleControl(frame: Frame): void {
    // A Pong answers our keep-alive Ping; anything else the client says shows the connection in use.
    if (frame.name !== 'Pong') this.trafficSinceKeepAlive = true;
    switch (frame.name) {
      case 'Hello': {
        if (this.currentState !== 'await-hello') {
          this.violation({
            code: ERROR_CODES.INVALID_FRAME,
            message: 'Hello after HelloAck',
            context: 'Hello',
          });
          return;
        }
        if (frame.payload.version !== PROTOCOL_VERSION) {
          this.violation({
            code: ERROR_CODES.INVALID_FRAME,
            message: `unsupported protocol version ${frame.payload.version} (supported: ${PROTOCOL_VERSION})`,
            context: 'Hello.version',
          });
          return;
        }
        this.currentState = 'await-auth';
        this.service.fanOut.toControl(this, 'HelloAck', {
          version: PROTOCOL_VERSION,
          session_id: this.sessionId,
          num_shards: this.service.router.numShards,
          hot_room_config: this.service.hotRoomConfig,
          large_room_threshold: this.service.largeRooms.advertised,
        });
        return;
      }
      case 'Auth':
        // Answered in order; one that finds the session ready is refused there (verifyAuth).
        this.auths.push(frame.payload);
        return;
      case 'ServerCommand':
        if (this.currentState !== 'ready') {
          this.sendError({
            code: ERROR_CODES.AUTH_REQUIRED,
            message: 'ServerCommand before AuthOk',
            context: 'ServerCommand',
          });
          return;
        }
        this.report(this.service.handleServerCommand(this, frame as ServerCommandFrame));
        return;
      case 'Ping':
        this.service.fanOut.toControl(this, 'Pong', { timestamp: frame.payload.timestamp });
        return;
      case 'Pong':
        return;
      case 'Goodbye':
        this.close(CLOSE_NO_ERROR, 'goodbye');
        return;
      default:
        // checkPlacement admits only the frames above on the control stream.
        return;
    }
  }

  /** AuthQueueSession: the verification of the next Auth frame in order, or null (and a violation once ready). */
  verifyAuth(auth: Auth): CommandResult<UserInfo> | Promise<CommandResult<UserInfo>> | null {
    if (this.currentState === 'closed') return null;
    if (this.currentState !== 'await-auth') {
      this.violation({ code: ERROR_CODES.INVALID_FRAME, message: 'Auth after AuthOk', context: 'Auth' });
      return null;
    }
    return this.service.authenticate(auth);
  }

  /** AuthQueueSession: the session still waits to be authenticated. */
  get awaitingAuth(): boolean {
    return this.currentState === 'await-auth';
  }

  /** AuthQueueSession: AuthFailed, or AuthOk and what follows it. */
  answerAuth(result: CommandResult<UserInfo>): void {
    if (!result.ok) {
      // No Error frame; the connection stays in await-auth and the client may retry (PROTOCOL.md 6.3).
      this.service.fanOut.toControl(this, 'AuthFailed', {
        code: result.failure.code,
        message: boundEcho(result.failure.message),
      });
      this.service.observer.errorSent(result.failure.code);
      return;
    }
    this.enterReady(result.value);
  }

  /** Takeover of an older connection, AuthOk, ShardAssignment, then the auto-join (PROTOCOL.md 6.3, 6.4). */
  private enterReady(user: UserInfo): void {
    this.service.takeOver(user, this);
    this.authenticatedUser = user;
    this.currentState = 'ready';
    const rooms = this.service.initialRooms();
    this.service.fanOut.toControl(this, 'AuthOk', { user_id: user.user_id, username: user.username, rooms });
    // Shard streams need no explicit opening: each appears when its first room frame is written.
    this.service.fanOut.toControl(this, 'ShardAssignment', {
      shard_streams: this.service.router.assignment(rooms),
    });
    this.service.logger.debug({ connection: this.id, username: user.username }, 'authenticated');
    this.service.enterReady(this, rooms);
  }

  private dispatch(stream: StreamState, frame: Frame): void {
    switch (stream.kind) {
      case 'chat-commands': {
        // Every chat command that decodes takes a token (PROTOCOL.md 14/precedence step 5).
        const take = this.limiter.take(this.service.now());
        if (!take.allowed) {
          this.refuseRateLimited(frame, take.retryAfterMs);
          return;
        }
        this.report(this.service.handleChatCommand(this, frame as ChatCommandFrame));
        return;
      }
      case 'acks':
        this.report(this.service.handleAck(this, frame as ClientAckFrame));
        return;
      case 'uploads':
        this.report(this.service.handleUpload(this, frame as UploadFrame));
        return;
      default:
        return;
    }
  }

  private report(failure: CommandFailure | null): void {
    if (failure) this.sendError(failure);
  }

  /** Every refused command gets RATE_LIMITED, then Throttle (PROTOCOL.md 8/rate-limit, 4.2/chat-semantics). */
  private refuseRateLimited(frame: Frame, retryAfterMs: number): void {
    const context = frame.name === 'SendMessage' ? `SendMessage nonce=${frame.payload.nonce}` : frame.name;
    this.sendError({
      code: ERROR_CODES.RATE_LIMITED,
      message: `rate limit of ${this.service.config.rateLimitPerSec} commands/s exceeded; ${frame.name} dropped`,
      context,
    });
    this.service.fanOut.toControl(this, 'Throttle', {
      room_id: null,
      delay_ms: retryAfterMs,
      reason: 'per-connection command rate limit',
    });
  }

  /** A violation on the control stream: Error frame, then the connection closes with the same code. */
  private violation(failure: CommandFailure): void {
    this.sendError(failure);
    this.close(failure.code, failure.message);
  }

  /**
   * A violation on a client stream: Error frame (only once HelloAck was sent, PROTOCOL.md 14/no-error-before-
   * hello-ack), then the stream is aborted with the same code; later bytes on it are ignored.
   */
  private abortStream(stream: StreamState, failure: CommandFailure & { code: ErrorCode }): void {
    if (this.currentState !== 'await-hello')
      this.sendError({ ...failure, context: failure.context ?? streamContext(stream.id) });
    this.streams.abort(stream);
    this.port.abortStream(stream.id, failure.code);
  }

  private close(code: number, reason: string): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.streams.releaseAll();
    this.port.close(code, reason);
    this.service.disconnect(this);
  }

  /** Runs a handler; an unexpected exception is a server bug: SERVER_ERROR 1010, logged, connection kept. */
  private guard(context: string, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.service.logger.error(
        { err: error, connection: this.id },
        'internal error while handling client input',
      );
      this.sendError({ code: ERROR_CODES.SERVER_ERROR, message: 'internal server error', context });
    }
  }
}
