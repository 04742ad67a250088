/**
 * What a simulated client reports to its owner. One object receives the events of every client (the
 * worker's runtime), so a client holds a reference, not closures: thousands of clients stay small.
 * Times are epoch milliseconds (`epochNowMs()`).
 *
 * The interface is generic in the reporting client (a SimClient, see sim-client.ts) so that it does not
 * import the client: the client depends on its events, not the other way round.
 */
import type {
  ErrorPayload,
  Frame,
  HelloAck,
  MessageAck,
  PeekedRoomMessage,
  RoomClose,
  Throttle,
} from '../../spec/index.js';
import type { CloseInfo } from '../../transport/index.js';
import type { RoomInitHead } from './membership-frames.js';
import type { ConnectFailure } from './connect-failure.js';
import type { UploadJob } from './upload-job.js';

/** Events of simulated clients; `Client` is the reporting client (SimClient). */
export interface ClientEvents<Client> {
  /** The QUIC handshake completed (`connectedAtMs`) and AuthOk arrived (`authOkAtMs`). */
  authenticated(client: Client, connectedAtMs: number, authOkAtMs: number): void;
  /** The connection attempt failed before AuthOk (QUIC, TLS, handshake timeout, AuthFailed, close). */
  connectFailed(client: Client, failure: ConnectFailure, atMs: number): void;
  /**
   * The connection ended after AuthOk. `requested` = this side asked for it (disconnect/abort); `rooms` are
   * the rooms it was a member of; `lastHeardAtMs` is when it last received anything.
   */
  disconnected(
    client: Client,
    info: CloseInfo | null,
    requested: boolean,
    rooms: readonly number[],
    lastHeardAtMs: number,
  ): void;
  /** HelloAck arrived (num_shards, optional hot_room_config). */
  helloAck(client: Client, ack: HelloAck, atMs: number): void;
  /**
   * RoomInit arrived: the membership starts (or is re-synchronised). Only its room id is read on most (the rest
   * when it was decoded in full: see server-stream-reader.ts).
   */
  roomInit(client: Client, init: RoomInitHead, atMs: number): void;
  /** RoomClose arrived: the membership ended. */
  roomClosed(client: Client, close: RoomClose, atMs: number): void;
  /**
   * A RoomMessage, in per-room order (merged across stream switches), with its arrival time. Only its ids and
   * nonce are given: the client reads just those (peekRoomMessage), see sim-client.ts.
   */
  roomMessage(client: Client, message: PeekedRoomMessage, receivedAtMs: number): void;
  /** MessageAck for one of this client's sends. */
  messageAck(client: Client, ack: MessageAck, atMs: number): void;
  /** RoomPromoted on the control stream. */
  roomPromoted(client: Client, roomId: number, atMs: number): void;
  /** RoomDemoted on the control stream. */
  roomDemoted(client: Client, roomId: number, atMs: number): void;
  /** An Error frame from the server (a NOT_FOUND explained as a reaction that raced a delete is not one). */
  serverError(client: Client, error: ErrorPayload, atMs: number): void;
  /** The server answered a reaction NOT_FOUND because the message was deleted first (reaction-race.ts). */
  reactionRacedDelete(client: Client, atMs: number): void;
  /** A Throttle frame from the server. */
  throttled(client: Client, throttle: Throttle, atMs: number): void;
  /** An upload completed (final UploadAck with its URL). */
  uploadDone(client: Client, job: UploadJob, uploadId: number, url: string, atMs: number): void;
  /** An upload failed (Error for its start or its id, or the connection ended). */
  uploadFailed(client: Client, job: UploadJob, reason: string, atMs: number): void;
  /** A datagram frame (Typing, StopTyping, Presence*). */
  datagram(client: Client, frame: Frame, atMs: number): void;
  /** The server broke the protocol (PROTOCOL.md 5/server-stream-violation); `rule` is the rule id. */
  protocolViolation(client: Client, rule: string, detail: string, atMs: number): void;
  /** The server aborted one of our streams (STOP_SENDING with `code`, 14/error-then-fate). */
  streamStopped(client: Client, streamId: number, code: number, atMs: number): void;
}

/** ClientEvents that ignore everything: extend it and override what you need. */
export class IgnoreClientEvents implements ClientEvents<unknown> {
  authenticated(_client: unknown, _connectedAtMs: number, _authOkAtMs: number): void {}
  connectFailed(_client: unknown, _failure: ConnectFailure, _atMs: number): void {}
  disconnected(
    _client: unknown,
    _info: CloseInfo | null,
    _requested: boolean,
    _rooms: readonly number[],
    _lastHeardAtMs: number,
  ): void {}
  helloAck(_client: unknown, _ack: HelloAck, _atMs: number): void {}
  roomInit(_client: unknown, _init: RoomInitHead, _atMs: number): void {}
  roomClosed(_client: unknown, _close: RoomClose, _atMs: number): void {}
  roomMessage(_client: unknown, _message: PeekedRoomMessage, _receivedAtMs: number): void {}
  messageAck(_client: unknown, _ack: MessageAck, _atMs: number): void {}
  roomPromoted(_client: unknown, _roomId: number, _atMs: number): void {}
  roomDemoted(_client: unknown, _roomId: number, _atMs: number): void {}
  serverError(_client: unknown, _error: ErrorPayload, _atMs: number): void {}
  reactionRacedDelete(_client: unknown, _atMs: number): void {}
  throttled(_client: unknown, _throttle: Throttle, _atMs: number): void {}
  uploadDone(_client: unknown, _job: UploadJob, _uploadId: number, _url: string, _atMs: number): void {}
  uploadFailed(_client: unknown, _job: UploadJob, _reason: string, _atMs: number): void {}
  datagram(_client: unknown, _frame: Frame, _atMs: number): void {}
  protocolViolation(_client: unknown, _rule: string, _detail: string, _atMs: number): void {}
  streamStopped(_client: unknown, _streamId: number, _code: number, _atMs: number): void {}
}
