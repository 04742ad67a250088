import { describe, expect, it } from 'vitest';
import {
  decodeLedger,
  encodeLedger,
  LedgerFormatError,
  mergeLedgers,
  type LedgerData,
} from '../../../harness/metrics/segment-ledger.js';

const T = Date.UTC(2030, 0, 1) + 0.25;

const data: LedgerData = {
  acked: [
    { roomId: 9, messageId: 12, sentAtMs: T + 5.001, ackedAtMs: T + 7.5 },
    { roomId: 3, messageId: 10, sentAtMs: T + 4, ackedAtMs: T + 6.123 },
  ],
  memberships: [
    {
      recipient: 4,
      roomId: 9,
      intervals: [
        { from: T, to: T + 100, certainFrom: T + 1, certainTo: T + 99 },
        { from: T + 200, to: Infinity, certainFrom: Infinity, certainTo: Infinity },
      ],
    },
  ],
  foreign: [{ recipient: 4, roomId: 9, ranges: [11, 11, 13, 20, 40, 41] }],
  ackTimeouts: [
    { roomId: 9, client: 7, seq: 30 },
    { roomId: 3, client: 2, seq: 5 },
    { roomId: 9, client: 7, seq: 12 },
  ],
  foreignSends: [
    { messageId: 40, client: 5, seq: 3 },
    { messageId: 11, client: 1, seq: 9 },
  ],
};

describe('segment ledger', () => {
  it('round-trips through integers only (times to the microsecond, never as -1, acks by id, own ids bridged)', () => {
    const ledger = encodeLedger(data);
    for (const field of ['acked', 'memberships', 'foreign'] as const)
      expect(ledger[field].every((n) => Number.isSafeInteger(n))).toBe(true);
    const back = decodeLedger(JSON.parse(JSON.stringify(ledger)) as typeof ledger);
    expect(back.acked.map((m) => m.messageId)).toEqual([10, 12]);
    expect(back.acked[1]!.sentAtMs).toBeCloseTo(T + 5.001, 6);
    expect(back.acked[0]!.ackedAtMs).toBeCloseTo(T + 6.123, 6);
    expect(back.memberships[0]!.intervals[1]).toEqual({
      from: T + 200,
      to: Infinity,
      certainFrom: Infinity,
      certainTo: Infinity,
    });
    expect(back.foreign).toEqual(data.foreign);
    // Stored bridged over the segment's own id 12: 11..20 and 40..41, as gaps and lengths.
    expect(ledger.foreign).toEqual([4, 9, 2, 11, 9, 20, 1]);
    // Ack timeouts by client and seq (seq as a step within a client), foreign sends by id (as a step).
    expect(ledger.ackTimeouts).toEqual([3, 2, 5, 9, 5, 12, 9, 0, 18]);
    expect(ledger.foreignSends).toEqual([11, 1, 9, 29, 5, 3]);
    expect(back.ackTimeouts).toEqual([
      { roomId: 3, client: 2, seq: 5 },
      { roomId: 9, client: 7, seq: 12 },
      { roomId: 9, client: 7, seq: 30 },
    ]);
    expect(back.foreignSends).toEqual([
      { messageId: 11, client: 1, seq: 9 },
      { messageId: 40, client: 5, seq: 3 },
    ]);
  });

  it('merges the ledgers of the workers of one segment', () => {
    const other: LedgerData = {
      acked: [{ roomId: 3, messageId: 11, sentAtMs: T + 4.5, ackedAtMs: T + 6 }],
      memberships: [],
      foreign: [{ recipient: 5, roomId: 3, ranges: [1, 2] }],
      ackTimeouts: [{ roomId: 3, client: 4, seq: 1 }],
      // Id 40 was received by both workers: kept once.
      foreignSends: [
        { messageId: 40, client: 5, seq: 3 },
        { messageId: 2, client: 6, seq: 1 },
      ],
    };
    const merged = decodeLedger(mergeLedgers([encodeLedger(data), encodeLedger(other)]));
    expect(merged.acked.map((m) => m.messageId)).toEqual([10, 11, 12]);
    expect(merged.foreign.map((f) => f.recipient)).toEqual([4, 5]);
    expect(merged.ackTimeouts.map((s) => [s.client, s.seq])).toEqual([
      [2, 5],
      [4, 1],
      [7, 12],
      [7, 30],
    ]);
    expect(merged.foreignSends.map((m) => m.messageId)).toEqual([2, 11, 40]);
  });

  it('refuses an unreadable ledger', () => {
    const ledger = encodeLedger(data);
    expect(() => decodeLedger({ ...ledger, version: 2 as 1 })).toThrow(LedgerFormatError);
    expect(() => decodeLedger({ ...ledger, acked: [1, 2, 0.5, 3] })).toThrow(
      /acked\[2\]: expected an integer/,
    );
    expect(() => decodeLedger({ ...ledger, acked: [1, 2, 3] })).toThrow(LedgerFormatError);
    expect(() => decodeLedger({ ...ledger, foreignSends: [1, 2] })).toThrow(/foreignSends\[2\]/);
  });

  it('reads a ledger of an older version, without ack timeouts and foreign sends, as having none', () => {
    const { ackTimeouts: _a, foreignSends: _f, ...older } = encodeLedger(data);
    const back = decodeLedger(older);
    expect(back.ackTimeouts).toEqual([]);
    expect(back.foreignSends).toEqual([]);
    expect(back.acked).toHaveLength(2);
  });
});
