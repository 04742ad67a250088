/**
 * AuthQueue: Auth frames answered in the order they came; while a token is verified asynchronously later frames
 * wait; an answer that arrives after the session stopped waiting is dropped; a refused or closed turn stops the round.
 */
import { describe, expect, it } from 'vitest';
import type { Auth, UserInfo } from '../../spec/index.js';
import { AuthQueue, type AuthQueueSession } from '../../reference-server/auth-queue.js';
import type { CommandResult } from '../../reference-server/protocol-errors.js';

type Outcome = CommandResult<UserInfo> | Promise<CommandResult<UserInfo>> | null;

const auth = (token: string): Auth => ({ method: 'token', credentials: token });
const ok = (username: string): CommandResult<UserInfo> => ({
  ok: true,
  value: { user_id: 1n, username } as never,
});

/** A session whose verifications are scripted by token; records what was verified and answered. */
class ScriptedSession implements AuthQueueSession {
  awaitingAuth = true;
  readonly verified: string[] = [];
  readonly answered: string[] = [];
  constructor(private readonly script: Record<string, () => Outcome>) {}
  verifyAuth(request: Auth): Outcome {
    const token = request.credentials;
    this.verified.push(token);
    return (this.script[token] as () => Outcome)();
  }
  answerAuth(result: CommandResult<UserInfo>): void {
    this.answered.push(result.ok ? result.value.username : 'failed');
  }
}

/** A promise with its resolve function. */
function deferred(): {
  promise: Promise<CommandResult<UserInfo>>;
  resolve: (r: CommandResult<UserInfo>) => void;
} {
  let resolve!: (r: CommandResult<UserInfo>) => void;
  const promise = new Promise<CommandResult<UserInfo>>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A queue whose first Auth ('slow') is verified asynchronously, with `tokens` pushed behind it. */
function behindSlowAuth(
  script: Record<string, () => Outcome>,
  ...tokens: string[]
): { slow: ReturnType<typeof deferred>; session: ScriptedSession } {
  const slow = deferred();
  const session = new ScriptedSession({ slow: () => slow.promise, ...script });
  const queue = new AuthQueue(session);
  for (const token of ['slow', ...tokens]) queue.push(auth(token));
  return { slow, session };
}

describe('AuthQueue', () => {
  it('answers synchronous verifications at once, in order', () => {
    const session = new ScriptedSession({ a: () => ok('a'), b: () => ok('b') });
    const queue = new AuthQueue(session);
    queue.push(auth('a'));
    expect(session.answered).toEqual(['a']);
    queue.push(auth('b'));
    expect(session.answered).toEqual(['a', 'b']);
  });

  it('holds later Auth frames while one is verified asynchronously, then answers them in request order', async () => {
    const { slow, session } = behindSlowAuth({ fast: () => ok('fast') }, 'fast');
    expect(session.verified).toEqual(['slow']);
    expect(session.answered).toEqual([]);
    slow.resolve({ ok: false, failure: { code: 1003, message: 'bad token', context: null } } as never);
    await settle();
    expect(session.verified).toEqual(['slow', 'fast']);
    expect(session.answered).toEqual(['failed', 'fast']);
  });

  it('drops an answer that arrives after the session stopped waiting, and verifies nothing after it', async () => {
    const { slow, session } = behindSlowAuth({ next: () => ok('next') }, 'next');
    session.awaitingAuth = false;
    slow.resolve(ok('slow'));
    await settle();
    expect(session.answered).toEqual([]);
    expect(session.verified).toEqual(['slow']);
  });

  it('stops the round at a turn the session refuses', async () => {
    const { slow, session } = behindSlowAuth(
      { refused: () => null, last: () => ok('last') },
      'refused',
      'last',
    );
    slow.resolve(ok('slow'));
    await settle();
    expect(session.verified).toEqual(['slow', 'refused']);
    expect(session.answered).toEqual(['slow']);
  });
});
