/**
 * Bound on client text echoed in replies (PROTOCOL.md 17/echo-bound, our decision).
 *
 * Error and AuthFailed messages may quote what the client sent (a method, a command name, a nonce). A quote of a
 * 16 MiB field would make the reply itself exceed the 16 MiB frame limit, so every such text is cut to
 * MAX_ECHO_CHARS characters, marked with "...", before it is sent.
 */

/** Longest message or context text the server sends in Error and AuthFailed, in characters. */
export const MAX_ECHO_CHARS = 1024;

/** `text`, cut to MAX_ECHO_CHARS characters (ending in "...") when longer. */
export function boundEcho(text: string): string;
export function boundEcho(text: string | null): string | null;
export function boundEcho(text: string | null): string | null {
  if (text === null || text.length <= MAX_ECHO_CHARS) return text;
  return `${text.slice(0, MAX_ECHO_CHARS - 3)}...`;
}
