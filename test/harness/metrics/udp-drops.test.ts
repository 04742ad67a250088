/**
 * The kernel's UDP drop counters: parsing /proc text (fixtures copied from a Linux 6.x machine), and a real
 * overflow of a small receive buffer on loopback that the per-socket reading must see.
 */
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  parseProcNetUdp,
  parseRcvbufErrors,
  parseUdpCounter,
  readMachineRcvbufErrors,
  readMachineUdpCounters,
  readSocketDrops,
} from '../../../harness/metrics/udp-drops.js';

const PROC_NET_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
 5108: 0100007F:9F17 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 15942 2 00000000493f9023 3883      
16333: 0100007F:CAF0 00000000:0000 07 00000000:0019BC00 00:00000000 00000000     0        0 14294 2 00000000df755f9b 0         
`;

const PROC_NET_UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  371: 00000000000000000000000001000000:D431 00000000000000000000000000000000:0000 07 00000000:00000500 00:00000000 00000000     0        0 88211 2 000000004c3b1f1d 17
`;

const PROC_NET_SNMP = `Ip: Forwarding DefaultTTL InReceives
Ip: 1 64 1234
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 137808 9824 3883 152574 3883 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;

const PROC_NET_SNMP6 = `Udp6InDatagrams                 	12
Udp6OutDatagrams                	40
Udp6RcvbufErrors                	5
UdpLite6RcvbufErrors            	0
`;

describe('parseProcNetUdp', () => {
  it('reads port, inode, receive queue and drops of IPv4 rows', () => {
    expect(parseProcNetUdp(PROC_NET_UDP)).toEqual([
      { localPort: 0x9f17, inode: 15942, rxQueueBytes: 0, drops: 3883 },
      { localPort: 0xcaf0, inode: 14294, rxQueueBytes: 0x19bc00, drops: 0 },
    ]);
  });

  it('reads IPv6 rows', () => {
    expect(parseProcNetUdp(PROC_NET_UDP6)).toEqual([
      { localPort: 0xd431, inode: 88211, rxQueueBytes: 0x500, drops: 17 },
    ]);
  });

  it('returns nothing for text without a drops column', () => {
    expect(parseProcNetUdp('sl local_address\n 1: 0100007F:9F17\n')).toEqual([]);
    expect(parseProcNetUdp('')).toEqual([]);
  });
});

describe('parseRcvbufErrors', () => {
  it('adds IPv4 RcvbufErrors and Udp6RcvbufErrors, not UdpLite', () => {
    expect(parseRcvbufErrors(PROC_NET_SNMP, PROC_NET_SNMP6)).toBe(3888);
    expect(parseRcvbufErrors(PROC_NET_SNMP)).toBe(3883);
  });

  it('is null when neither file has the counter', () => {
    expect(parseRcvbufErrors('Ip: Forwarding\nIp: 1\n')).toBeNull();
  });
});

describe('parseUdpCounter', () => {
  it('reads the named column of the Udp lines and adds its Udp6 twin', () => {
    expect(parseUdpCounter('OutDatagrams', PROC_NET_SNMP, PROC_NET_SNMP6)).toBe(152614);
    expect(parseUdpCounter('InDatagrams', PROC_NET_SNMP)).toBe(137808);
    expect(parseUdpCounter('NoSuchCounter', PROC_NET_SNMP, PROC_NET_SNMP6)).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('on loopback', () => {
  it('sees the datagrams a full receive buffer dropped at our socket', async () => {
    const receiver = dgram.createSocket({ type: 'udp4', recvBufferSize: 4096 });
    // An IP literal needs no lookup; node's default one would defer every send to a later tick.
    const sender = dgram.createSocket({
      type: 'udp4',
      lookup: ((address: string, _options: unknown, callback: (e: null, a: string, f: number) => void) =>
        callback(null, address, 4)) as unknown as dgram.SocketOptions['lookup'],
    });
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    const port = receiver.address().port;
    const machineBefore = readMachineRcvbufErrors();
    const countersBefore = readMachineUdpCounters();
    try {
      expect(readSocketDrops([port])).toEqual({ found: 1, drops: 0, rxQueueBytes: 0 });
      // libuv sends at once when its queue is empty, and this thread does not read the receiver before it
      // yields: 200 datagrams of 1 KB cannot fit in a 4 KB buffer (the kernel doubles it, still far too small).
      const payload = Buffer.alloc(1000, 7);
      const sent = Array.from(
        { length: 200 },
        () => new Promise<void>((resolve) => sender.send(payload, port, '127.0.0.1', () => resolve())),
      );
      const reading = readSocketDrops([port]);
      await Promise.all(sent);
      expect(reading?.found).toBe(1);
      expect(reading?.drops).toBeGreaterThan(100);
      const machineAfter = readMachineRcvbufErrors();
      if (machineBefore !== null && machineAfter !== null)
        expect(machineAfter - machineBefore).toBeGreaterThanOrEqual(reading?.drops ?? 0);
      // The machine-wide counters count these 200 datagrams as sent (and the dropped ones as dropped).
      const countersAfter = readMachineUdpCounters();
      expect((countersAfter?.outDatagrams ?? 0) - (countersBefore?.outDatagrams ?? 0)).toBeGreaterThanOrEqual(
        200,
      );
      expect((countersAfter?.rcvbufErrors ?? 0) - (countersBefore?.rcvbufErrors ?? 0)).toBeGreaterThanOrEqual(
        reading?.drops ?? 0,
      );
    } finally {
      receiver.close();
      sender.close();
    }
  });

  it('finds nothing for a port no socket of ours is bound to', () => {
    expect(readSocketDrops([])?.found).toBe(0);
  });
});
