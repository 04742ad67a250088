/**
 * A reaction can race a delete. A client reacts to the newest message it has seen in a room while the message's
 * author's DeleteMessage is already on its way; the server, having deleted it first, answers the AddReaction with
 * Error 1005 NOT_FOUND (PROTOCOL.md 8/message-scope). That answer is right, so a load run must not count it as an
 * error. What proves the race is the RoomMessageDeleted of the reaction's target; it travels on the room's shard
 * stream and the Error on the control stream, so either can arrive first. A NOT_FOUND that may be a reaction's is
 * therefore excused at once when a recent target is already seen deleted, else held for a short while for that
 * deletion, and reported as an error if none comes.
 *
 * The Error names no message id (its context is free text: ours says `AddReaction.message_id`), so an error is
 * matched to the client's recent reaction targets, not to one in particular: each deletion of a target explains
 * one error.
 */
import type { ErrorPayload } from '../../spec/index.js';
import { ERROR_CODES } from '../../spec/index.js';
import type { ClientEvents } from './client-events.js';
import type { HoldOwner, HoldTimer } from './hold-timer.js';

/** Recent reaction targets kept (a client reacts rarely; a race needs a target from the last round trip). */
const TARGETS_KEPT = 4;
/** Recent deletions kept, any room of the client. */
const DELETIONS_KEPT = 8;
/**
 * How long an unexplained NOT_FOUND waits for its deletion (ms). The two frames leave the server in one flush; only
 * a lost packet's retransmission separates them by more than a few milliseconds on the paths a load run uses.
 */
export const RACE_HOLD_MS = 2000;

/** An Error frame waiting for the deletion that would explain it. */
interface HeldError {
  error: ErrorPayload;
  atMs: number;
  untilMs: number;
}

/**
 * One client's recent reactions and the deletions it has seen since its first reaction (created then: most clients
 * never react). Errors it does not excuse reach `events.serverError`, held ones late but with their arrival time.
 */
export class ReactionRaceFilter<Client> implements HoldOwner {
  private readonly targets: number[] = [];
  private readonly deletions: number[] = [];
  private readonly held: HeldError[] = [];

  constructor(
    private readonly client: Client,
    private readonly events: ClientEvents<Client>,
    private readonly holdTimer: HoldTimer,
  ) {}

  /** An AddReaction naming `messageId` was written. */
  reacted(messageId: number): void {
    this.targets.push(messageId);
    if (this.targets.length > TARGETS_KEPT) this.targets.shift();
  }

  /** A RoomMessageDeleted for `messageId` arrived; it may explain a held error. */
  deleted(messageId: number, atMs: number): void {
    if (this.held.length > 0 && this.takeTarget(messageId)) {
      this.held.shift();
      this.events.reactionRacedDelete(this.client, atMs);
      return;
    }
    this.deletions.push(messageId);
    if (this.deletions.length > DELETIONS_KEPT) this.deletions.shift();
  }

  /**
   * An Error frame arrived. Returns true when it is taken care of here: a NOT_FOUND explained by a target already
   * seen deleted (reported as a raced reaction), or one that may be a reaction's, held for its deletion. False: the
   * caller reports it as an error.
   */
  takeError(error: ErrorPayload, atMs: number): boolean {
    if (error.code !== ERROR_CODES.NOT_FOUND || this.targets.length === 0) return false;
    // A context naming another command (a join, a leave, a RemoveReaction) is that command's error.
    const context = error.context;
    if (context !== null && context !== undefined && !context.includes('AddReaction')) return false;
    for (let i = 0; i < this.deletions.length; i++) {
      if (this.takeTarget(this.deletions[i] as number)) {
        this.deletions.splice(i, 1);
        this.events.reactionRacedDelete(this.client, atMs);
        return true;
      }
    }
    this.held.push({ error, atMs, untilMs: atMs + RACE_HOLD_MS });
    this.holdTimer.watch(this);
    return true;
  }

  /** Reports every held error whose wait ran out by `nowMs`; the next deadline, or Infinity when none is held. */
  releaseHolds(nowMs: number): number {
    let first = this.held[0];
    while (first !== undefined && first.untilMs <= nowMs) {
      this.held.shift();
      this.events.serverError(this.client, first.error, first.atMs);
      first = this.held[0];
    }
    return first?.untilMs ?? Infinity;
  }

  /** Reports every held error now: the connection is gone, no deletion can arrive any more. */
  flush(): void {
    this.releaseHolds(Infinity);
    this.holdTimer.unwatch(this);
  }

  private takeTarget(messageId: number): boolean {
    const at = this.targets.indexOf(messageId);
    if (at < 0) return false;
    this.targets.splice(at, 1);
    return true;
  }
}
