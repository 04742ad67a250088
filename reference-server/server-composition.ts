/**
 * How an embedder composes the reference server from the outside without changing its code: the ALPN protocols
 * the endpoint accepts, and decorators that may wrap methods of the protocol core and of each connection's port
 * and session (instrumentation, tracing, deliberately altered variants in a test suite). The `garou-server`
 * command composes nothing: it runs the server as built.
 */
import type { ChatService } from './chat-service.js';
import type { ConnectionPort } from './connection-port.js';
import type { ConnectionSession } from './session.js';

/** The ALPN protocol of garou (PROTOCOL.md 2/alpn). */
export const DEFAULT_ALPNS: readonly string[] = ['chat'];

/** Collaborators given to `GarouServer.start`; every member is optional and absent by default. */
export interface ServerComposition {
  /** ALPN protocols the endpoint accepts (default DEFAULT_ALPNS). */
  readonly alpns?: readonly string[];
  /** Called once with the protocol core, before the server accepts any connection. */
  readonly decorateService?: (service: ChatService) => void;
  /** Called for each accepted connection once its port and session exist, before any of its data is read. */
  readonly decorateConnection?: (
    port: ConnectionPort,
    session: ConnectionSession,
    service: ChatService,
  ) => void;
}
