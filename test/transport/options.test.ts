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
    ];
    for (const [options, where] of cases) {
      expect(() => resolveTransportOptions(options, 'listen')).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', where }),
      );
    }
  });
});
