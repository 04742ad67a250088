/**
 * TEST-ONLY entry point: `garou-server` with the faults named in GAROU_SERVER_FAULTS (faults.ts) composed in, for
 * tests that need a broken server as a child process. Same flags, listening line and exit codes as garou-server,
 * which itself reads no fault variable. Start it through FAULTY_SERVER_ENTRY (faulty-server-entry.ts).
 */
import { buildProgram, runCommandLine } from '../../../reference-server/cli-program.js';
import { faultComposition } from './fault-composition.js';
import { faultsFromEnv } from './faults.js';

await runCommandLine(process.argv, buildProgram(faultComposition(faultsFromEnv())));
