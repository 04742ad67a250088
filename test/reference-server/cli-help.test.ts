/** `garou-server --help` names every setting and `--version` prints the package version (newcomer list, #17). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../reference-server/cli-program.js';
import { CONFIG_FIELDS } from '../../reference-server/config.js';

/** Runs the program with `args` and returns what it wrote, without exiting the test process. */
function captured(args: string[]): string {
  let text = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  try {
    program.parse(['node', 'garou-server', ...args]);
  } catch (error) {
    // exitOverride throws after --help / --version; anything else is a real failure.
    const code = (error as { code?: string }).code;
    if (code !== 'commander.helpDisplayed' && code !== 'commander.version') throw error;
  }
  return text;
}

describe('garou-server --help and --version', () => {
  it('lists every setting with its flag and config-file key at the top level', () => {
    const help = captured(['--help']);
    for (const field of CONFIG_FIELDS) {
      expect(help).toMatch(new RegExp(`--${field.flag} <value>\\s+${field.fileKey}\\s`));
    }
    expect(help).toContain('binds 127.0.0.1 by default');
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(captured(['--version']).trim()).toBe(pkg.version);
  });
});
