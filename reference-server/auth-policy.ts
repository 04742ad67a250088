/**
 * Which Auth methods the server accepts (PROTOCOL.md 6.3/auth-methods, our decision).
 *
 * With a token secret the operator vouches for identities through tokens, so the username method (anyone may claim
 * any name) is off unless auth_methods enables it explicitly; otherwise a username login could claim a token user's
 * name and take over its session (6.3/takeover). Without a secret both methods are on, as in the original.
 */
import { ERROR_CODES } from '../spec/index.js';
import type { CommandFailure } from './protocol-errors.js';

/** Auth methods the server implements. */
export const AUTH_METHODS = ['username', 'token'] as const;

/** The auth_methods setting parsed into method names; a string naming the problem when it is invalid. */
export function parseAuthMethods(raw: string): string[] | string {
  const methods = raw
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (methods.length === 0) return `must name at least one of ${AUTH_METHODS.join(', ')}`;
  const unknown = methods.find((m) => !(AUTH_METHODS as readonly string[]).includes(m));
  if (unknown !== undefined)
    return `unknown method ${JSON.stringify(unknown)} (known: ${AUTH_METHODS.join(', ')})`;
  return methods;
}

/** The accepted methods for a configuration: auth_methods if set, else "token" with a secret, else both. */
export function acceptedAuthMethods(config: {
  readonly authMethods: string | null;
  readonly tokenSecret: string | null;
}): ReadonlySet<string> {
  if (config.authMethods !== null) {
    const parsed = parseAuthMethods(config.authMethods);
    // resolveConfig already refused an invalid list.
    if (typeof parsed === 'string') throw new Error(`auth_methods: ${parsed}`);
    return new Set(parsed);
  }
  return new Set(config.tokenSecret === null ? AUTH_METHODS : ['token']);
}

/** AUTH_FAILED for a method the server does not accept; null when it is accepted. */
export function refuseAuthMethod(accepted: ReadonlySet<string>, method: string): CommandFailure | null {
  if (accepted.has(method)) return null;
  // Echo at most 64 characters of what the client sent: the reply must stay small (PROTOCOL.md 17/echo-bound).
  const shown = method.length > 64 ? `${method.slice(0, 64)}...` : method;
  const known = (AUTH_METHODS as readonly string[]).includes(method);
  return {
    code: ERROR_CODES.AUTH_FAILED,
    message: !known
      ? `unknown auth method ${JSON.stringify(shown)}`
      : `auth method ${JSON.stringify(shown)} is not accepted by this server (accepted: ${[...accepted].join(', ')})`,
    context: 'Auth.method',
  };
}
