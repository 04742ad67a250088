/** classifyClose: the reason of every kind of close before AuthOk. */
import { describe, expect, it } from 'vitest';
import { CONNECT_FAILURE_TEXT, classifyClose } from '../../../harness/client/connect-failure.js';
import type { CloseInfo } from '../../../transport/index.js';

function close(partial: Partial<CloseInfo>): CloseInfo {
  return { cause: 'peer', wasEstablished: false, localError: null, peerError: null, ...partial };
}

describe('classifyClose', () => {
  it('names the TLS alert of a crypto error from either side', () => {
    const alpn = classifyClose(close({ peerError: { isApp: false, code: 0x178, reason: '' } }));
    expect(alpn.reason).toBe('tls');
    expect(alpn.detail).toBe('the server sent TLS alert 120 no_application_protocol (ALPN)');
    const ca = classifyClose(
      close({ cause: 'transport-error', localError: { isApp: false, code: 0x130, reason: 'x' } }),
    );
    expect(ca).toEqual({ reason: 'tls', detail: 'this side sent TLS alert 48 unknown_ca: x' });
  });

  it('CONNECTION_REFUSED from the server: refused', () => {
    const refused = classifyClose(close({ peerError: { isApp: false, code: 0x2, reason: 'full' } }));
    expect(refused).toEqual({ reason: 'refused', detail: 'server closed with transport code 0x2 "full"' });
  });

  it('an application close by the server: server-closed with the code', () => {
    const closed = classifyClose(close({ peerError: { isApp: true, code: 1001, reason: 'bad' } }));
    expect(closed).toEqual({
      reason: 'server-closed',
      detail: 'server closed with application code 0x3e9 "bad"',
    });
  });

  it('timeouts, local closes and local protocol errors', () => {
    expect(classifyClose(close({ cause: 'handshake-timeout' })).reason).toBe('handshake-timeout');
    expect(classifyClose(close({ cause: 'idle-timeout', wasEstablished: true })).detail).toContain('after');
    expect(classifyClose(close({ cause: 'endpoint-closed' })).reason).toBe('aborted');
    expect(classifyClose(close({ cause: 'local' })).reason).toBe('aborted');
    expect(
      classifyClose(close({ cause: 'transport-error', localError: { isApp: false, code: 0xa, reason: '' } })),
    ).toEqual({ reason: 'transport-error', detail: 'this side closed with transport code 0xa' });
  });

  it('every reason has a meaning', () => {
    for (const text of Object.values(CONNECT_FAILURE_TEXT)) expect(text.length).toBeGreaterThan(10);
  });
});
