import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACK_RELAY_MS, AckRelay } from '../../../harness/runner/ack-relay.js';
import type { AckedMessage } from '../../../harness/metrics/delivery-tracker.js';
import type { WorkerMessage } from '../../../harness/runner/worker-protocol.js';

function acked(messageId: number): AckedMessage {
  return { roomId: 7, messageId, sentAtMs: 1, ackedAtMs: 2, sender: 3 };
}

function relayWithPort(): { relay: AckRelay; sent: WorkerMessage[] } {
  const sent: WorkerMessage[] = [];
  return { relay: new AckRelay({ send: (message) => sent.push(message) }), sent };
}

describe('AckRelay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends nothing while nothing is batched', () => {
    const { relay, sent } = relayWithPort();
    relay.flush();
    expect(sent).toEqual([]);
  });

  it('sends the batched acks in one message, then starts a new batch', () => {
    const { relay, sent } = relayWithPort();
    relay.acked(acked(1));
    relay.acked(acked(2));
    relay.flush();
    relay.flush();
    expect(sent).toEqual([{ type: 'acks', acks: [acked(1), acked(2)] }]);
    relay.acked(acked(3));
    relay.flush();
    expect(sent[1]).toEqual({ type: 'acks', acks: [acked(3)] });
  });

  it('carries ack timeouts, alone or beside acks', () => {
    const { relay, sent } = relayWithPort();
    relay.ackTimedOut({ nonce: 'n1', roomId: 7 });
    relay.flush();
    relay.acked(acked(4));
    relay.ackTimedOut({ nonce: 'n2', roomId: 8 });
    relay.flush();
    expect(sent).toEqual([
      { type: 'acks', acks: [], ackTimeouts: [{ nonce: 'n1', roomId: 7 }] },
      { type: 'acks', acks: [acked(4)], ackTimeouts: [{ nonce: 'n2', roomId: 8 }] },
    ]);
  });

  it('relays every ACK_RELAY_MS once started, and no more once stopped', () => {
    vi.useFakeTimers();
    const { relay, sent } = relayWithPort();
    relay.start();
    relay.acked(acked(1));
    vi.advanceTimersByTime(ACK_RELAY_MS - 1);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(1);
    relay.stop();
    relay.acked(acked(2));
    vi.advanceTimersByTime(10 * ACK_RELAY_MS);
    expect(sent).toHaveLength(1);
  });
});
