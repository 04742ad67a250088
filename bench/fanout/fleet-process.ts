/**
 * Parent-side handle of a bench child process (the client fleet, client-fleet.ts, by default): forks it with tsx
 * and --expose-gc, and turns each command into a promise of its reply. The child answers every `{ id, ...command }`
 * with `{ id, ok: true, ... }` or `{ id, ok: false, error }`, and sends `{ id: 0, ok: true }` once ready.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetCommand, FleetReply, FleetSnapshot, LoadSummary } from './fleet-protocol.js';

/** The shape every child reply has. */
type AnyReply = { id: number; ok: true } | { id: number; ok: false; error: string };

/** A running bench child speaking commands `C` and replies `R`. */
export class BenchChild<C extends object, R extends AnyReply> {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: Extract<R, { ok: true }>) => void; reject: (e: Error) => void }
  >();
  private exited: Error | null = null;

  protected constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (reply: R) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply as Extract<R, { ok: true }>);
      else waiter.reject(new Error(`${name}: ${(reply as { error: string }).error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`${name} exited (${code ?? signal})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.exited);
      this.waiting.clear();
    });
  }

  /** Forks `script` (a .ts file URL) with `args` and waits for its ready message. */
  static async fork<C extends object, R extends AnyReply>(
    script: URL,
    name: string,
    args: string[] = [],
  ): Promise<BenchChild<C, R>> {
    const handle = new BenchChild<C, R>(BenchChild.spawn(script, args), name);
    await handle.ready();
    return handle;
  }

  /** Forks a .ts script under tsx, with --expose-gc. */
  protected static spawn(script: URL, args: string[] = []): ChildProcess {
    return fork(fileURLToPath(script), args, {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: 'inherit',
    });
  }

  /** The child's process id (for /proc). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Waits for the ready message (`id` 0). */
  protected ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(0, { resolve: () => resolve(), reject });
    });
  }

  /** Sends a command and waits for its reply. */
  request(command: C): Promise<Extract<R, { ok: true }>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...command, id });
    });
  }

  /** Ends the child (closing the IPC channel makes it exit). */
  stop(): void {
    if (this.exited === null) this.child.disconnect();
  }
}

/** The running fan-out fleet child. */
export class FleetProcess extends BenchChild<FleetCommand, FleetReply> {
  /** Forks the fleet and waits for its ready message. */
  static async start(): Promise<FleetProcess> {
    const fleet = new FleetProcess(
      BenchChild.spawn(new URL('./client-fleet.ts', import.meta.url)),
      'client fleet',
    );
    await fleet.ready();
    return fleet;
  }

  /** Counters and CPU time of the fleet now. */
  async snapshot(): Promise<FleetSnapshot> {
    const reply = await this.request({ op: 'snapshot' });
    if (reply.snapshot === undefined) throw new Error('client fleet: snapshot missing');
    return reply.snapshot;
  }

  /** Stops the load and returns its exactly-once check. */
  async stopLoad(): Promise<LoadSummary> {
    const reply = await this.request({ op: 'stop-load' });
    if (reply.summary === undefined) throw new Error('client fleet: summary missing');
    return reply.summary;
  }
}
