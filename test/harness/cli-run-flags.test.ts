/** `garou-bench run` flags as a newcomer types them: --connect-timeout with or without a unit, the live-metric flags. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../harness/cli.js';

/** Parses `run scenario.yaml ...args` without running anything; returns the flags or the error text. */
function parseRun(args: string[]): { flags?: Record<string, unknown>; error?: string; help?: string } {
  const program = buildProgram();
  let out = '';
  const commands = [program, ...program.commands];
  for (const command of commands)
    command.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  const run = program.commands.find((c) => c.name() === 'run') as Command;
  let flags: Record<string, unknown> | undefined;
  run.action((_scenario: string, options: Record<string, unknown>) => {
    flags = options;
  });
  try {
    program.parse(['node', 'garou-bench', 'run', ...args]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'commander.helpDisplayed' ? { help: out } : { error: out };
  }
  return flags ? { flags } : { error: out };
}

describe('garou-bench run flags', () => {
  it('shows the connect timeout with its unit and accepts what the help suggests', () => {
    expect(parseRun(['--help']).help).toMatch(/--connect-timeout <duration>[\s\S]*\(default: 5s\)/);
    expect(parseRun(['s.yaml']).flags?.connectTimeout).toBe(5000);
    expect(parseRun(['s.yaml', '--connect-timeout', '10s']).flags?.connectTimeout).toBe(10_000);
    expect(parseRun(['s.yaml', '--connect-timeout', '10000']).flags?.connectTimeout).toBe(10_000);
    expect(parseRun(['s.yaml', '--connect-timeout', '0']).error).toMatch(/a bare number is milliseconds/);
  });

  it('takes --metrics-port, --metrics-host and --events', () => {
    const { flags } = parseRun([
      's.yaml',
      '--metrics-port',
      '0',
      '--events',
      'e.ndjson',
      '--metrics-host',
      '::1',
    ]);
    expect(flags).toMatchObject({ metricsPort: 0, events: 'e.ndjson', metricsHost: '::1' });
    expect(parseRun(['s.yaml', '--metrics-port', '70000']).error).toMatch(/port from 0 to 65535/);
  });
});
