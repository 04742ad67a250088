/** The garou-bench version, from the package.json above this module (source tree or dist/). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Version string of the package ("0.0.0" if no package.json is found). */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'garou-bench' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here; look further up
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
}
