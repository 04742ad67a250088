import { describe, expect, it } from 'vitest';
import { ForeignSendLog, sendKey } from '../../../harness/metrics/send-identities.js';

describe('ForeignSendLog', () => {
  it('keeps the send of each id once, from its first delivery, in arrival order', () => {
    const log = new ForeignSendLog();
    log.record(12, 3, 7);
    log.record(10, 5, 1);
    // Another recipient of id 12 (and a bogus nonce on a later copy) change nothing.
    log.record(12, 3, 7);
    log.record(12, 9, 9);
    log.record(11, 3, 8);
    expect(log.list()).toEqual([
      { messageId: 12, client: 3, seq: 7 },
      { messageId: 10, client: 5, seq: 1 },
      { messageId: 11, client: 3, seq: 8 },
    ]);
  });

  it('keys a send by client and seq, unambiguously', () => {
    expect(sendKey({ client: 1, seq: 23 })).not.toBe(sendKey({ client: 12, seq: 3 }));
    expect(sendKey({ client: 4, seq: 2 })).toBe(sendKey({ client: 4, seq: 2 }));
  });
});
