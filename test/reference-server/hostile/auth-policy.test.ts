/**
 * Auth-method policy and token-secret sources (issue 16, items 5 and "secret from a file or environment";
 * PROTOCOL.md 6.3/auth-methods): with a token secret, nobody may log in by username as a token user and take over
 * its session, unless the operator enables the username method explicitly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { configFromOptions } from '../../../reference-server/cli-program.js';
import { ConfigError } from '../../../reference-server/config.js';
import { issueJwt } from '../../../reference-server/token-verifier.js';
import { ERROR_CODES } from '../../../spec/index.js';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';

afterAll(removeTestDirs);

function hello(client: TestClient): TestClient {
  client.control('Hello', { version: 1, capabilities: ['chat'] });
  return client;
}

describe('auth methods', () => {
  it('with a token secret, the username method is refused and cannot take over a token user', async () => {
    const { service } = testService({ token_secret: 'sekrit', auth_methods: null });
    const victim = hello(new TestClient(service));
    const token = await issueJwt('sekrit', 'victim', { ttlSeconds: 60 });
    victim.control('Auth', { method: 'token', credentials: token });
    // Token verification is asynchronous (jose): the session answers once it is done.
    await vi.waitFor(() => expect(victim.session.state).toBe('ready'));
    const attacker = hello(new TestClient(service));
    attacker.control('Auth', { method: 'username', credentials: 'victim' });
    expect(attacker.session.state).toBe('await-auth');
    const [failed] = attacker.controlOf('AuthFailed');
    expect(failed?.payload.code).toBe(ERROR_CODES.AUTH_FAILED);
    expect(failed?.payload.message).toMatch(/"username" is not accepted.*token/);
    // The victim keeps its session.
    expect(victim.session.state).toBe('ready');
    expect(victim.controlOf('Goodbye')).toEqual([]);
  });

  it('auth_methods enables the username method explicitly; without a secret it is on by default', () => {
    const both = testService({ token_secret: 'sekrit', auth_methods: 'username,token' }).service;
    expect(new TestClient(both).login('alice').session.state).toBe('ready');
    const open = testService({ token_secret: null, auth_methods: null }).service;
    expect(new TestClient(open).login('bob').session.state).toBe('ready');
  });

  it('an unknown or empty auth_methods list is a configuration error', () => {
    expect(() => testService({ auth_methods: 'username,password' })).toThrow(ConfigError);
    expect(() => testService({ auth_methods: ' , ' })).toThrow(/auth_methods/);
  });
});

describe('token secret sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'garou-secret-'));

  it('reads the secret from --token-secret-file (first line) or GAROU_TOKEN_SECRET', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-file\n');
    expect(configFromOptions({ tokenSecretFile: file }, {}).tokenSecret).toBe('from-file');
    expect(configFromOptions({}, { GAROU_TOKEN_SECRET: 'from-env' }).tokenSecret).toBe('from-env');
    expect(configFromOptions({ tokenSecret: 'flag' }, { GAROU_TOKEN_SECRET: 'from-env' }).tokenSecret).toBe(
      'flag',
    );
  });

  it('refuses two explicit secrets, an empty file and a missing file with a clear error', () => {
    const file = join(dir, 'empty');
    writeFileSync(file, '\n');
    expect(() => configFromOptions({ tokenSecret: 'a', tokenSecretFile: file }, {})).toThrow(/token_secret/);
    expect(() => configFromOptions({ tokenSecretFile: file }, {})).toThrow(/empty/);
    expect(() => configFromOptions({ tokenSecretFile: join(dir, 'nope') }, {})).toThrow(/cannot read/);
  });
});
