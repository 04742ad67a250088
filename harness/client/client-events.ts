/**
 * What a simulated client reports to its owner. One object receives the events of every client (the
 * worker's runtime), so a client holds a reference, not closures: thousands of clients stay small.
 * Times are epoch milliseconds (`epochNowMs()`).
 */
import type {
  ErrorPayload,
  Frame,
  HelloAck,
  MessageAck,
  PeekedRoomMessage,
  RoomClose,
  RoomInit,
  Throttle,
} from '../../spec/index.js';
import type { CloseInfo } from '../../transport/index.js';
import type { ConnectFailure } from './connect-failure.js';
import type { SimClient } from './sim-client.js';
import type { UploadJob } from './upload-job.js';

/** Events of simulated clients. */
export interface ClientEvents {
  /** The QUIC handshake completed (`connectedAtMs`) and AuthOk arrived (`authOkAtMs`). */
  authenticated(client: SimClient, connectedAtMs: number, authOkAtMs: number): void;
  /** The connection attempt failed before AuthOk (QUIC, TLS, handshake timeout, AuthFailed, close). */
  connectFailed(client: SimClient, failure: ConnectFailure, atMs: number): void;
  /**
   * The connection ended after AuthOk. `requested` = this side asked for it (disconnect/abort); `rooms` are
   * the rooms it was a member of; `lastHeardAtMs` is when it last received anything.
   */
  disconnected(
    client: SimClient,
    info: CloseInfo | null,
    requested: boolean,
    rooms: readonly number[],
    lastHeardAtMs: number,
  ): void;
  /** HelloAck arrived (num_shards, optional hot_room_config). */
  helloAck(client: SimClient, ack: HelloAck, atMs: number): void;
  /** RoomInit arrived: the membership starts (or is re-synchronised). */
  roomInit(client: SimClient, init: RoomInit, atMs: number): void;
  /** RoomClose arrived: the membership ended. */
  roomClosed(client: SimClient, close: RoomClose, atMs: number): void;
  /**
   * A RoomMessage, in per-room order (merged across stream switches), with its arrival time. Only its ids and
   * nonce are given: the client reads just those (peekRoomMessage), see sim-client.ts.
   */
  roomMessage(client: SimClient, message: PeekedRoomMessage, receivedAtMs: number): void;
  /** MessageAck for one of this client's sends. */
  messageAck(client: SimClient, ack: MessageAck, atMs: number): void;
  /** RoomPromoted on the control stream. */
  roomPromoted(client: SimClient, roomId: number, atMs: number): void;
  /** RoomDemoted on the control stream. */
  roomDemoted(client: SimClient, roomId: number, atMs: number): void;
  /** An Error frame from the server. */
  serverError(client: SimClient, error: ErrorPayload, atMs: number): void;
  /** A Throttle frame from the server. */
  throttled(client: SimClient, throttle: Throttle, atMs: number): void;
  /** An upload completed (final UploadAck with its URL). */
  uploadDone(client: SimClient, job: UploadJob, uploadId: number, url: string, atMs: number): void;
  /** An upload failed (Error for its start or its id, or the connection ended). */
  uploadFailed(client: SimClient, job: UploadJob, reason: string, atMs: number): void;
  /** A datagram frame (Typing, StopTyping, Presence*). */
  datagram(client: SimClient, frame: Frame, atMs: number): void;
  /** The server broke the protocol (PROTOCOL.md 5/server-stream-violation); `rule` is the rule id. */
  protocolViolation(client: SimClient, rule: string, detail: string, atMs: number): void;
  /** The server aborted one of our streams (STOP_SENDING with `code`, 14/error-then-fate). */
  streamStopped(client: SimClient, streamId: number, code: number, atMs: number): void;
}

/** ClientEvents that ignore everything: extend it and override what you need. */
export class IgnoreClientEvents implements ClientEvents {
  authenticated(_client: SimClient, _connectedAtMs: number, _authOkAtMs: number): void {}
  connectFailed(_client: SimClient, _failure: ConnectFailure, _atMs: number): void {}
  disconnected(
    _client: SimClient,
    _info: CloseInfo | null,
    _requested: boolean,
    _rooms: readonly number[],
    _lastHeardAtMs: number,
  ): void {}
  helloAck(_client: SimClient, _ack: HelloAck, _atMs: number): void {}
  roomInit(_client: SimClient, _init: RoomInit, _atMs: number): void {}
  roomClosed(_client: SimClient, _close: RoomClose, _atMs: number): void {}
  roomMessage(_client: SimClient, _message: PeekedRoomMessage, _receivedAtMs: number): void {}
  messageAck(_client: SimClient, _ack: MessageAck, _atMs: number): void {}
  roomPromoted(_client: SimClient, _roomId: number, _atMs: number): void {}
  roomDemoted(_client: SimClient, _roomId: number, _atMs: number): void {}
  serverError(_client: SimClient, _error: ErrorPayload, _atMs: number): void {}
  throttled(_client: SimClient, _throttle: Throttle, _atMs: number): void {}
  uploadDone(_client: SimClient, _job: UploadJob, _uploadId: number, _url: string, _atMs: number): void {}
  uploadFailed(_client: SimClient, _job: UploadJob, _reason: string, _atMs: number): void {}
  datagram(_client: SimClient, _frame: Frame, _atMs: number): void {}
  protocolViolation(_client: SimClient, _rule: string, _detail: string, _atMs: number): void {}
  streamStopped(_client: SimClient, _streamId: number, _code: number, _atMs: number): void {}
}
