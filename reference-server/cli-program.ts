/**
 * The `garou-server` command line as a commander program: `serve` (default) with one flag per configuration
 * field plus --config, and `issue-token`. cli.ts runs it; tests build it without running a process.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Command, Option } from 'commander';
import { generateSelfSignedCert } from '../transport/index.js';
import { CONFIG_FIELDS, ConfigError, readConfigFile, resolveConfig, type ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { PrometheusObserver, startMetricsServer } from './metrics.js';
import { resolveTokenSecret } from './token-secret.js';
// The package version lives in one place (package.json); the harness's reader finds it from either binary.
import { toolVersion } from '../harness/runner/tool-version.js';
import { GarouServer } from './server.js';
import type { ServerComposition } from './server-composition.js';
import { ensureDataDir } from './upload-store.js';
import { issueJwt } from './token-verifier.js';

/** The line printed on stdout once the server listens (parsed by harnesses). */
export function listeningLine(host: string, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `garou-server listening on ${shown}:${port}`;
}

/** Commander's attribute name for a long flag ("num-shards" -> "numShards"). */
function attributeOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Builds the validated configuration from parsed `serve` options (and GAROU_TOKEN_SECRET from `env`). */
export function configFromOptions(
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const file = typeof options.config === 'string' ? readConfigFile(options.config) : {};
  const flags: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const field of CONFIG_FIELDS) flags[field.key] = options[attributeOf(field.flag)];
  return resolveTokenSecret(resolveConfig(file, flags), env);
}

async function serve(options: Record<string, unknown>, composition: ServerComposition): Promise<void> {
  const config = configFromOptions(options);
  const logger = createLogger(config.logLevel);
  const dataDir = ensureDataDir(config.dataDir);
  const tls =
    config.certPath !== null && config.keyPath !== null
      ? { cert: readFileSync(config.certPath), key: readFileSync(config.keyPath) }
      : await generateSelfSignedCert();
  const observer = new PrometheusObserver();
  const deps = { cert: tls.cert, key: tls.key, dataDir, logger, observer, composition };
  const server = await GarouServer.start(config, deps);
  const metrics =
    config.metricsPort === null
      ? null
      : await startMetricsServer(observer.registry, config.host, config.metricsPort);
  const { host, port } = server.address;
  const metricsPort = metrics ? (metrics.address() as AddressInfo).port : null;
  logger.info(
    { host, port, data_dir: dataDir, metrics_port: metricsPort, self_signed: config.certPath === null },
    'listening',
  );
  process.stdout.write(`${listeningLine(host, port)}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void server
      .shutdown('server shutting down')
      .then(() => new Promise<void>((resolve) => (metrics ? metrics.close(() => resolve()) : resolve())))
      .then(() => {
        // A temporary upload directory lives and dies with the process; a configured one is kept.
        if (config.dataDir === null) rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Every setting, listed under the top-level help too: a newcomer types `garou-server --help` and should not have
 * to guess that the flags live under `serve --help`.
 */
export function settingsHelp(): string {
  const rows = CONFIG_FIELDS.map((field) => [`--${field.flag} <value>`, field.fileKey, field.description]);
  const flagWidth = Math.max(...rows.map((row) => row[0]!.length));
  const keyWidth = Math.max(...rows.map((row) => row[1]!.length));
  const lines = rows.map(
    ([flag, key, description]) => `  ${flag!.padEnd(flagWidth)}  ${key!.padEnd(keyWidth)}  ${description}`,
  );
  return [
    '',
    'Settings of `serve` (flag, config-file key, meaning); flags override --config <file.yaml|json>:',
    ...lines,
    '',
    'The server binds 127.0.0.1 by default: pass --host 0.0.0.0 (or ::) to accept clients from other machines.',
  ].join('\n');
}

/**
 * The commander program (exported for tests). `composition` is handed to the server `serve` starts; the
 * `garou-server` command passes none.
 */
export function buildProgram(composition: ServerComposition = {}): Command {
  const program = new Command('garou-server')
    .description('Reference server of the garou QUIC chat protocol')
    .version(toolVersion(), '-V, --version', 'print the version');
  const serveCommand = program
    .command('serve', { isDefault: true })
    .description('run the server (default)')
    .option('--config <file>', 'JSON or YAML config file (flags override it)');
  for (const field of CONFIG_FIELDS) {
    serveCommand.addOption(new Option(`--${field.flag} <value>`, field.description));
  }
  serveCommand.action(async (options: Record<string, unknown>) => serve(options, composition));
  program.addHelpText('after', settingsHelp());
  program
    .command('issue-token <username>')
    .description('print an HS256 JWT for Auth method "token" (sub = username)')
    .requiredOption('--token-secret <secret>', 'the server secret (same as its --token-secret)')
    .option('--ttl <seconds>', 'validity in seconds', '3600')
    .option('--audience <aud>', 'aud claim (for a server started with --token-audience)')
    .option('--issuer <iss>', 'iss claim (for a server started with --token-issuer)')
    .action(
      async (
        username: string,
        options: { tokenSecret: string; ttl: string; audience?: string; issuer?: string },
      ) => {
        const ttl = Number(options.ttl);
        if (!Number.isSafeInteger(ttl) || ttl <= 0)
          throw new ConfigError('--ttl', `expected seconds > 0, got ${options.ttl}`);
        const token = await issueJwt(options.tokenSecret, username, {
          ttlSeconds: ttl,
          ...(options.audience === undefined ? {} : { audience: options.audience }),
          ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        });
        process.stdout.write(`${token}\n`);
      },
    );
  return program;
}

/** Runs the program on `argv`; a configuration or start-up problem prints one line (no stack trace) and exits 2. */
export async function runCommandLine(argv: readonly string[], program = buildProgram()): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`garou-server: ${message}\n`);
    process.exit(2);
  }
}
