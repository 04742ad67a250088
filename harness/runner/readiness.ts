/**
 * What each client still waits for when the phases are due to start: the worker's side of the readiness
 * diagnostics (metrics/readiness-report.ts). A client that is not settled is classified by its state: not yet
 * connecting, QUIC handshake pending, HelloAck or AuthOk missing, RoomInit missing for planned rooms.
 */
import type { SimClient } from '../client/sim-client.js';
import { ReadinessCollector, type ReadinessGroup } from '../metrics/readiness-report.js';

/** General (room 1), joined by the server after AuthOk (PROTOCOL.md 6.4/auto-join). */
const AUTO_JOINED_ROOM = 1;

/** What the readiness diagnostics read of a worker's client slot. */
export interface ReadinessSubject {
  readonly client: SimClient;
  /** Connected and joined (or given up) during the initial connect. */
  readonly settled: boolean;
  /** Planned rooms still waiting for their RoomInit. */
  readonly joinsPending: ReadonlySet<number> | null;
  /** When the JoinRooms of the initial connect were sent (epoch ms; 0 before AuthOk). */
  readonly joinsSentAtMs: number;
  /** Reconnect attempts since the connection dropped. */
  readonly dropAttempts: number;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** Groups the unsettled clients by what they wait for. */
export function collectReadiness(subjects: Iterable<ReadinessSubject>, nowMs: number): ReadinessGroup[] {
  const collector = new ReadinessCollector();
  for (const subject of subjects) {
    if (subject.settled) continue;
    const client = subject.client;
    switch (client.state) {
      case 'idle':
        collector.add('not started (connect ramp behind)', client.index, 0, 'never connected');
        break;
      case 'connecting': {
        const waited = nowMs - client.connectStartedAtMs;
        collector.add(
          'no QUIC handshake completion',
          client.index,
          waited,
          `connecting for ${seconds(waited)}`,
        );
        break;
      }
      case 'handshaking': {
        const waited = nowMs - client.connectedAtMs;
        const helloAcked = client.numShards > 0;
        collector.add(
          helloAcked ? 'no AuthOk after Auth' : 'no HelloAck after Hello',
          client.index,
          waited,
          `QUIC up for ${seconds(waited)}`,
        );
        break;
      }
      case 'ready': {
        const waited = nowMs - subject.joinsSentAtMs;
        for (const room of subject.joinsPending ?? []) {
          const auto = room === AUTO_JOINED_ROOM;
          collector.add(
            auto ? 'no RoomInit for the auto-joined room after AuthOk' : 'no RoomInit after JoinRoom',
            client.index,
            waited,
            `room ${room}, ${auto ? 'AuthOk' : 'JoinRoom'} ${seconds(waited)} ago`,
            room,
          );
        }
        break;
      }
      default:
        collector.add(
          'connection lost while connecting (reconnecting)',
          client.index,
          0,
          `${client.state}, ${subject.dropAttempts} reconnect attempt(s)`,
        );
    }
  }
  return collector.groupsBySize();
}
