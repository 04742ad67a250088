/**
 * The internal error raised while checking a value against a schema, before the codec
 * wraps it in a PayloadError naming the frame type.
 */
/** A value that does not match its schema type, with the path from the payload root. */
export class SchemaViolation extends Error {
  /** Path segments from the payload root: field names, or `[i]` for array elements. */
  readonly path: string[] = [];

  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`expected ${expected}, got ${got}`);
  }

  /** Dotted field path, e.g. `sender.user_id` or `recent_messages[2].content`; '' at the root. */
  fieldPath(): string {
    let out = '';
    for (const segment of this.path) {
      out += segment.charCodeAt(0) === 91 /* [ */ || out === '' ? segment : `.${segment}`;
    }
    return out;
  }

  /** `expected X, got Y`, or `missing required field (expected X)`. */
  describe(): string {
    return this.got === 'missing'
      ? `missing required field (expected ${this.expected})`
      : `expected ${this.expected}, got ${this.got}`;
  }
}

/** Adds a path segment to a SchemaViolation propagating out of a field or element. */
export function prefixPath(error: unknown, segment: string): unknown {
  if (error instanceof SchemaViolation) error.path.unshift(segment);
  return error;
}

/**
 * Short description of a value's JSON type for error messages (never echoes string content).
 * `marker` (0 for none) identifies marker strings standing for long integer literals.
 */
export function describeValue(value: unknown, marker = 0): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'bigint') return `number ${value}`;
  if (typeof value === 'string')
    return marker !== 0 && value.charCodeAt(0) === marker ? `number ${value.slice(1)}` : 'string';
  return typeof value;
}
