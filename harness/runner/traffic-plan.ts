/**
 * The run's open-model operations in time order, drawn identically in every worker (contract 7): each
 * arrival's sender (`senders:<phase>`), action (`actions:<phase>`) and sizes (`sizes:<phase>`) are drawn for
 * EVERY arrival, whoever owns the sender, so all workers stay on the same random streams; each worker then
 * performs only the operations of the clients it owns.
 */
import type { PhaseWindow } from '../metrics/worker-result.js';
import type { RoomPlan } from '../scenario/membership.js';
import { ActionPicker, sampleSize } from '../scenario/samplers.js';
import { fnv1a32, hashUnit, type SeededRandom } from '../scenario/rng.js';
import {
  ArrivalSchedule,
  phaseRoomRates,
  planStorm,
  RANDOM_STREAMS,
  streamRandom,
  type StormDisconnect,
} from '../scenario/traffic.js';
import type { ActionName, PhaseSpec, Scenario } from '../scenario/types.js';

/** One scheduled operation. */
export interface PlannedOperation {
  /** Scheduled time, epoch ms: latency counts from here, however late the harness performs it. */
  atMs: number;
  roomId: number;
  /** Global index of the client that performs it. */
  sender: number;
  action: ActionName;
  /** Message size (bytes) drawn for this arrival. */
  size: number;
  /** Upload size (bytes) for `upload` operations, else 0. */
  uploadSize: number;
  phase: string;
}

interface PhaseDraws {
  spec: PhaseSpec;
  schedule: ArrivalSchedule;
  senders: SeededRandom;
  actions: SeededRandom;
  sizes: SeededRandom;
  picker: ActionPicker;
}

/** Iterates the operations of every phase in time order. */
export class TrafficPlan {
  private phaseIndex = -1;
  private current: PhaseDraws | null = null;

  constructor(
    private readonly scenario: Scenario,
    private readonly plan: RoomPlan,
    private readonly windows: readonly PhaseWindow[],
  ) {
    this.advancePhase();
  }

  /** Time of the next operation (epoch ms), or undefined when the run has no more. */
  peekTime(): number | undefined {
    for (;;) {
      if (this.current === null) return undefined;
      const at = this.current.schedule.peekTime();
      if (at !== undefined) return at;
      this.advancePhase();
    }
  }

  /** The next operation, or undefined when the run has no more. */
  next(): PlannedOperation | undefined {
    if (this.peekTime() === undefined) return undefined;
    const draws = this.current as PhaseDraws;
    const arrival = draws.schedule.next();
    if (arrival === undefined) return undefined;
    const room = this.plan.byId.get(arrival.roomId);
    const members = room?.members ?? [];
    const pick = draws.senders.int(Math.max(1, members.length));
    const action = draws.picker.pick(draws.actions);
    const size = sampleSize(draws.spec.messageSize, draws.sizes);
    const uploadSize = action === 'upload' ? sampleSize(this.scenario.actions.upload.size, draws.sizes) : 0;
    return {
      atMs: arrival.atMs,
      roomId: arrival.roomId,
      sender: members.length > 0 ? (members[pick] as number) : -1,
      action,
      size,
      uploadSize,
      phase: draws.spec.name,
    };
  }

  private advancePhase(): void {
    this.phaseIndex++;
    const spec = this.scenario.phases[this.phaseIndex];
    const window = this.windows[this.phaseIndex];
    if (spec === undefined || window === undefined) {
      this.current = null;
      return;
    }
    const mix = spec.mix.length > 0 ? spec.mix : [{ action: 'send' as const, weight: 1 }];
    this.current = {
      spec,
      schedule: new ArrivalSchedule(phaseRoomRates(spec, this.plan), {
        process: this.scenario.arrival,
        rng: streamRandom(this.scenario, RANDOM_STREAMS.arrivals(spec.name)),
        startMs: window.startMs,
        endMs: window.endMs,
      }),
      senders: streamRandom(this.scenario, RANDOM_STREAMS.senders(spec.name)),
      actions: streamRandom(this.scenario, RANDOM_STREAMS.actions(spec.name)),
      sizes: streamRandom(this.scenario, RANDOM_STREAMS.sizes(spec.name)),
      picker: new ActionPicker(mix),
    };
  }
}

/** Every reconnect-storm disconnect of the run (epoch ms), in time order. */
export function plannedStorms(scenario: Scenario, windows: readonly PhaseWindow[]): StormDisconnect[] {
  const all: StormDisconnect[] = [];
  scenario.phases.forEach((phase, p) => {
    const window = windows[p];
    if (window === undefined) return;
    phase.storms.forEach((storm, index) => {
      const rng = streamRandom(scenario, RANDOM_STREAMS.storm(phase.name, index));
      all.push(...planStorm(storm, window.startMs, scenario.clients.count, rng));
    });
  });
  return all.sort((a, b) => a.disconnectAtMs - b.disconnectAtMs || a.client - b.client);
}

/** Phase windows (epoch ms) of a run whose first phase starts at `firstPhaseStartMs`. */
export function phaseWindows(scenario: Scenario, firstPhaseStartMs: number): PhaseWindow[] {
  return scenario.phases.map((phase) => ({
    name: phase.name,
    startMs: firstPhaseStartMs + phase.startOffsetMs,
    endMs: firstPhaseStartMs + phase.startOffsetMs + phase.durationMs,
  }));
}

/**
 * Seed of the receipt draws of a run with scenario seed `seed`: a delivery of message m to client c gets
 * MessageDelivered when hashUnit(receiptSeed(seed), c, m) < actions.receipts.delivered, MessageRead when it is
 * below actions.receipts.read (see LoadWorker.sendReceipts).
 */
export function receiptSeed(seed: number): number {
  return (seed ^ fnv1a32('receipts')) >>> 0;
}

/**
 * Wait (ms) before reconnect attempt `attempt` (0 = the first) of `client` after a drop: clients.reconnect_backoff
 * doubled per failed attempt up to reconnect_backoff_max, then jittered between half and all of it by a draw from
 * the seed, the client and `serial` (the client's count of such attempts over the run), so a run is reproducible
 * and clients dropped together do not all come back at once.
 */
export function dropReconnectWaitMs(
  scenario: Scenario,
  client: number,
  attempt: number,
  serial: number,
): number {
  const { backoffMs, backoffMaxMs } = scenario.clients.dropReconnect;
  const waitMs = Math.min(backoffMaxMs, backoffMs * 2 ** attempt);
  const jitter = hashUnit((scenario.seed ^ fnv1a32('drop-reconnect')) >>> 0, client, serial);
  return waitMs * (0.5 + 0.5 * jitter);
}
