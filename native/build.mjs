// The `install` script: builds the batched UDP addon (native/udp_io.c) with node-gyp. A missing toolchain
// (python3, make, a C compiler, Node's headers) or a non-Linux system must not fail the install: the transport
// then uses node:dgram, and this prints one line saying so. GAROU_UDP_IO=dgram skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fallback = (why) => {
  console.log(`garou-bench: native UDP batching not built (${why}); the transport uses node:dgram`);
  process.exit(0);
};
if (process.env.GAROU_UDP_IO === 'dgram') fallback('GAROU_UDP_IO=dgram');
if (process.platform !== 'linux') fallback(`sendmmsg/recvmmsg are Linux-only, this is ${process.platform}`);
// npm tells its scripts where its bundled node-gyp is; outside npm, look beside node.
const gyp =
  process.env.npm_config_node_gyp ??
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
if (!existsSync(gyp)) fallback(`node-gyp not found at ${gyp}`);
// Node's own headers when they are installed beside it (no download: CI reaches only the npm registry).
const prefix = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ??
  (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined);
const args = [gyp, 'rebuild', ...(nodedir === undefined ? [] : [`--nodedir=${nodedir}`])];
const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
if (result.status !== 0) {
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  // Run by hand (not as npm's install step): show node-gyp's whole log.
  if (process.env.npm_lifecycle_event !== 'install') console.error(log);
  const output = log.split('\n');
  // node-gyp's own summary ("gyp ERR! stack Error: not found: make"), else the first line that says error.
  const reason =
    output.find((line) => line.includes('ERR! stack Error')) ??
    output.find((line) => /error/i.test(line)) ??
    output.at(-1) ??
    String(result.error);
  fallback(
    `node-gyp rebuild failed: ${reason.replace(/^gyp ERR! stack /, '').trim()}; node native/build.mjs shows its log`,
  );
}
