/**
 * The typed failure the server's command handlers return instead of throwing.
 *
 * Handlers never throw for bad client input: they return a `CommandFailure`, which the session turns into an
 * Error frame on the control stream (PROTOCOL.md 14). Codes come from spec/error-codes.ts.
 */
import type { ErrorCode } from '../spec/index.js';

/** A refused command: the code, a human-readable message, and the context (frame type and field) it concerns. */
export interface CommandFailure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly context: string | null;
}

/** Result of a command: a value or a failure. */
export type CommandResult<T> = { ok: true; value: T } | { ok: false; failure: CommandFailure };

/** Builds a failed CommandResult. */
export function fail(
  code: ErrorCode,
  message: string,
  context: string | null = null,
): { ok: false; failure: CommandFailure } {
  return { ok: false, failure: { code, message, context } };
}

/** Builds a successful CommandResult. */
export function succeed<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
