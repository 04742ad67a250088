/**
 * Validation of raw scenario data against scenarios/scenario.schema.json (JSON Schema draft-07, ajv),
 * with ajv's errors turned into field paths and plain-language expectations.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import scenarioSchema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import { BYTE_SIZE_EXPECTED, DURATION_EXPECTED, RATE_EXPECTED } from './quantities.js';
import { closestName } from './suggest.js';
import type { PositionTarget } from './source-map.js';

/** The scenario JSON Schema, as shipped in scenarios/scenario.schema.json. */
export const SCENARIO_SCHEMA: Readonly<Record<string, unknown>> = scenarioSchema;

/** One schema violation: where (field path, pointing at the value or at the key) and what was expected. */
export interface SchemaViolation {
  path: Array<string | number>;
  target: PositionTarget;
  message: string;
}

const DEFINITION_EXPECTED: Record<string, string> = {
  duration: DURATION_EXPECTED,
  rate: RATE_EXPECTED,
  byteSize: BYTE_SIZE_EXPECTED,
};

const PATTERN_EXPECTED: Record<string, string> = {
  '^[A-Za-z0-9][A-Za-z0-9._-]*$': 'a name made of letters, digits, ".", "_" or "-"',
  '^[A-Za-z][A-Za-z0-9_-]*$': 'a name starting with a letter, then letters, digits, "_" or "-"',
  '\\{i\\}': 'a pattern containing "{i}" (the client index), e.g. "user-{i}"',
  '(<=|>=|==|!=|<|>)': 'a threshold "<metric> <op> <value>", e.g. "deliver.p99 < 250ms"',
};

const ANY_OF_EXPECTED: Record<string, string> = {
  popularity: '"uniform" or {zipf: <exponent above 0>}',
  size: 'a size like "64KiB", or a distribution {fixed: ...}, {uniform: {min, max}} or {normal: {mean, stddev}}',
};

let validator: ValidateFunction | undefined;

function compiledValidator(): ValidateFunction {
  if (!validator) {
    const Ajv = AjvModule.default;
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    validator = ajv.compile(scenarioSchema);
  }
  return validator;
}

/** Validates raw scenario data (from YAML) against the schema; returns every violation (empty = valid). */
export function validateScenarioSchema(data: unknown): SchemaViolation[] {
  const validate = compiledValidator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // anyOf failures report every branch's errors; keep only the anyOf summary for that spot.
  const anyOfPaths = errors
    .filter((e) => e.keyword === 'anyOf')
    .map((e) => ({
      instancePath: e.instancePath,
      schemaPrefix: e.schemaPath.replace(/\/anyOf$/, '/anyOf/'),
    }));
  const violations: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (
      anyOfPaths.some(
        (a) => error.instancePath.startsWith(a.instancePath) && error.schemaPath.startsWith(a.schemaPrefix),
      )
    ) {
      continue;
    }
    const violation = toViolation(error);
    const key = `${JSON.stringify(violation.path)}|${violation.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  return violations;
}

function parsePointer(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

function toViolation(error: ErrorObject): SchemaViolation {
  const path = parsePointer(error.instancePath);
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; description?: string };
  const got = describeValue(error.data);
  const definition = /#\/definitions\/(duration|rate|byteSize)\//.exec(error.schemaPath)?.[1];
  if (definition && error.keyword !== 'additionalProperties' && error.keyword !== 'required') {
    return { path, target: 'value', message: `expected ${DEFINITION_EXPECTED[definition]}, got ${got}` };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const hint = closestName(field, allowed);
      return {
        path: [...path, field],
        target: 'key',
        message: `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const field = String((error.params as { missingProperty: string }).missingProperty);
      // Point at the map that lacks the field; name the field in the path.
      return { path: [...path, field], target: 'value', message: `missing required field "${field}"` };
    }
    case 'type': {
      const type = (error.params as { type: string | string[] }).type;
      const types = (Array.isArray(type) ? type : String(type).split(',')).join(' or ');
      return { path, target: 'value', message: `expected ${articled(types)}, got ${got}` };
    }
    case 'pattern': {
      const pattern = (error.params as { pattern: string }).pattern;
      const expected = PATTERN_EXPECTED[pattern] ?? `a string matching /${pattern}/`;
      return { path, target: 'value', message: `expected ${expected}, got ${got}` };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path,
        target: 'value',
        message: `expected one of: ${allowed.map(String).join(', ')}; got ${got}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = error.params as { comparison: string; limit: number };
      return { path, target: 'value', message: `expected a number ${comparison} ${limit}, got ${got}` };
    }
    case 'minItems':
      return {
        path,
        target: 'value',
        message: `expected at least ${(error.params as { limit: number }).limit} item(s)`,
      };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent.properties ?? {});
      const exactlyOne = (error.parentSchema as { maxProperties?: number } | undefined)?.maxProperties === 1;
      return {
        path,
        target: 'value',
        message: `expected ${exactlyOne ? 'exactly one' : 'at least one'} of: ${keys.join(', ')}; got ${got}`,
      };
    }
    case 'anyOf': {
      const field = String(path.at(-1) ?? '');
      const expected = ANY_OF_EXPECTED[field] ?? parent.description ?? 'a valid value';
      return { path, target: 'value', message: `expected ${expected}, got ${got}` };
    }
    default:
      return { path, target: 'value', message: `${error.message ?? 'invalid value'}; got ${got}` };
  }
}

function articled(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `a map with ${keys.map((k) => `"${k}"`).join(', ')}` : 'an empty map';
  }
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}
