/**
 * Where the token secret comes from (PROTOCOL.md 17/token-secret, our decision): token_secret (flag or config file),
 * else token_secret_file (its first line), else the GAROU_TOKEN_SECRET environment variable, else none (a random
 * secret per process). A file or the environment keeps the secret out of `ps` and of the shell history.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type ServerConfig } from './config.js';

/** Environment variable holding the token secret. */
export const TOKEN_SECRET_ENV = 'GAROU_TOKEN_SECRET';

/** Returns `config` with tokenSecret taken from its file or the environment when not given directly. */
export function resolveTokenSecret(config: ServerConfig, env: NodeJS.ProcessEnv): ServerConfig {
  if (config.tokenSecretFile !== null) {
    if (config.tokenSecret !== null)
      throw new ConfigError('token_secret', 'give either token_secret or token_secret_file, not both');
    return { ...config, tokenSecret: readSecretFile(config.tokenSecretFile) };
  }
  if (config.tokenSecret !== null) return config;
  const fromEnv = env[TOKEN_SECRET_ENV];
  return fromEnv === undefined || fromEnv === '' ? config : { ...config, tokenSecret: fromEnv };
}

function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('token_secret_file', `cannot read ${path}: ${(err as Error).message}`);
  }
  const secret = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (secret === '') throw new ConfigError('token_secret_file', `${path}: the first line is empty`);
  return secret;
}
