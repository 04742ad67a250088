/** What the kernel says about the harness's own client sockets (drops at a full receive buffer), and its own send drops. */

/** The kernel's account of a fleet's sockets (plain data, part of a WorkerResult). */
export interface ClientSocketReport {
  sockets: number;
  /** SO_RCVBUF asked for per socket, and the kernel's cap (net.core.rmem_max; null when unknown). */
  receiveBufferBytes: number;
  rmemMax: number | null;
  /** Sockets whose counters could be read (0 where /proc/net/udp is missing). */
  socketsRead: number;
  /** Datagrams the kernel dropped at these sockets (full receive buffer); null when unreadable. */
  drops: number | null;
  /**
   * Datagrams the harness could not send from these sockets (its send queue full while the kernel took nothing);
   * null when the sockets do not count them (node:dgram). Optional: results from before this field.
   */
  sendDrops?: number | null;
}

/** Adds up the socket reports of several workers; drops stay null when no worker could read them. */
export function mergeClientSocketReports(reports: readonly ClientSocketReport[]): ClientSocketReport | null {
  const first = reports[0];
  if (first === undefined) return null;
  return {
    sockets: reports.reduce((sum, r) => sum + r.sockets, 0),
    receiveBufferBytes: first.receiveBufferBytes,
    rmemMax: first.rmemMax,
    socketsRead: reports.reduce((sum, r) => sum + r.socketsRead, 0),
    drops: sumKnown(reports.map((r) => r.drops)),
    sendDrops: sumKnown(reports.map((r) => r.sendDrops ?? null)),
  };
}

/** The sum of the known counts; null when none is known. */
export function sumKnown(counts: readonly (number | null)[]): number | null {
  const known = counts.filter((count): count is number => count !== null);
  return known.length === 0 ? null : known.reduce((sum, count) => sum + count, 0);
}
