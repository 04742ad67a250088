/**
 * Entry point of a forked load worker: wires the IPC channel to a LoadWorker and exits once it has stopped
 * (or when the coordinator goes away).
 */
import { LoadWorker } from './load-worker.js';
import type { CoordinatorMessage, WorkerMessage } from './worker-protocol.js';

if (typeof process.send !== 'function') {
  process.stderr.write('garou-bench worker: must be started by the coordinator (no IPC channel)\n');
  process.exit(4);
}

function send(message: WorkerMessage): void {
  if (!process.connected) return;
  process.send?.(message, undefined, undefined, () => {
    if (message.type === 'stopped') process.exit(0);
  });
}

const worker = new LoadWorker({ send });
process.on('message', (message: CoordinatorMessage) => worker.handle(message));
// The coordinator died or closed the channel: nobody is left to report to.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  send({ type: 'fatal', message: error.stack ?? error.message });
  setTimeout(() => process.exit(4), 200);
});
