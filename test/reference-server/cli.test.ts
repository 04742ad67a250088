/**
 * The garou-server command line as a child process: the parseable listening line, graceful shutdown on SIGTERM,
 * clear errors for bad flags, and token issuing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram, configFromOptions, listeningLine } from '../../reference-server/cli-program.js';
import { TokenVerifier } from '../../reference-server/token-verifier.js';
import { QuicEndpoint } from '../../transport/index.js';
import { QuicTestClient } from './quic-test-client.js';

const CLI = fileURLToPath(new URL('../../reference-server/cli.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: 'pipe' });
  children.push(child);
  return child;
}

async function output(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('garou-server CLI', () => {
  it('prints one parseable listening line, serves, and shuts down gracefully on SIGTERM', async () => {
    const child = run(['--port', '0', '--log-level', 'warn']);
    const done = output(child);
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const newline = buffer.indexOf('\n');
        if (newline >= 0) resolve(buffer.slice(0, newline));
      });
      child.once('exit', () => reject(new Error('server exited before listening')));
    });
    const match = /^garou-server listening on (127\.0\.0\.1):(\d+)$/.exec(line);
    expect(match).not.toBeNull();
    const endpoint = await QuicEndpoint.bind({ host: '127.0.0.1' });
    try {
      const client = await QuicTestClient.connect(endpoint, match![1]!, Number(match![2]));
      await client.login('cli-user');
      child.kill('SIGTERM');
      const { code, out } = await done;
      expect(code).toBe(0);
      expect(out.trim().split('\n')).toHaveLength(1);
      expect(client.controlOf('Goodbye').map((f) => f.payload.reason)).toEqual(['server shutting down']);
    } finally {
      await endpoint.close({ timeoutMs: 200 });
    }
  });

  it('refuses a bad flag with exit code 2 and a message naming it', async () => {
    const { code, err } = await output(run(['--num-shards', '300']));
    expect(code).toBe(2);
    expect(err).toMatch(/--num-shards: must be <= 255, got 300/);
  });
});

describe('CLI program (in process)', () => {
  it('maps every flag to its config field, flags over file', () => {
    const program = buildProgram();
    program.exitOverride();
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    serve.action(() => {}); // parse only
    program.parse([
      'node',
      'cli',
      '--port',
      '0',
      '--rate-limit',
      '5',
      '--cert',
      '/c.pem',
      '--key',
      '/k.pem',
      '--max-rooms',
      '3',
    ]);
    const config = configFromOptions(serve.opts());
    expect(config).toMatchObject({
      port: 0,
      rateLimitPerSec: 5,
      certPath: '/c.pem',
      keyPath: '/k.pem',
      maxRooms: 3,
    });
  });

  it('issues tokens the server accepts', async () => {
    let printed = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      printed += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      await buildProgram().parseAsync([
        'node',
        'cli',
        'issue-token',
        'zoe',
        '--token-secret',
        'sekrit',
        '--ttl',
        '60',
      ]);
    } finally {
      process.stdout.write = write;
    }
    const verifier = new TokenVerifier({
      secret: 'sekrit',
      publicKeyPem: null,
      jwks: null,
      audience: null,
      issuer: null,
    });
    expect(await verifier.verify(printed.trim(), Math.floor(Date.now() / 1000))).toMatchObject({
      ok: true,
      username: 'zoe',
    });
  });

  it('formats IPv6 hosts in brackets', () => {
    expect(listeningLine('::1', 4433)).toBe('garou-server listening on [::1]:4433');
  });
});
