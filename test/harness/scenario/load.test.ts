import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../../harness/scenario/load.js';
import { ScenarioError, type ScenarioIssue } from '../../../harness/scenario/scenario-error.js';

const FILE = 'scenarios/broken.yaml';

/** The issues a scenario text produces (fails the test if it loads). */
function issuesOf(text: string): readonly ScenarioIssue[] {
  try {
    parseScenario(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error('scenario unexpectedly loaded');
}

/** Asserts a single issue at line:column on `path`, and that the message names file, line and field. */
function expectOnlyIssue(text: string, line: number, column: number, path: string, message: RegExp): void {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  const issue = issues[0] as ScenarioIssue;
  expect(issue).toMatchObject({ file: FILE, line, column, path });
  expect(issue.message).toMatch(message);
  let thrown: unknown;
  try {
    parseScenario(text, FILE);
  } catch (error) {
    thrown = error;
  }
  expect((thrown as Error).message).toContain(`${FILE}:${line}:${column}: ${path ? `${path}: ` : ''}`);
}

const VALID = `# yaml-language-server: $schema=./scenario.schema.json
name: small
clients:
  count: 10
rooms:
  - name: lobby
    id: 7
    members: all
phases:
  - name: warm
    duration: 5s
    rate: { per_room: 2 }
  - name: hot
    duration: 10s
    rate: { per_room: 2 }
    rooms: { lobby: 50 }
expectations:
  - { room: lobby, event: promoted, during: hot }
thresholds:
  - deliver.p99 < 250ms
  - loss == 0
`;

describe('parseScenario: valid input', () => {
  it('resolves a minimal scenario with defaults', () => {
    const s = parseScenario(VALID, FILE);
    expect(s.name).toBe('small');
    expect(s.file).toBe(FILE);
    expect(s.seed).toBe(1);
    expect(s.target).toEqual({ kind: 'embedded' });
    expect(s.server.hotRooms).toEqual({
      promoteRate: 100,
      demoteRate: 20,
      coolDownMs: 60_000,
      rateWindowMs: 10_000,
      maxHotRooms: 10,
    });
    expect(s.clients).toEqual({
      count: 10,
      connectRate: 100,
      maxConnecting: null,
      usernamePattern: 'user-{i}',
      dropReconnect: { enabled: true, backoffMs: 1000, backoffMaxMs: 30_000 },
    });
    // Receipts are off unless asked for.
    expect(s.actions.receipts).toEqual({ delivered: 0, read: 0, readDelayMs: 1000 });
    expect(s.rooms).toEqual([
      { name: 'lobby', count: 1, ids: [7], membership: { kind: 'all' }, popularity: { kind: 'uniform' } },
    ]);
    expect(s.phases.map((p) => [p.name, p.startOffsetMs, p.durationMs])).toEqual([
      ['warm', 0, 5000],
      ['hot', 5000, 10_000],
    ]);
    expect(s.phases[1]?.roomRates).toEqual([
      { room: { group: 'lobby', index: undefined, text: 'lobby' }, perSecond: 50 },
    ]);
    expect(s.phases[0]?.mix).toEqual([{ action: 'send', weight: 1 }]);
    expect(s.totalDurationMs).toBe(15_000);
    expect(s.expectations[0]).toMatchObject({
      event: 'promoted',
      phase: 'hot',
      source: { file: FILE, line: 18 },
    });
    expect(s.thresholds.map((t) => [t.expression, t.source?.line])).toEqual([
      ['deliver.p99 < 250ms', 20],
      ['loss == 0', 21],
    ]);
  });

  it('targets a remote server given as host:port, IPv6 included', () => {
    expect(
      parseScenario(VALID.replace('name: small', 'name: small\ntarget: "10.0.0.5:4433"'), FILE).target,
    ).toEqual({
      kind: 'remote',
      host: '10.0.0.5',
      port: 4433,
    });
    expect(
      parseScenario(VALID.replace('name: small', 'name: small\ntarget: "[::1]:4433"'), FILE).target,
    ).toEqual({
      kind: 'remote',
      host: '::1',
      port: 4433,
    });
  });

  it('defaults to room 1 (General) when no rooms are given', () => {
    const text =
      'name: g\nclients: { count: 3 }\nphases:\n  - { name: p, duration: 1s, rate: { total: 5 } }\n';
    expect(parseScenario(text, FILE).rooms).toEqual([
      { name: 'general', count: 1, ids: [1], membership: { kind: 'all' }, popularity: { kind: 'uniform' } },
    ]);
  });

  it('normalizes mix weights and allocates room ids around explicit ones', () => {
    const text = `name: m
clients: { count: 20 }
mix: { send: 3, react: 1, edit: 0 }
rooms:
  - { name: a, count: 3, size: 2 }
  - { name: b, id: 1001, members: all }
phases:
  - { name: p, duration: 1s }
`;
    const s = parseScenario(text, FILE);
    expect(s.phases[0]?.mix).toEqual([
      { action: 'send', weight: 0.75 },
      { action: 'react', weight: 0.25 },
    ]);
    expect(s.rooms.map((g) => g.ids)).toEqual([[1000, 1002, 1003], [1001]]);
  });

  it('loads a file from disk and reports a missing one as a scenario error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'garou-scenario-'));
    const file = join(dir, 'ok.yaml');
    await writeFile(file, VALID);
    expect((await loadScenario(file)).name).toBe('small');
    await expect(loadScenario(join(dir, 'nope.yaml'))).rejects.toThrow(
      /nope\.yaml:1:1: cannot read scenario: file not found/,
    );
  });
});

describe('parseScenario: malformed input names file, line, column and field', () => {
  it('wrong type', () => {
    expectOnlyIssue(
      VALID.replace('count: 10', 'count: ten'),
      4,
      10,
      'clients.count',
      /expected an integer, got "ten"/,
    );
  });

  it('unknown field, with a suggestion', () => {
    expectOnlyIssue(
      VALID.replace('    duration: 10s', '    durration: 10s\n    duration: 10s'),
      14,
      5,
      'phases[1].durration',
      /unknown field "durration" \(did you mean "duration"\?\); expected one of: name, duration, rate/,
    );
  });

  it('unknown top-level field', () => {
    expectOnlyIssue(
      VALID.replace('name: small', 'name: small\nworkers: 4'),
      3,
      1,
      'workers',
      /unknown field "workers"/,
    );
  });

  it('bad duration string', () => {
    expectOnlyIssue(
      VALID.replace('duration: 5s', 'duration: 5 secs'),
      11,
      15,
      'phases[0].duration',
      /expected a duration like "30s", "500ms", "2m" or "1m30s", got "5 secs"/,
    );
  });

  it('bad rate', () => {
    expectOnlyIssue(
      VALID.replace('{ lobby: 50 }', '{ lobby: lots }'),
      16,
      21,
      'phases[1].rooms.lobby',
      /expected a rate like 150/,
    );
  });

  it('missing required field points at the map that lacks it', () => {
    expectOnlyIssue(
      VALID.replace('    duration: 10s\n', ''),
      13,
      5,
      'phases[1].duration',
      /missing required field "duration"/,
    );
  });

  it('bad threshold expression: unknown metric', () => {
    expectOnlyIssue(
      VALID.replace('  - loss == 0', '  - lost == 0'),
      21,
      5,
      'thresholds[1]',
      /unknown metric "lost" \(did you mean "loss"\?\)/,
    );
  });

  it('bad threshold expression: a correctness figure scoped to a phase', () => {
    expectOnlyIssue(
      VALID.replace('  - loss == 0', '  - ack_timed_out_deliveries@hot == 0'),
      21,
      5,
      'thresholds[1]',
      /"ack_timed_out_deliveries" is measured for the whole run only; drop "@hot"/,
    );
  });

  it('bad threshold expression: value of the wrong kind', () => {
    expectOnlyIssue(
      VALID.replace('deliver.p99 < 250ms', 'deliver.p99 < 250'),
      20,
      5,
      'thresholds[0]',
      /bad value "250" for deliver.p99: expected a duration/,
    );
  });

  it('threshold without an operator fails the schema', () => {
    expectOnlyIssue(
      VALID.replace('  - loss == 0', '  - loss is zero'),
      21,
      5,
      'thresholds[1]',
      /expected a threshold "<metric> <op> <value>"/,
    );
  });

  it('unknown phase in an expectation', () => {
    expectOnlyIssue(
      VALID.replace('during: hot', 'during: hott'),
      18,
      45,
      'expectations[0].during',
      /unknown phase "hott" \(did you mean "hot"\?\); phases: warm, hot/,
    );
  });

  it('unknown room in an expectation and in a phase override', () => {
    const issues = issuesOf(
      VALID.replace('room: lobby', 'room: lobbby').replace('{ lobby: 50 }', '{ attic: 50 }'),
    );
    expect(issues.map((i) => [i.line, i.column, i.path])).toEqual([
      [16, 14, 'phases[1].rooms.attic'],
      [18, 13, 'expectations[0].room'],
    ]);
    expect(issues[0]?.message).toMatch(/unknown room "attic"; rooms: lobby/);
    expect(issues[1]?.message).toMatch(/unknown room "lobbby" \(did you mean "lobby"\?\)/);
  });

  it('YAML syntax error', () => {
    const issues = issuesOf(
      VALID.replace('rate: { per_room: 2 }\n  - name: hot', 'rate: { per_room: 2\n  - name: hot'),
    );
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]).toMatchObject({ file: FILE, path: '' });
    expect(issues[0]?.line).toBeGreaterThanOrEqual(12);
    expect(issues[0]?.message).toMatch(/^YAML syntax error \([A-Z_]+\)/);
  });

  it('duplicate keys are YAML errors', () => {
    const issues = issuesOf(VALID.replace('  count: 10', '  count: 10\n  count: 11'));
    expect(issues[0]).toMatchObject({ line: 5, message: expect.stringMatching(/DUPLICATE_KEY/) });
  });

  it('reports several problems at once, sorted by line', () => {
    const text = VALID.replace('count: 10', 'count: -1').replace('duration: 10s', 'duration: soon');
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path)).toEqual(['clients.count', 'phases[1].duration']);
    expect(issues[0]?.message).toMatch(/expected a number >= 1, got number -1/);
  });

  it('semantic checks: room group membership, sizes, flapping hot-room settings, username length', () => {
    const text = `name: s
clients: { count: 5, username: "a-much-too-long-username-prefix-for-the-garou-protocol-{i}" }
server: { hot_rooms: { promote_rate: 10, demote_rate: 20 } }
rooms:
  - { name: a, count: 2, size: 9 }
  - { name: b, count: 2, members: all, rooms_per_client: 1 }
phases:
  - { name: p, duration: 1s, storms: [ { at: 2s, fraction: 0.5 } ] }
`;
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'clients.username'],
      [3, 'server.hot_rooms.demote_rate'],
      [5, 'rooms[0].size'],
      [6, 'rooms[1]'],
      [8, 'phases[0].storms[0].at'],
    ]);
    expect(issues[4]?.message).toMatch(/after the phase ends/);
  });

  it('an empty document is rejected', () => {
    expect(issuesOf('# nothing\n')[0]?.message).toMatch(/expected a scenario map/);
  });
});

describe('parseScenario: receipts and reconnect after a drop', () => {
  const withClients = (lines: string): string => VALID.replace('  count: 10\n', `  count: 10\n${lines}`);
  const withReceipts = (map: string): string =>
    VALID.replace('name: small\n', `name: small\nactions:\n  receipts: ${map}\n`);

  it('resolves actions.receipts and the reconnect settings of clients', () => {
    const s = parseScenario(
      withReceipts('{ delivered: 0.5, read: 0.25, read_delay: 300ms }').replace(
        '  count: 10\n',
        '  count: 10\n  reconnect_on_drop: false\n  reconnect_backoff: 200ms\n  reconnect_backoff_max: 2s\n',
      ),
      FILE,
    );
    expect(s.actions.receipts).toEqual({ delivered: 0.5, read: 0.25, readDelayMs: 300 });
    expect(s.clients.dropReconnect).toEqual({ enabled: false, backoffMs: 200, backoffMaxMs: 2000 });
    expect(parseScenario(withReceipts('{ read: 1 }'), FILE).actions.receipts).toEqual({
      delivered: 0,
      read: 1,
      readDelayMs: 1000,
    });
  });

  it('a receipt fraction above 1', () => {
    expectOnlyIssue(
      withReceipts('{ delivered: 1.5, read: 0.1 }'),
      4,
      26,
      'actions.receipts.delivered',
      /expected a number <= 1, got number 1.5/,
    );
  });

  it('a negative receipt fraction', () => {
    expectOnlyIssue(
      withReceipts('{ read: -0.1 }'),
      4,
      21,
      'actions.receipts.read',
      /expected a number >= 0, got number -0.1/,
    );
  });

  it('a bad read_delay', () => {
    expectOnlyIssue(
      withReceipts('{ read: 0.1, read_delay: later }'),
      4,
      38,
      'actions.receipts.read_delay',
      /expected a duration like "30s"/,
    );
  });

  it('an unknown receipts field, with a suggestion', () => {
    expectOnlyIssue(
      withReceipts('{ deliverd: 0.1 }'),
      4,
      15,
      'actions.receipts.deliverd',
      /unknown field "deliverd" \(did you mean "delivered"\?\); expected one of: delivered, read, read_delay/,
    );
  });

  it('reconnect_on_drop that is not a boolean', () => {
    expectOnlyIssue(
      withClients('  reconnect_on_drop: sometimes\n'),
      5,
      22,
      'clients.reconnect_on_drop',
      /expected a boolean, got "sometimes"/,
    );
  });

  it('clients.max_connecting: a bound on first connects in flight, none by default', () => {
    expect(parseScenario(withClients('  max_connecting: 400\n'), FILE).clients.maxConnecting).toBe(400);
    expectOnlyIssue(
      withClients('  max_connecting: 0\n'),
      5,
      19,
      'clients.max_connecting',
      /expected a number >= 1, got number 0/,
    );
  });

  it('a zero reconnect_backoff', () => {
    expectOnlyIssue(
      withClients('  reconnect_backoff: 0s\n'),
      5,
      22,
      'clients.reconnect_backoff',
      /expected a backoff above 0/,
    );
  });

  it('a reconnect_backoff_max below the backoff, and a backoff above the default cap', () => {
    expectOnlyIssue(
      withClients('  reconnect_backoff: 2s\n  reconnect_backoff_max: 1s\n'),
      6,
      26,
      'clients.reconnect_backoff_max',
      /reconnect_backoff_max \(1000 ms\) must be at least reconnect_backoff \(2000 ms\)/,
    );
    expectOnlyIssue(
      withClients('  reconnect_backoff: 1m\n'),
      5,
      22,
      'clients.reconnect_backoff',
      /must be at least reconnect_backoff \(60000 ms\)/,
    );
  });

  it('correctness.max_drain: 4 grace periods by default, never below the grace', () => {
    expect(parseScenario(VALID, FILE).correctness).toEqual({ graceMs: 5000, maxDrainMs: 20_000 });
    expect(parseScenario(`${VALID}correctness: { grace: 2s }\n`, FILE).correctness).toEqual({
      graceMs: 2000,
      maxDrainMs: 8000,
    });
    expect(parseScenario(`${VALID}correctness: { grace: 2s, max_drain: 1m }\n`, FILE).correctness).toEqual({
      graceMs: 2000,
      maxDrainMs: 60_000,
    });
    expectOnlyIssue(
      `${VALID}correctness:\n  grace: 2s\n  max_drain: 1s\n`,
      24,
      14,
      'correctness.max_drain',
      /expected at least the grace period \(2000 ms\)/,
    );
  });
});
