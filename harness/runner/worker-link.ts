/**
 * The channel between the coordinator and one worker: a forked child process (real CPU parallelism) or the
 * same process (one worker: no IPC, no second Node start-up).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { withMallocHugePages } from './malloc-huge-pages.js';
import { withYoungGenerationFlag } from './young-generation.js';
import { fileURLToPath } from 'node:url';
import type { CoordinatorMessage, WorkerMessage } from './worker-protocol.js';

/** The coordinator's end of a worker channel. */
export interface WorkerLink {
  send(message: CoordinatorMessage): void;
  /** Called for every message of the worker. */
  onMessage: (message: WorkerMessage) => void;
  /** Called if the worker process ends (code null for a signal) before `stop` completed. */
  onExit: (code: number | null, signal: string | null) => void;
  /** Ends the worker (after `stop`, or forcibly). Resolves once it has ended. */
  terminate(graceMs: number): Promise<void>;
}

/** The worker's end of a channel (what the worker runtime talks to). */
export interface CoordinatorPort {
  send(message: WorkerMessage): void;
}

/** A worker runtime that accepts coordinator messages. */
export interface WorkerEndpoint {
  handle(message: CoordinatorMessage): void;
}

/** A worker living in this process; `create` builds the runtime with its port. */
export function inProcessLink(create: (port: CoordinatorPort) => WorkerEndpoint): WorkerLink {
  let closed = false;
  const link: WorkerLink = {
    onMessage: () => undefined,
    onExit: () => undefined,
    send(message) {
      // Asynchronous like IPC, so neither side re-enters the other.
      setImmediate(() => {
        if (!closed) worker.handle(message);
      });
    },
    terminate() {
      closed = true;
      return Promise.resolve();
    },
  };
  const worker = create({
    send(message) {
      setImmediate(() => {
        if (!closed) link.onMessage(message);
      });
    },
  });
  return link;
}

/** Path of the worker entry point beside this module (.ts under tsx, .js when built). */
function workerEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const isTs = self.endsWith('.ts');
  const path = self.replace(/worker-link\.(ts|js)$/, `worker-main.${isTs ? 'ts' : 'js'}`);
  // A TypeScript entry needs the tsx loader; test runners' own flags must not leak into the child.
  return { path, execArgv: isTs ? ['--import', 'tsx'] : process.execArgv };
}

/** A worker in a forked Node process talking over IPC. */
export function childProcessLink(): WorkerLink {
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: withYoungGenerationFlag(entry.execArgv),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: withMallocHugePages(),
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      link.onExit(code, signal);
      resolve();
    });
  });
  const link: WorkerLink = {
    onMessage: () => undefined,
    onExit: () => undefined,
    send(message) {
      if (!exited && child.connected) child.send(message);
    },
    async terminate(graceMs) {
      if (exited) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      if (!child.connected) child.kill('SIGTERM');
      await exitPromise;
      clearTimeout(timer);
    },
  };
  child.on('message', (message: WorkerMessage) => link.onMessage(message));
  child.on('error', () => undefined);
  return link;
}
