// Adds lock-file entries for @matrixai/quic's platform packages that were never published
// (darwin-*, win32-x64). npm 11.16+ omits unresolvable optional dependencies from the lock
// file and then `npm ci` rejects that same lock file as out of sync (npm/cli#9846). An entry
// restricted to its os/cpu is skipped on every other platform, so nothing is fetched.
// Run after any `npm install` that rewrites package-lock.json: `node .ci/lock-placeholders.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const quic = lock.packages['node_modules/@matrixai/quic'];
const platforms = {
  'darwin-arm64': [['darwin'], ['arm64']],
  'darwin-universal': [['darwin'], ['x64', 'arm64']],
  'darwin-x64': [['darwin'], ['x64']],
  'win32-x64': [['win32'], ['x64']],
};
let added = 0;
for (const [suffix, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@matrixai/quic-${suffix}`;
  if (lock.packages[key] !== undefined) continue;
  lock.packages[key] = { version: quic.version, optional: true, os, cpu };
  added += 1;
}
if (process.argv.includes('--check')) {
  if (added > 0) {
    console.error(
      'package-lock.json lacks the @matrixai/quic platform placeholders: run node .ci/lock-placeholders.mjs',
    );
    process.exit(1);
  }
} else if (added > 0) {
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added ${added} placeholder(s) to package-lock.json`);
}
