/**
 * The whole action mix end to end: a small scenario with every action of the mix (send, edit, delete, react,
 * typing, join/leave, upload, reconnect) and delivered/read receipts runs against the reference server on
 * loopback (scenarios/action-mix.yaml, the shipped scenario). The server runs in this process so that an
 * independent witness, its observer hook (what its metrics endpoint counts), tells how many frames of each type
 * really arrived; every harness counter must match it exactly, and every latency metric must hold exactly one
 * sample per event it measures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { runScenario } from '../../../harness/runner/coordinator.js';
import { loadScenario } from '../../../harness/scenario/load.js';
import type { Scenario } from '../../../harness/scenario/types.js';
import { resolveConfig } from '../../../reference-server/config.js';
import { GarouServer } from '../../../reference-server/server.js';
import { NULL_OBSERVER, type ServerObserver } from '../../../reference-server/server-observer.js';
import { generateSelfSignedCert } from '../../../transport/index.js';

/** The shipped scenario with every action of the mix (scenarios/action-mix.yaml). */
const SCENARIO_FILE = 'scenarios/action-mix.yaml';

/** Frames of each type the server decoded, from its observer hook. */
class FrameCounts {
  readonly in = new Map<string, number>();
  readonly observer: ServerObserver = {
    ...NULL_OBSERVER,
    frameIn: (name) => this.in.set(name, this.of(name) + 1),
  };

  of(name: string): number {
    return this.in.get(name) ?? 0;
  }
}

let dir: string;
let server: GarouServer;
const frames = new FrameCounts();
let result: RunResult;
let scenario: Scenario;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'garou-action-mix-'));
  const { cert, key } = await generateSelfSignedCert();
  const config = resolveConfig({}, { host: '127.0.0.1', port: 0 });
  server = await GarouServer.start(config, {
    cert,
    key,
    dataDir: join(dir, 'data'),
    observer: frames.observer,
  });
  scenario = await loadScenario(SCENARIO_FILE);
  ({ result } = await runScenario({
    scenarioFile: SCENARIO_FILE,
    outDir: join(dir, 'reports'),
    target: `127.0.0.1:${server.address.port}`,
    progress: null,
  }));
}, 60_000);

afterAll(async () => {
  await server?.shutdown('test over');
  await rm(dir, { recursive: true, force: true });
});

describe('the whole action mix against the reference server', () => {
  it('performs every action of the mix', () => {
    const c = result.counters;
    for (const counter of [
      'sent',
      'edits',
      'deletes',
      'reactions',
      'typing_sent',
      'leaves',
      'joins',
      'uploads',
      'reconnects',
      'receipts_delivered',
      'receipts_read',
    ] as const)
      expect(c[counter], counter).toBeGreaterThan(0);
    expect(c.scheduled).toBe(
      c.sent +
        c.edits +
        c.deletes +
        c.reactions +
        c.typing_sent +
        c.leaves +
        frames.of('UploadStart') +
        c.reconnects +
        c.skipped,
    );
  });

  it('counts exactly what the server received, action by action', () => {
    const c = result.counters;
    // Answered commands are exact: a client leaves only once its sends are acked.
    expect(c.sent).toBe(frames.of('SendMessage'));
    // Unanswered ones (edits, deletes, reactions, receipts, typing datagrams) are counted when written; one
    // written just before a deliberate reconnect can be cut off by the close (the server closes on Goodbye,
    // which may overtake a lost packet of another stream on a loaded machine). Never more reach the server than
    // were written, and at most a few per reconnect go missing.
    for (const [counter, frame] of [
      ['edits', 'EditMessage'],
      ['deletes', 'DeleteMessage'],
      ['reactions', 'AddReaction'],
      ['receipts_delivered', 'MessageDelivered'],
      ['receipts_read', 'MessageRead'],
      ['typing_sent', 'Typing'],
    ] as const) {
      expect(frames.of(frame), `${frame} received <= ${counter}`).toBeLessThanOrEqual(c[counter]);
      expect(c[counter] - frames.of(frame), `${counter} cut off by reconnects`).toBeLessThanOrEqual(
        c.reconnects,
      );
    }
    expect(c.uploads + c.upload_failures).toBe(frames.of('UploadStart'));
    expect(c.uploads).toBe(frames.of('UploadComplete'));
    expect(c.upload_bytes).toBe(
      c.uploads * (scenario.actions.upload.size as { kind: 'fixed'; bytes: number }).bytes,
    );
    // Every connection authenticated once; the scenario does not list General (room 1), so each connection
    // leaves it right after the auto-join and joins its planned room: leaves and joins of the mix come on top.
    expect(c.connect_failures).toBe(0);
    expect(c.connects).toBe(frames.of('Auth'));
    expect(c.connects).toBe(scenario.clients.count + c.reconnects);
    expect(c.leaves + c.connects).toBe(frames.of('LeaveRoom'));
    expect(c.joins + c.connects).toBe(frames.of('JoinRoom'));
    // A deliberate reconnect says Goodbye first (those at the end of the run race the endpoint's close).
    expect(frames.of('Goodbye')).toBeGreaterThanOrEqual(c.reconnects);
    expect(frames.of('Goodbye')).toBeLessThanOrEqual(c.reconnects + scenario.clients.count);
    expect(c.disconnects).toBe(0);
    // The error examples (what the server answered, to whom, after which command) explain a failure here.
    const errorExamples = result.anomalies?.examples.filter((e) => e.kind === 'error') ?? [];
    expect(result.errorsByCode, JSON.stringify(errorExamples)).toEqual({});
  });

  it('acks every send and judges every delivery', () => {
    const c = result.counters;
    expect(c.acked).toBe(c.sent);
    expect(result.correctness.total).toMatchObject({ loss: 0, duplicates: 0, unexpected: 0 });
    expect(result.correctness.total.seen).toBe(result.correctness.total.expected);
  });

  it('holds exactly one latency sample per measured event', () => {
    const c = result.counters;
    const count = (metric: keyof RunResult['latency']) => result.latency[metric].count;
    expect(count('deliver')).toBe(c.delivered);
    expect(count('ack')).toBe(c.acked);
    expect(count('connect')).toBe(c.connects);
    expect(count('handshake')).toBe(c.connects);
    expect(count('upload')).toBe(c.uploads);
    expect(count('schedule_lag')).toBe(c.scheduled);
    expect(count('promotion')).toBe(0);
    expect(count('demotion')).toBe(0);
  });
});
