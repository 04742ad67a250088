/**
 * What the protocol core needs from one QUIC connection, and nothing more.
 *
 * The transport adapter (server.ts) implements it over a real connection; tests implement it with a recorder. All
 * calls queue work and return at once; the core never waits on the network.
 */

/** Output side of one connection, as seen by the protocol core. */
export interface ConnectionPort {
  /**
   * Queues bytes on a stream; the first write on a server-initiated stream opens it. `bytes` (an encoded frame,
   * often the same one for many connections) must never change afterwards: they are kept by reference until sent.
   */
  send(streamId: number, bytes: Uint8Array): void;
  /** Finishes (FIN) a stream after its queued bytes. */
  finish(streamId: number): void;
  /** Abandons a client stream: STOP_SENDING (and RESET_STREAM for a bidirectional one) with an application code. */
  abortStream(streamId: number, code: number): void;
  /** Sends one datagram; unreliable, may be dropped. */
  sendDatagram(bytes: Uint8Array): void;
  /** Closes the connection with an application error code (0 = no error) and a reason phrase. */
  close(code: number, reason: string): void;
}

/** Minimal structured logger (a subset of pino's), so the core does not depend on a logging library. */
export interface CoreLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that drops everything. */
export const SILENT_LOGGER: CoreLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
