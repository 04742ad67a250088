/**
 * Datagrams the kernel dropped at UDP sockets because their receive buffer was full, read from Linux's
 * counters: the per-socket `drops` column of /proc/net/udp and /proc/net/udp6 (for the harness's own sockets,
 * found by local port), and the machine-wide `RcvbufErrors` of /proc/net/snmp and /proc/net/snmp6 as a
 * fallback. A load generator that drops packets at its own sockets measures itself, not the server: a run
 * must say so.
 */
import { readFileSync } from 'node:fs';

/** One socket row of /proc/net/udp or /proc/net/udp6. */
export interface UdpSocketRow {
  localPort: number;
  inode: number;
  /** Bytes waiting in the receive queue. */
  rxQueueBytes: number;
  /** Datagrams dropped at this socket since it was created. */
  drops: number;
}

/** Parses the text of /proc/net/udp or /proc/net/udp6 (header line, then one row per socket). */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  // The header names "tx_queue rx_queue" and "tr tm->when" as four columns that are two in the rows.
  const dropsFromEnd = header.length - 1 - header.indexOf('drops');
  if (!header.includes('drops')) return [];
  const rows: UdpSocketRow[] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const local = fields[1] ?? '';
    const queues = (fields[4] ?? '').split(':');
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const drops = Number(fields[fields.length - 1 - dropsFromEnd]);
    const inode = Number(fields[9]);
    if (!Number.isFinite(port) || !Number.isFinite(drops)) continue;
    rows.push({
      localPort: port,
      inode: Number.isFinite(inode) ? inode : 0,
      rxQueueBytes: Number.parseInt(queues[1] ?? '0', 16) || 0,
      drops,
    });
  }
  return rows;
}

/**
 * `RcvbufErrors` from /proc/net/snmp text (the "Udp:" header and value lines) plus, when given, `Udp6RcvbufErrors`
 * from /proc/net/snmp6 text; null when neither has it.
 */
export function parseRcvbufErrors(snmpText: string, snmp6Text = ''): number | null {
  return parseUdpCounter('RcvbufErrors', snmpText, snmp6Text);
}

/**
 * A counter of the kernel's UDP statistics (e.g. `OutDatagrams`, `RcvbufErrors`) from /proc/net/snmp text (the
 * "Udp:" header and value lines) plus, when given, its `Udp6` twin from /proc/net/snmp6 text; null when neither
 * has it.
 */
export function parseUdpCounter(name: string, snmpText: string, snmp6Text = ''): number | null {
  let total: number | null = null;
  const udp = snmpText.split('\n').filter((line) => line.startsWith('Udp:'));
  if (udp.length >= 2) {
    const names = (udp[0] as string).trim().split(/\s+/);
    const values = (udp[1] as string).trim().split(/\s+/);
    const at = names.indexOf(name);
    if (at > 0 && Number.isFinite(Number(values[at]))) total = Number(values[at]);
  }
  const v6 = new RegExp(`^Udp6${name}\\s+(\\d+)`, 'm').exec(snmp6Text);
  if (v6) total = (total ?? 0) + Number(v6[1]);
  return total;
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** What the kernel says about a set of the process's own sockets. */
export interface SocketDropReading {
  /** Sockets found by port (fewer than asked: the counters cannot be read for the others). */
  found: number;
  /** Datagrams dropped at those sockets so far. */
  drops: number;
  /** Bytes waiting in their receive queues now. */
  rxQueueBytes: number;
}

/** Reads the drop counters of the UDP sockets bound to `ports` (IPv4 and IPv6); null where /proc is missing. */
export function readSocketDrops(ports: readonly number[]): SocketDropReading | null {
  const v4 = readOr('/proc/net/udp');
  const v6 = readOr('/proc/net/udp6');
  if (v4 === null && v6 === null) return null;
  const wanted = new Set(ports);
  const reading: SocketDropReading = { found: 0, drops: 0, rxQueueBytes: 0 };
  for (const text of [v4, v6]) {
    if (text === null) continue;
    for (const row of parseProcNetUdp(text)) {
      if (!wanted.has(row.localPort)) continue;
      reading.found++;
      reading.drops += row.drops;
      reading.rxQueueBytes += row.rxQueueBytes;
    }
  }
  return reading;
}

/** Machine-wide UDP receive-buffer drops (every process, IPv4 + IPv6) so far; null where /proc is missing. */
export function readMachineRcvbufErrors(): number | null {
  const snmp = readOr('/proc/net/snmp');
  if (snmp === null) return null;
  return parseRcvbufErrors(snmp, readOr('/proc/net/snmp6') ?? '');
}

/**
 * Machine-wide UDP counters so far (every process, IPv4 + IPv6): datagrams sent and receive-buffer drops; null
 * where /proc is missing. On loopback every datagram one process sends, another receives (or the kernel drops).
 */
export function readMachineUdpCounters(): {
  outDatagrams: number | null;
  rcvbufErrors: number | null;
} | null {
  const snmp = readOr('/proc/net/snmp');
  if (snmp === null) return null;
  const snmp6 = readOr('/proc/net/snmp6') ?? '';
  return {
    outDatagrams: parseUdpCounter('OutDatagrams', snmp, snmp6),
    rcvbufErrors: parseUdpCounter('RcvbufErrors', snmp, snmp6),
  };
}

/** net.core.rmem_max: the largest receive buffer a socket may ask for (bytes); null where unknown. */
export function readMaxReceiveBuffer(): number | null {
  const text = readOr('/proc/sys/net/core/rmem_max');
  const value = text === null ? NaN : Number(text.trim());
  return Number.isFinite(value) ? value : null;
}
