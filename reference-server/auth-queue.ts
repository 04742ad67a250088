/**
 * The Auth frames of one connection, answered in the order they came (PROTOCOL.md 6.3). A token may be verified
 * asynchronously: while one is, later Auth frames wait, so their answers keep the order of the requests; one that
 * finds the session ready by then is the session's "Auth after AuthOk". The session (session.ts) verifies and
 * answers; this module only keeps the order.
 */
import type { Auth, UserInfo } from '../spec/index.js';
import type { CommandResult } from './protocol-errors.js';

/** What the queue asks of its session. */
export interface AuthQueueSession {
  /**
   * Starts verifying an Auth: its answer now or a promise of it; null when the session refused it (Auth after
   * AuthOk) or is closed, which stops the queue until the next Auth.
   */
  verifyAuth(auth: Auth): CommandResult<UserInfo> | Promise<CommandResult<UserInfo>> | null;
  /** Whether the session still waits to be authenticated (a verification that ends after a close goes unanswered). */
  readonly awaitingAuth: boolean;
  /** Sends the answer to one Auth. */
  answerAuth(result: CommandResult<UserInfo>): void;
}

/** One session's Auth frames not answered yet; see the module comment. */
export class AuthQueue {
  private readonly pending: Auth[] = [];
  /** A token of an Auth frame is being verified. */
  private inFlight = false;

  constructor(private readonly session: AuthQueueSession) {}

  /** Queues an Auth frame and answers every queued one that can be answered now. */
  push(auth: Auth): void {
    this.pending.push(auth);
    this.answerQueued();
  }

  private answerQueued(): void {
    while (!this.inFlight && this.pending.length > 0) {
      const outcome = this.session.verifyAuth(this.pending.shift() as Auth);
      if (outcome === null) return;
      if (!(outcome instanceof Promise)) {
        this.session.answerAuth(outcome);
        continue;
      }
      this.inFlight = true;
      void outcome.then((result) => {
        this.inFlight = false;
        if (!this.session.awaitingAuth) return; // closed meanwhile
        this.session.answerAuth(result);
        this.answerQueued();
      });
    }
  }
}
