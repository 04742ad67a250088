/**
 * Test hook for young-generation-respawn.test.ts (never shipped): a script that respawns as the CLI does, and whose
 * process that runs prints its node flags, arguments, respawn mark and pid; `wait` keeps it running until signalled,
 * a number is its exit code.
 */
import {
  RESPAWNED_ENV,
  respawnWithYoungGenerationFlag,
} from '../../../harness/runner/young-generation-respawn.js';

const respawned = respawnWithYoungGenerationFlag();
if (respawned !== null) {
  await respawned;
} else {
  const args = process.argv.slice(2);
  console.log(
    JSON.stringify({
      execArgv: process.execArgv,
      args,
      child: process.env[RESPAWNED_ENV] ?? null,
      pid: process.pid,
    }),
  );
  if (args[0] === 'wait') setTimeout(() => {}, 30_000);
  else process.exitCode = Number(args[0] ?? 0);
}
