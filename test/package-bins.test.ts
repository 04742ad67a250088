import { accessSync, constants, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `npx garou-bench` on a fresh clone runs the built bin file directly: it must exist after
// `npm install` (prepare builds it), start with a shebang and be executable, or the shell
// answers "Permission denied" before Node ever starts.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };

describe('package bins', () => {
  it.each(Object.entries(pkg.bin))(
    '%s (%s) is built, has a node shebang and is executable',
    (_name, file) => {
      expect(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
      expect(() => accessSync(file, constants.X_OK)).not.toThrow();
    },
  );
});
