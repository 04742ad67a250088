/**
 * The transport callbacks of many client connections as shared functions: each finds its handler through the
 * connection (`this` is the connection), so thousands of connections cost no closures per connection or event.
 */
import type { CloseInfo, QuicConnection } from '../../transport/index.js';

/** What handles the transport events of one client connection (a SimClient). */
export interface ConnectionHandler {
  handleEstablished(connection: QuicConnection): void;
  handleData(streamId: number, data: Buffer, fin: boolean): void;
  handleDrain(streamId: number): void;
  handleStopSending(streamId: number, errorCode: number): void;
  handleStreamReset(streamId: number): void;
  handleDatagram(data: Buffer): void;
  handleClose(connection: QuicConnection, info: CloseInfo): void;
}

const handlers = new WeakMap<QuicConnection, ConnectionHandler>();

function handlerOf(connection: QuicConnection): ConnectionHandler | undefined {
  return handlers.get(connection);
}

function onEstablished(this: QuicConnection): void {
  handlerOf(this)?.handleEstablished(this);
}
function onData(this: QuicConnection, streamId: number, data: Buffer, fin: boolean): void {
  handlerOf(this)?.handleData(streamId, data, fin);
}
function onDrain(this: QuicConnection, streamId: number): void {
  handlerOf(this)?.handleDrain(streamId);
}
function onStopSending(this: QuicConnection, streamId: number, errorCode: number): void {
  handlerOf(this)?.handleStopSending(streamId, errorCode);
}
function onStreamReset(this: QuicConnection, streamId: number): void {
  handlerOf(this)?.handleStreamReset(streamId);
}
function onDatagram(this: QuicConnection, data: Buffer): void {
  handlerOf(this)?.handleDatagram(data);
}
function onClose(this: QuicConnection, info: CloseInfo): void {
  const handler = handlerOf(this);
  handlers.delete(this);
  handler?.handleClose(this, info);
}

/** Sends the events of `connection` to `handler` until the connection closes or `unbindConnection`. */
export function bindConnection(connection: QuicConnection, handler: ConnectionHandler): void {
  handlers.set(connection, handler);
  connection.onEstablished = onEstablished;
  connection.onData = onData;
  connection.onDrain = onDrain;
  connection.onStopSending = onStopSending;
  connection.onStreamReset = onStreamReset;
  connection.onDatagram = onDatagram;
  connection.onClose = onClose;
}

/** Stops sending the events of `connection` to its handler (the handler gave the connection up). */
export function unbindConnection(connection: QuicConnection): void {
  handlers.delete(connection);
}
