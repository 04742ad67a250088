import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmbeddedServer } from '../../../harness/runner/embedded-server.js';
import { DEFAULT_HOT_ROOMS } from '../../../harness/scenario/index.js';
import { MALLOC_HUGE_PAGES_TUNABLE, withMallocHugePages } from '../../../harness/runner/malloc-huge-pages.js';

describe('withMallocHugePages', () => {
  it('adds the tunable when GLIBC_TUNABLES is absent or empty, keeping the rest of the environment', () => {
    expect(withMallocHugePages({ PATH: '/bin' })).toEqual({
      PATH: '/bin',
      GLIBC_TUNABLES: MALLOC_HUGE_PAGES_TUNABLE,
    });
    expect(withMallocHugePages({ GLIBC_TUNABLES: '' }).GLIBC_TUNABLES).toBe(MALLOC_HUGE_PAGES_TUNABLE);
  });

  it("appends it to the user's other tunables", () => {
    expect(withMallocHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${MALLOC_HUGE_PAGES_TUNABLE}`,
    );
  });

  it("keeps the user's own huge-page choice", () => {
    const env = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' };
    expect(withMallocHugePages(env).GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=0');
  });

  it('does not change the environment it is given', () => {
    const env = { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' };
    withMallocHugePages(env);
    expect(env.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2');
  });
});

describe('the embedded server', () => {
  it.runIf(process.platform === 'linux')(
    'starts with the huge-page tunable in its environment',
    async () => {
      const server = await EmbeddedServer.start({ numShards: 8, hotRooms: DEFAULT_HOT_ROOMS });
      try {
        const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
        expect(environ.find((v) => v.startsWith('GLIBC_TUNABLES='))).toContain(MALLOC_HUGE_PAGES_TUNABLE);
      } finally {
        await server.stop();
      }
    },
    30_000,
  );
});
