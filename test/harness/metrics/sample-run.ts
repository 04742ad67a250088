/** A small deterministic run (recorded through RunRecorder) used by the result and report tests. */
import { mergeResults } from '../../../harness/metrics/merge-results.js';
import { buildRunResult, type RunMeta } from '../../../harness/metrics/run-result-builder.js';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import type { WorkerResult } from '../../../harness/metrics/worker-result.js';
import { RunRecorder } from '../../../harness/metrics/run-recorder.js';
import { parseScenario } from '../../../harness/scenario/load.js';
import type { Scenario } from '../../../harness/scenario/types.js';

export const SAMPLE_SCENARIO_TEXT = `# yaml-language-server: $schema=./scenario.schema.json
name: sample-run
description: "Sample <b>run</b> & friends"
seed: 3
clients: { count: 4 }
server:
  hot_rooms: { promote_rate: 20, demote_rate: 5, cool_down: 1s, rate_window: 1s }
rooms:
  - { name: viral, id: 5000, members: all }
  - { name: side, count: 2, size: 2 }
phases:
  - { name: warm, duration: 2s, rate: { per_room: 1 } }
  - { name: surge, duration: 3s, rate: { per_room: 1 }, rooms: { viral: 30 } }
  - { name: cool, duration: 3s, rate: { per_room: 1 } }
expectations:
  - { room: viral, event: promoted, during: surge, within: 2s }
  - { room: viral, event: demoted, during: cool }
  - { room: viral, event: demoted, during: warm }
thresholds:
  - deliver.p99 < 50ms
  - deliver.max < 1ms
  - loss == 0
  - throughput.sends@surge >= 20/s
  - ack.p50@warm < 10ms
  - loss_rate < 1%
  - errors == 0
  - upload.p99 < 1s
`;

/** Epoch ms of the sample run's start. */
export const SAMPLE_START = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

/** Rate of the viral room (msgs/s) in each phase of the sample. */
const VIRAL_RATE = [1, 30, 1];

/** Builds the sample run: 4 clients, everyone in "viral", promotion in surge and demotion in cool. */
export function sampleRun(workerCount = 1): {
  scenario: Scenario;
  result: RunResult;
  merged: WorkerResult;
  meta: RunMeta;
} {
  const scenario = parseScenario(SAMPLE_SCENARIO_TEXT, 'scenarios/sample-run.yaml');
  const phases = scenario.phases.map((p) => ({
    name: p.name,
    startMs: SAMPLE_START + 1000 + p.startOffsetMs,
    endMs: SAMPLE_START + 1000 + p.startOffsetMs + p.durationMs,
  }));
  const options = {
    startMs: SAMPLE_START,
    phases,
    graceMs: scenario.correctness.graceMs,
    hotRooms: scenario.server.hotRooms,
  };
  const workers = Array.from({ length: workerCount }, () => new RunRecorder(options));
  const owner = (client: number) => workers[client % workerCount] as RunRecorder;
  for (let c = 0; c < 4; c++) {
    const started = SAMPLE_START + c * 100;
    owner(c).recordConnected(started, started + 2, started + 5 + c);
    owner(c).delivery.joined(c, 5000, started + 6 + c);
    owner(c).sampleConnected(started + 6, 1 + Math.floor(c / workerCount));
  }
  let id = 0;
  phases.forEach((phase, p) => {
    const rate = VIRAL_RATE[p] as number;
    const count = Math.round(((phase.endMs - phase.startMs) * rate) / 1000);
    for (let k = 0; k < count; k++) {
      const t = phase.startMs + (k * 1000) / rate;
      const sender = id % 4;
      owner(sender).recordScheduled(t, t + 0.2);
      owner(sender).count('sent', t + 0.2);
      const ack = {
        roomId: 5000,
        messageId: ++id,
        scheduledAtMs: t,
        sentAtMs: t + 0.2,
        ackedAtMs: t + 1 + (id % 3),
      };
      const relayed = owner(sender).recordAcked(ack);
      for (const w of workers) if (w !== owner(sender)) w.registerAck(relayed);
      for (let c = 0; c < 4; c++) {
        owner(c).recordDelivery({
          recipient: c,
          roomId: 5000,
          messageId: id,
          scheduledAtMs: t,
          receivedAtMs: t + 2 + (id % 5),
        });
      }
    }
  });
  for (let s = 1; s <= 12; s++)
    for (const w of workers) w.sampleConnected(SAMPLE_START + s * 1000 + 10, 4 / workerCount);
  // Promotion seen 900 ms into surge (the rate reaches 20/s with the 20th surge message, at +633 ms), demotion 2.5 s into cool.
  for (let c = 0; c < 4; c++)
    owner(c).roomPromoted(5000, (phases[1] as { startMs: number }).startMs + 900 + c);
  for (let c = 0; c < 4; c++)
    owner(c).roomDemoted(5000, (phases[2] as { startMs: number }).startMs + 2500 + c);
  owner(0).recordError(1006, phases[2]!.startMs + 100);
  const end = SAMPLE_START + 14_000;
  for (const w of workers) {
    w.expire(end);
    w.delivery.finish();
  }
  const merged = mergeResults(workers.map((w) => w.snapshot()));
  const meta: RunMeta = {
    scenario,
    target: 'embedded (127.0.0.1:4433)',
    workers: workerCount,
    startedAtMs: SAMPLE_START,
    endedAtMs: end,
    toolVersion: '0.1.0',
  };
  const result = buildRunResult(merged, meta);
  return { scenario, result, merged, meta };
}
