/**
 * Parent-side handle of the client fleet child process (client-fleet.ts): forks it with tsx and --expose-gc, and
 * turns each FleetCommand into a promise of its reply.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetCommand, FleetReply, FleetSnapshot, LoadSummary } from './fleet-protocol.js';

type Success = Extract<FleetReply, { ok: true }>;

/** The running fleet child. */
export class FleetProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Success) => void; reject: (e: Error) => void }>();
  private exited: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: FleetReply) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(`client fleet: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`client fleet exited (${code ?? signal})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.exited);
      this.waiting.clear();
    });
  }

  /** Forks the fleet and waits for its ready message. */
  static async start(): Promise<FleetProcess> {
    const script = fileURLToPath(new URL('./client-fleet.ts', import.meta.url));
    const child = fork(script, [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: 'inherit' });
    const fleet = new FleetProcess(child);
    await new Promise<void>((resolve, reject) => {
      fleet.waiting.set(0, { resolve: () => resolve(), reject });
    });
    return fleet;
  }

  /** Sends a command and waits for its reply. */
  request(command: FleetCommand): Promise<Success> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...command, id });
    });
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

  /** Ends the child (closing the IPC channel makes it exit). */
  stop(): void {
    if (this.exited === null) this.child.disconnect();
  }
}
