/** collectReadiness and the readiness report: not-ready clients grouped by what they wait for, merged, printed. */
import { describe, expect, it } from 'vitest';
import type { SimClient } from '../../../harness/client/sim-client.js';
import { formatReadinessGroup, mergeReadinessGroups } from '../../../harness/metrics/readiness-report.js';
import { collectReadiness, type ReadinessSubject } from '../../../harness/runner/readiness.js';

const NOW = 100_000;

function subject(
  index: number,
  state: SimClient['state'],
  extra: Partial<ReadinessSubject> = {},
  numShards = 0,
): ReadinessSubject {
  const client = { index, state, numShards, connectStartedAtMs: NOW - 6000, connectedAtMs: NOW - 5500 };
  return {
    client: client as unknown as SimClient,
    settled: false,
    joinsPending: null,
    joinsSentAtMs: 0,
    dropAttempts: 0,
    ...extra,
  };
}

describe('collectReadiness', () => {
  it('groups unsettled clients by cause, largest first, with rooms and the shortest wait', () => {
    const subjects = [
      subject(0, 'ready', { joinsPending: new Set([5000]), joinsSentAtMs: NOW - 5000 }),
      subject(1, 'ready', { joinsPending: new Set([5000]), joinsSentAtMs: NOW - 7000 }),
      subject(2, 'ready', { joinsPending: new Set([5001]), joinsSentAtMs: NOW - 6000 }),
      subject(3, 'handshaking', {}, 4),
      subject(4, 'handshaking'),
      subject(5, 'connecting'),
      subject(6, 'ready', { settled: true, joinsPending: new Set([7]) }),
      subject(7, 'closed', { dropAttempts: 2 }),
    ];
    const groups = collectReadiness(subjects, NOW);
    expect(groups.map((g) => [g.cause, g.clients])).toEqual([
      ['no RoomInit after JoinRoom', 3],
      ['connection lost while connecting (reconnecting)', 1],
      ['no AuthOk after Auth', 1],
      ['no HelloAck after Hello', 1],
      ['no QUIC handshake completion', 1],
    ]);
    const rooms = groups[0];
    expect(rooms?.rooms).toEqual([5000, 5001]);
    expect(rooms?.minWaitedMs).toBe(5000);
    expect(formatReadinessGroup(rooms as NonNullable<typeof rooms>)).toBe(
      '3 clients: no RoomInit after JoinRoom for rooms 5000, 5001 (waited at least 5.0 s); ' +
        'e.g. client 0 (room 5000, JoinRoom 5.0 s ago), client 1 (room 5000, JoinRoom 7.0 s ago), ' +
        'client 2 (room 5001, JoinRoom 6.0 s ago)',
    );
  });

  it('merges workers by cause: clients summed, rooms united', () => {
    const a = collectReadiness(
      [subject(0, 'ready', { joinsPending: new Set([9]), joinsSentAtMs: NOW - 3000 })],
      NOW,
    );
    const b = collectReadiness(
      [
        subject(1, 'ready', { joinsPending: new Set([9]), joinsSentAtMs: NOW - 4000 }),
        subject(2, 'connecting'),
      ],
      NOW,
    );
    const merged = mergeReadinessGroups([a, b]);
    expect(merged[0]).toMatchObject({
      cause: 'no RoomInit after JoinRoom',
      clients: 2,
      rooms: [9],
      minWaitedMs: 3000,
    });
    expect(formatReadinessGroup(merged[0] as NonNullable<(typeof merged)[0]>)).toMatch(
      /^2 clients: no RoomInit after JoinRoom for room 9 \(waited at least 3\.0 s\)/,
    );
    expect(merged[1]).toMatchObject({ cause: 'no QUIC handshake completion', clients: 1 });
  });
});
