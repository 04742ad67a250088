/**
 * TEST-ONLY entry point: `garou-server` with the faults named in GAROU_SERVER_FAULTS (faults.ts) composed in, for
 * tests that need a broken server as a child process. Same flags, listening line and exit codes as garou-server,
 * which itself reads no fault variable. Start it through FAULTY_SERVER_ENTRY (faulty-server-entry.ts).
 */
import { buildProgram, runCommandLine } from '../../../reference-server/cli-program.js';
import { faultComposition } from './fault-composition.js';
import { FaultListError, faultsFromEnv, type FaultName } from './faults.js';

let faults: ReadonlySet<FaultName>;
try {
  faults = faultsFromEnv();
} catch (error) {
  if (!(error instanceof FaultListError)) throw error;
  // A misspelt fault is a start-up error like a bad flag: one line, exit code 2.
  process.stderr.write(`faulty-server: ${error.message}\n`);
  process.exit(2);
}
await runCommandLine(process.argv, buildProgram(faultComposition(faults)));
