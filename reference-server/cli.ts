#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * `garou-server`: the reference server's command line.
 *
 *   garou-server [serve] [--config file.yaml] [--port 0] [--num-shards 8] ...   run the server
 *   garou-server issue-token <username> --token-secret S [--ttl 3600]           print a token for Auth "token"
 *
 * Every setting of config.ts is a flag (flags override the config file). On start the server prints exactly one
 * line on stdout, `garou-server listening on <host>:<port>`, which a harness parses to learn the port (use
 * --port 0 for any free port); logs go to stderr. SIGINT/SIGTERM shut it down gracefully (Goodbye to every client).
 */
import { isEntryPoint, respawnWithYoungGenerationFlag } from '../harness/runner/young-generation-respawn.js';
import { runCommandLine } from './cli-program.js';

// `node dist/reference-server/cli.js` skips the `#!` line's semi-space flag (see harness/runner/young-generation.ts
// for why the server needs it): the server then runs again in a child that has it, and the parent passes
// SIGTERM/SIGINT on, so a graceful shutdown still sends Goodbye.
const respawned = isEntryPoint(import.meta.url) ? respawnWithYoungGenerationFlag() : null;
if (respawned !== null) await respawned;
else await runCommandLine(process.argv);
