/**
 * The environment our child processes (embedded server, load workers) start with: glibc's malloc backs its heap
 * with transparent huge pages (tunable glibc.malloc.hugetlb=1, glibc >= 2.35; ignored elsewhere). Each QUIC
 * connection allocates ~35 KB of quiche and BoringSSL state; on 4 KiB pages every new connection page-faults
 * on it, which measured ~20-30% of the CPU of a loopback handshake (both sides) on a 2-core VM. A setting of
 * the user's own (any glibc.malloc.hugetlb in GLIBC_TUNABLES) is kept.
 */

/** The glibc tunable that asks for transparent huge pages on malloc's heap (madvise). */
export const MALLOC_HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/** `env` with GLIBC_TUNABLES asking for huge pages, unless it already says something about them. */
export function withMallocHugePages(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const current = env.GLIBC_TUNABLES;
  if (current !== undefined && current.includes('glibc.malloc.hugetlb=')) return env;
  const tunables =
    current === undefined || current === ''
      ? MALLOC_HUGE_PAGES_TUNABLE
      : `${current}:${MALLOC_HUGE_PAGES_TUNABLE}`;
  return { ...env, GLIBC_TUNABLES: tunables };
}
