/**
 * The embedded target: the reference server started as a child process on an ephemeral port with its own
 * self-signed certificate and the scenario's server options. It prints `garou-server listening on
 * <host>:<port>` when ready; we stop it with SIGTERM, then SIGKILL after a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { withMallocHugePages } from './malloc-huge-pages.js';
import { withYoungGenerationFlag } from './young-generation.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../exit-codes.js';
import type { ServerOptions } from '../scenario/types.js';
import { RunError } from './run-error.js';

const LISTENING = /garou-server listening on (\[[^\]]+\]|[^\s:]+):(\d+)/;
const STDERR_KEPT = 4096;

/** A Node program that takes the flags of `garou-server serve` and prints its listening line, and Node's flags. */
export interface ServerEntry {
  readonly path: string;
  readonly execArgv: readonly string[];
}

/** Where the reference server's command line lives (.ts under tsx, built .js otherwise). */
export function referenceServerEntry(): ServerEntry {
  const self = fileURLToPath(import.meta.url);
  const isTs = self.endsWith('.ts');
  const path = fileURLToPath(new URL(`../../reference-server/cli.${isTs ? 'ts' : 'js'}`, import.meta.url));
  return { path, execArgv: isTs ? ['--import', 'tsx'] : [] };
}

/** Command-line flags of `garou-server serve` for a scenario's server options. */
export function serverFlags(options: ServerOptions): string[] {
  const hot = options.hotRooms;
  return [
    '--num-shards',
    String(options.numShards),
    '--promote-rate',
    String(hot.promoteRate),
    '--demote-rate',
    String(hot.demoteRate),
    '--cool-down-ms',
    String(Math.round(hot.coolDownMs)),
    '--rate-window-ms',
    String(Math.round(hot.rateWindowMs)),
    '--max-hot-rooms',
    String(hot.maxHotRooms),
  ];
}

/** A running embedded reference server. */
export class EmbeddedServer {
  private stderrTail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
  ) {
    this.exitPromise = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
    });
    child.once('exit', () => {
      this.exited = true;
    });
  }

  /** The server's process id (for /proc readings by benchmarks), or undefined once gone. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the server (default: this package's garou-server) and waits for its listening line (`timeoutMs`). */
  static async start(
    options: ServerOptions,
    settings: { timeoutMs?: number; extraFlags?: string[]; entry?: ServerEntry } = {},
  ): Promise<EmbeddedServer> {
    const entry = settings.entry ?? referenceServerEntry();
    if (!existsSync(entry.path)) {
      throw new RunError(
        ExitCode.InternalError,
        `reference server not found at ${entry.path} (run npm run build)`,
      );
    }
    const args = [
      ...withYoungGenerationFlag(entry.execArgv),
      entry.path,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'warn',
      ...serverFlags(options),
      ...(settings.extraFlags ?? []),
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: withMallocHugePages(),
    });
    // Never leave the server behind, whatever happens to us.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT);
    });
    const address = await new Promise<{ host: string; port: number }>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new RunError(
            ExitCode.InternalError,
            `embedded server did not start within ${settings.timeoutMs ?? 30000} ms${tail(stderr)}`,
          ),
        );
      }, settings.timeoutMs ?? 30_000);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (text: string) => {
        stdout += text;
        const match = LISTENING.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve({ host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new RunError(
            ExitCode.InternalError,
            `embedded server exited before listening (${signal ?? `code ${code}`})${tail(stderr)}`,
          ),
        );
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new RunError(ExitCode.InternalError, `cannot start the embedded server: ${error.message}`));
      });
    });
    const server = new EmbeddedServer(child, address.host, address.port);
    child.stdout?.resume();
    child.stderr?.removeAllListeners('data');
    child.stderr?.on('data', (text: string) => {
      server.stderrTail = (server.stderrTail + text).slice(-STDERR_KEPT);
    });
    return server;
  }

  /** Whether the server process has ended. */
  get hasExited(): boolean {
    return this.exited;
  }

  /** What the server wrote on stderr lately (warnings, errors). */
  get recentStderr(): string {
    return this.stderrTail;
  }

  /** SIGTERM (graceful: Goodbye to clients), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}

function tail(stderr: string): string {
  const text = stderr.trim();
  return text ? `:\n${text.split('\n').slice(-10).join('\n')}` : '';
}
