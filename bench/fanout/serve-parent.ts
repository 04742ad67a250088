/**
 * The child side of a BenchChild (fleet-process.ts): answers each `{ id, ...command }` from the parent with
 * `{ id, ok: true, ...result }` or `{ id, ok: false, error }`, exits when the parent goes away, and says it is
 * ready with `{ id: 0, ok: true }`.
 */

/** Serves the parent's commands with `handle`; `script` names this file in the error when it was not forked. */
export function serveParent<C extends object>(
  script: string,
  handle: (command: C) => Promise<object> | object,
  onDisconnect: () => Promise<void> | void = () => {},
): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.error(`${script} is forked by a bench's main.ts; it needs an IPC channel`);
    process.exit(2);
  }
  process.on('message', (message: C & { id: number }) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (result) => send({ id: message.id, ok: true, ...result }),
        (error: unknown) =>
          send({ id: message.id, ok: false, error: (error as Error).message ?? String(error) }),
      );
  });
  process.on('disconnect', () => {
    void Promise.resolve()
      .then(onDisconnect)
      .finally(() => process.exit(0));
  });
  send({ id: 0, ok: true, info: 'ready' });
}
