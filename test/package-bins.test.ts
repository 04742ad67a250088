import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_FLAG } from '../harness/runner/young-generation.js';

// `npx garou-bench` on a fresh clone runs the built bin file directly: it must exist after
// `npm install` (prepare builds it), start with a shebang and be executable, or the shell
// answers "Permission denied" before Node ever starts. The shebang also gives Node the young-generation
// cap (harness/runner/young-generation.ts), the only way a bin can pass V8 heap flags.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };

describe('package bins', () => {
  it.each(Object.entries(pkg.bin))(
    '%s (%s) is built, has a node shebang with the young-generation cap and is executable',
    (_name, file) => {
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
        `#!/usr/bin/env -S node ${YOUNG_GENERATION_FLAG}`,
      );
      expect(() => accessSync(file, constants.X_OK)).not.toThrow();
    },
  );

  it.runIf(process.platform === 'linux')(
    'garou-server started as the shell starts it runs Node with the cap',
    async () => {
      const child = spawn(
        pkg.bin['garou-server'] as string,
        ['serve', '--host', '127.0.0.1', '--port', '0'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code) => reject(new Error(`garou-server exited with ${code}`)));
          child.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('listening')) resolve();
          });
        });
        const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toContain(YOUNG_GENERATION_FLAG);
      } finally {
        child.kill('SIGKILL');
      }
    },
    30_000,
  );
});
