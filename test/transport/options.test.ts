import { describe, expect, it } from 'vitest';
import { resolveTransportOptions } from '../../transport/options.js';

describe('resolveTransportOptions', () => {
  it('applies the garou defaults', () => {
    const o = resolveTransportOptions({}, 'x');
    expect(o.alpn).toEqual(['chat']);
    expect(o.idleTimeoutMs).toBe(300_000);
    expect(o.maxStreamsBidi).toBe(100);
    expect(o.maxStreamsUni).toBe(100);
    expect(o.datagrams).toBe(true);
  });

  it('advertises max_ack_delay = ackDelayMs + 10 unless told otherwise', () => {
    expect(resolveTransportOptions({}, 'x').advertisedMaxAckDelayMs).toBe(35);
    expect(resolveTransportOptions({ ackDelayMs: 0 }, 'x').advertisedMaxAckDelayMs).toBe(10);
    expect(
      resolveTransportOptions({ ackDelayMs: 0, advertisedMaxAckDelayMs: 250 }, 'x').advertisedMaxAckDelayMs,
    ).toBe(250);
    expect(
      resolveTransportOptions({ advertisedMaxAckDelayMs: 2 ** 14 - 1 }, 'x').advertisedMaxAckDelayMs,
    ).toBe(2 ** 14 - 1);
  });

  it('keeps given values and names the faulty option', () => {
    expect(resolveTransportOptions({ idleTimeoutMs: 5, alpn: ['a', 'b'] }, 'listen')).toMatchObject({
      idleTimeoutMs: 5,
      alpn: ['a', 'b'],
    });
    const cases: [object, string][] = [
      [{ alpn: [] }, 'listen.alpn'],
      [{ alpn: [''] }, 'listen.alpn'],
      [{ idleTimeoutMs: -1 }, 'listen.idleTimeoutMs'],
      [{ maxStreamsUni: 1.5 }, 'listen.maxStreamsUni'],
      [{ maxUdpPayload: 100 }, 'listen.maxUdpPayload'],
      [{ datagrams: 'yes' }, 'listen.datagrams'],
      [{ congestionControl: 'vegas' }, 'listen.congestionControl'],
      // Less than the ack delay really held back would make the peer probe while our ACK is still due.
      [{ ackDelayMs: 25, advertisedMaxAckDelayMs: 24 }, 'listen.advertisedMaxAckDelayMs'],
      // RFC 9000 §18.2: 2^14 ms or more is invalid.
      [{ advertisedMaxAckDelayMs: 2 ** 14 }, 'listen.advertisedMaxAckDelayMs'],
      [{ advertisedMaxAckDelayMs: 2.5 }, 'listen.advertisedMaxAckDelayMs'],
    ];
    for (const [options, where] of cases) {
      expect(() => resolveTransportOptions(options, 'listen')).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', where }),
      );
    }
  });
});
