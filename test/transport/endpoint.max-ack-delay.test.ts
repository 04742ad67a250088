/**
 * The advertised max_ack_delay (transport option advertisedMaxAckDelayMs): the peer receives it, and its probe
 * timeout waits for it before it resends a packet that was lost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientOptions, PacketIO, QuicConnection } from '../../transport/index.js';
import { BARE_ACK_MAX_BYTES } from '../../transport/send-timing.js';
import { endpointPair } from './helpers/endpoints.js';
import type { EndpointPair } from './helpers/endpoints.js';
import { MemoryNetwork } from './helpers/memory-network.js';

vi.setConfig({ testTimeout: 20_000 });

let pair: EndpointPair | null = null;
let network: MemoryNetwork | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
  network?.dispose();
  network = null;
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a PacketIO so that the next datagram bigger than a bare ACK is dropped once `armed`. */
function droppingIO(io: PacketIO): PacketIO & { armed: boolean; dropped: number } {
  const wrapper = {
    armed: false,
    dropped: 0,
    get localAddress() {
      return io.localAddress;
    },
    start: io.start.bind(io),
    close: io.close.bind(io),
    send(buffer: Buffer, offset: number, length: number, toHost: string, toPort: number): void {
      if (wrapper.armed && length > BARE_ACK_MAX_BYTES) {
        wrapper.armed = false;
        wrapper.dropped++;
        return;
      }
      io.send(buffer, offset, length, toHost, toPort);
    },
  };
  return wrapper as unknown as PacketIO & { armed: boolean; dropped: number };
}

describe('advertised max_ack_delay', () => {
  it('reaches the peer: the default is ackDelayMs + 10, the option overrides it', async () => {
    const cases: [ClientOptions, number][] = [
      [{ insecure: true }, 35],
      [{ insecure: true, ackDelayMs: 0 }, 10],
      [{ insecure: true, ackDelayMs: 0, advertisedMaxAckDelayMs: 250 }, 250],
    ];
    for (const [options, expected] of cases) {
      const p = await endpointPair();
      pair = p;
      const client = p.connect(options);
      await client.whenEstablished();
      const server = await p.acceptedAt(0);
      expect(server.stats().peerMaxAckDelayMs).toBe(expected);
      // And the client sees the server's default.
      expect(client.stats().peerMaxAckDelayMs).toBe(35);
      await p.close();
      pair = null;
    }
  });

  it("a lost packet is resent only after the peer's advertised delay", async () => {
    /** Time from the server's write of a message whose packet is dropped until the client has it, ms. */
    const recoveryMs = async (advertised: number): Promise<number> => {
      network?.dispose();
      network = new MemoryNetwork();
      const serverIO = droppingIO(network.createIO());
      const p = await endpointPair({}, { server: serverIO, client: network.createIO() });
      pair = p;
      const client = p.connect({ insecure: true, ackDelayMs: 0, advertisedMaxAckDelayMs: advertised });
      let received = 0;
      client.onData = (_id, data) => {
        received += data.length;
      };
      await client.whenEstablished();
      const server: QuicConnection = await p.acceptedAt(0);
      const stream = server.openUni();
      // A few round trips first, so the RTT estimate is the network's (~1 ms), not the initial 333 ms.
      for (let i = 1; i <= 5; i++) {
        server.write(stream, Buffer.alloc(40, i));
        while (received < i * 40) await sleep(1);
        await sleep(5);
      }
      serverIO.armed = true;
      const started = performance.now();
      server.write(stream, Buffer.alloc(40, 9));
      while (received < 6 * 40) await sleep(1);
      const elapsed = performance.now() - started;
      expect(serverIO.dropped).toBe(1);
      await p.close();
      pair = null;
      return elapsed;
    };
    // The probe timeout is smoothed_rtt + max(4 * rttvar, 1 ms) + the peer's max_ack_delay: never sooner.
    expect(await recoveryMs(250)).toBeGreaterThanOrEqual(250);
    expect(await recoveryMs(400)).toBeGreaterThanOrEqual(400);
  });
});
