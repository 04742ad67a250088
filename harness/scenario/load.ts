/**
 * Loading a scenario: YAML (with source positions) -> JSON Schema validation -> semantic checks ->
 * resolved `Scenario`. Every problem is reported as a `ScenarioError` naming file, line, column and field.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { normalizeScenario, type RawScenario } from './normalize.js';
import { formatFieldPath, ScenarioError, type ScenarioIssue } from './scenario-error.js';
import { validateScenarioSchema } from './schema.js';
import { YamlSourceMap } from './source-map.js';
import type { Scenario } from './types.js';

/** Reads and resolves a scenario file. Throws `ScenarioError` (exit code 2) when it is invalid or unreadable. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError([
      { file, line: 1, column: 1, path: '', message: `cannot read scenario: ${reason}` },
    ]);
  }
  return parseScenario(text, file);
}

/** Parses and resolves scenario text; `file` is only used in positions and messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ScenarioError(
      doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: position.line,
          column: position.col,
          path: '',
          message: `YAML syntax error (${error.code}): ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        };
      }),
    );
  }
  const sourceMap = new YamlSourceMap(file, doc, lineCounter);
  const data: unknown = doc.toJS();
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([
      {
        ...sourceMap.position([]),
        path: '',
        message: 'expected a scenario map (name, clients, phases, ...)',
      },
    ]);
  }
  const violations = validateScenarioSchema(data);
  if (violations.length) {
    throw new ScenarioError(
      violations.map((v): ScenarioIssue => ({
        ...sourceMap.position(v.path, v.target),
        path: formatFieldPath(v.path),
        message: v.message,
      })),
    );
  }
  const result = normalizeScenario(data as RawScenario, sourceMap);
  if (result.scenario === undefined) throw new ScenarioError(result.issues);
  return result.scenario;
}
