/**
 * How to start faulty-server.ts as a child process, in the form EmbeddedServer and
 * `runScenario({ embeddedServer })` take: the TypeScript source under tsx (the test tree is never built).
 */
import { fileURLToPath } from 'node:url';
import type { ServerEntry } from '../../../harness/runner/embedded-server.js';

/** The faulty server's program; it takes its faults from GAROU_SERVER_FAULTS in the environment it inherits. */
export const FAULTY_SERVER_ENTRY: ServerEntry = {
  path: fileURLToPath(new URL('./faulty-server.ts', import.meta.url)),
  execArgv: ['--import', 'tsx'],
};
