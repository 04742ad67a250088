import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadScenario } from '../../../harness/scenario/load.js';
import { buildRoomPlan } from '../../../harness/scenario/membership.js';
import { validateScenarioSchema } from '../../../harness/scenario/schema.js';
import { phaseRoomRates } from '../../../harness/scenario/traffic.js';

const DIR = 'scenarios';
const SHIPPED = [
  'viral-room',
  'steady-chat',
  'connection-storm',
  'uploads',
  'typing',
  'ci-gate',
  'crowd-50k',
];

describe('shipped scenarios', () => {
  it('include the documented scenarios', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(SHIPPED.map((s) => `${s}.yaml`).sort());
  });

  it.each(SHIPPED)('%s validates against the JSON Schema and loads', async (name) => {
    const file = `${DIR}/${name}.yaml`;
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
    expect(validateScenarioSchema(parseDocument(text).toJS())).toEqual([]);
    const scenario = await loadScenario(file);
    expect(scenario.name).toBe(name);
    // Every phase that is meant to carry traffic actually schedules some.
    const plan = buildRoomPlan(scenario);
    for (const phase of scenario.phases) expect(phaseRoomRates(phase, plan).size).toBeGreaterThan(0);
  });

  it('viral-room promotes during the surge and can demote during the cool-down, in under 2 minutes', async () => {
    const s = await loadScenario(`${DIR}/viral-room.yaml`);
    const plan = buildRoomPlan(s);
    const viral = plan.resolve({ group: 'viral', index: undefined, text: 'viral' })[0];
    expect(viral?.members).toHaveLength(s.clients.count);
    const rate = (phase: string): number =>
      phaseRoomRates(
        s.phases.find((p) => p.name === phase)!,
        plan,
      ).get(viral!.id) ?? 0;
    const hot = s.server.hotRooms;
    expect(rate('warm-up')).toBeLessThan(hot.demoteRate);
    expect(rate('surge')).toBeGreaterThanOrEqual(hot.promoteRate * 1.3);
    expect(rate('cool-down')).toBeLessThan(hot.demoteRate / 2);
    const coolDown = s.phases.find((p) => p.name === 'cool-down')!;
    // The window must empty and then the cool-down elapse, with slack for the server's 1 s check.
    expect(coolDown.durationMs).toBeGreaterThanOrEqual(hot.rateWindowMs + hot.coolDownMs + 5000);
    const connectRampMs = (s.clients.count / s.clients.connectRate) * 1000;
    expect(connectRampMs + s.totalDurationMs + s.correctness.graceMs).toBeLessThan(120_000);
    expect(s.expectations.map((e) => e.text)).toEqual([
      'viral promoted during surge within 5s',
      'viral demoted during cool-down',
    ]);
  });
});
