/**
 * A deterministic synthetic chat run for segment-merge tests: 12 clients in 3 rooms (joining, leaving, coming
 * back), 900 sends numbered by a server in arrival order and fanned out to the members with latencies, drops (3%)
 * and duplicates (2%); 4% of the sends get no MessageAck (an ack timeout; their deliveries still go out). Recorded
 * through the real recording path (RunRecorder, recordRoomMessage, segment rule).
 */
import { buildRunResult } from '../../../harness/metrics/run-result-builder.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { RunRecorder } from '../../../harness/metrics/run-recorder.js';
import { encodeSendStamp } from '../../../harness/metrics/send-stamp.js';
import { parseResult, serializeResult } from '../../../harness/report/summary-json.js';
import { recordRoomMessage } from '../../../harness/runner/delivery-recording.js';
import { segmentOwnsClient } from '../../../harness/runner/segment.js';
import { parseScenario } from '../../../harness/scenario/load.js';
import { SeededRandom } from '../../../harness/scenario/rng.js';

const CLIENTS = 12;
const ROOMS = [900, 901, 902];
const GRACE_MS = 500;
const START = Date.UTC(2030, 0, 1, 12);
const PHASE_MS = 5000;

const scenario = parseScenario(
  `
name: ledger-exactness
seed: 5
clients: { count: ${CLIENTS} }
rooms:
  - { name: big, id: 900, members: all }
phases:
  - { name: one, duration: 5s, rate: { per_room: 1 } }
  - { name: two, duration: 5s, rate: { per_room: 1 } }
correctness: { grace: 500ms }
thresholds:
  - loss == 0
  - duplicates == 0
`,
  'ledger-exactness.yaml',
);

/** One event of the synthetic run. */
export type SyntheticEvent =
  | { at: number; kind: 'joining' | 'joined' | 'leaving' | 'left'; client: number; roomId: number }
  | { at: number; kind: 'ack'; sender: number; roomId: number; id: number; scheduled: number; sent: number }
  | { at: number; kind: 'ack-timeout'; sender: number; roomId: number; nonce: string }
  | { at: number; kind: 'deliver'; client: number; roomId: number; id: number; nonce: string };

/** Times on a microsecond grid (the ledger keeps microseconds). */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The synthetic run of `seed`: every event of every client, in time order. */
export function syntheticSegmentEvents(seed: number): SyntheticEvent[] {
  const rng = new SeededRandom(seed, 'synthetic-segment-run');
  const random = (): number => rng.next();
  const events: SyntheticEvent[] = [];
  const end = START + 2 * PHASE_MS;
  /** client -> room -> [serverFrom, serverTo) intervals of membership as the server sees it. */
  const server = new Map<string, Array<[number, number]>>();
  for (let client = 0; client < CLIENTS; client++) {
    for (const roomId of ROOMS) {
      if (roomId !== 900 && random() < 0.4) continue;
      const spans: Array<[number, number]> = [];
      let t = START + us(random() * 200);
      while (t < end) {
        // Join: JoinRoom sent at t, the server adds the member a little later, RoomInit arrives after that.
        const added = us(t + 2 + random() * 10);
        events.push({ at: t, kind: 'joining', client, roomId });
        events.push({ at: us(added + 1 + random() * 10), kind: 'joined', client, roomId });
        // Most members stay; some leave and come back (memberships that cover messages partly).
        const stay = random() < 0.6 ? Infinity : us(500 + random() * 3000);
        const leaveAt = us(added + stay);
        if (leaveAt >= end) {
          spans.push([added, Infinity]);
          break;
        }
        const removed = us(leaveAt + 1 + random() * 10);
        events.push({ at: leaveAt, kind: 'leaving', client, roomId });
        events.push({ at: us(removed + random() * 5), kind: 'left', client, roomId });
        spans.push([added, removed]);
        t = us(removed + 100 + random() * 1000);
      }
      server.set(`${client}:${roomId}`, spans);
    }
  }
  // Messages: a member sends; the server numbers them in arrival order and fans out to its members.
  const sends: Array<{ sender: number; roomId: number; scheduled: number; sent: number; arrives: number }> =
    [];
  for (let k = 0; k < 900; k++) {
    const roomId = ROOMS[Math.floor(random() * ROOMS.length)] as number;
    const scheduled = us(START + 300 + random() * (2 * PHASE_MS - 600));
    const sent = us(scheduled + random() * 3);
    const members = [...Array(CLIENTS).keys()].filter((c) =>
      (server.get(`${c}:${roomId}`) ?? []).some(([a, b]) => a <= sent && sent < b),
    );
    if (members.length === 0) continue;
    const sender = members[Math.floor(random() * members.length)] as number;
    sends.push({ sender, roomId, scheduled, sent, arrives: us(sent + 1 + random() * 5) });
  }
  sends.sort((a, b) => a.arrives - b.arrives);
  let seq = 0;
  sends.forEach((m, i) => {
    const id = 1000 + i;
    const nonce = encodeSendStamp({ client: m.sender, seq: seq++, scheduledAtMs: m.scheduled });
    // The sender gives up on the ack after the grace period, as AckTimeouts does.
    if (random() < 0.04)
      events.push({
        at: us(m.sent + GRACE_MS),
        kind: 'ack-timeout',
        sender: m.sender,
        roomId: m.roomId,
        nonce,
      });
    else events.push({ at: us(m.arrives + 1 + random() * 5), kind: 'ack', id, ...m });
    for (let client = 0; client < CLIENTS; client++) {
      const spans = server.get(`${client}:${m.roomId}`) ?? [];
      if (!spans.some(([a, b]) => a <= m.arrives && m.arrives < b)) continue;
      if (random() < 0.03) continue; // dropped
      const at = us(m.arrives + 1 + random() * 40);
      events.push({ at, kind: 'deliver', client, roomId: m.roomId, id, nonce });
      if (random() < 0.02)
        events.push({ at: us(at + random() * 60), kind: 'deliver', client, roomId: m.roomId, id, nonce });
    }
  });
  return events.sort((a, b) => a.at - b.at);
}

const phases = [
  { name: 'one', startMs: START, endMs: START + PHASE_MS },
  { name: 'two', startMs: START + PHASE_MS, endMs: START + 2 * PHASE_MS },
];

function newRecorder(count: number): RunRecorder {
  return new RunRecorder({
    startMs: START,
    phases,
    graceMs: GRACE_MS,
    segmentLedger: count > 1,
    segmentCount: count,
  });
}

/**
 * Feeds the events to one recorder per segment (client c in segment c % count; `count` 1: a single recorder, no
 * segment rule) and returns their results as read back from summary.json.
 */
export function recordSyntheticSegments(events: readonly SyntheticEvent[], count: number): RunResult[] {
  const recorders = Array.from({ length: count }, () => newRecorder(count));
  const owner = (client: number): RunRecorder => recorders[client % count] as RunRecorder;
  let nextExpire = START + 1000;
  for (const e of events) {
    while (e.at >= nextExpire) {
      for (const r of recorders) r.expire(nextExpire);
      nextExpire += 1000;
    }
    switch (e.kind) {
      case 'joining':
      case 'joined':
      case 'leaving':
      case 'left':
        owner(e.client).delivery[e.kind](e.client, e.roomId, e.at);
        break;
      case 'ack':
        owner(e.sender).recordAcked({
          roomId: e.roomId,
          messageId: e.id,
          scheduledAtMs: e.scheduled,
          sentAtMs: e.sent,
          ackedAtMs: e.at,
          // One clock for all: the server stamps halfway, so every segment's offset is 0.
          serverAtMs: (e.sent + e.at) / 2,
        });
        break;
      case 'ack-timeout':
        owner(e.sender).recordError('ack_timeout', e.at);
        owner(e.sender).recordAckTimedOut({ nonce: e.nonce, roomId: e.roomId });
        break;
      case 'deliver': {
        const message = { message_id: e.id, room_id: e.roomId, nonce: e.nonce };
        const segment = { index: e.client % count, count };
        recordRoomMessage(owner(e.client), e.client, message, e.at, (sender) =>
          segmentOwnsClient(segment, sender),
        );
        break;
      }
    }
  }
  return recorders.map((r, index) => {
    r.delivery.finish();
    const worker = r.snapshot();
    const result = buildRunResult(worker, {
      scenario,
      target: 'synthetic',
      workers: 1,
      startedAtMs: START,
      endedAtMs: START + 2 * PHASE_MS + GRACE_MS,
      toolVersion: 'test',
    });
    if (count > 1) {
      result.segment = {
        index,
        count,
        startAt: new Date(START).toISOString(),
        startLateMs: 0,
        latencyScope: 'same-segment',
        lossDetection: 'per-segment',
        crossSegmentDeliveries: worker.crossSegmentDeliveries ?? 0,
        ledger: worker.ledger!,
        clockOffset: worker.clockOffset ?? null,
        foreignDeliver: worker.foreignDeliver ?? [],
      };
    }
    // Through summary.json and back, as `garou-bench merge` reads it.
    return parseResult(serializeResult(result));
  });
}
