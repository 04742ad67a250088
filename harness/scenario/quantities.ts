/**
 * Literal quantities of the scenario language: durations ("30s", "500ms", "1m30s"), rates ("150/s",
 * "600/m", or a bare number meaning per second) and byte sizes ("64KiB", "1MB", or a bare number of bytes).
 * The JSON Schema uses the same regular expressions (a test keeps them in sync).
 */

/** Thrown when a quantity literal cannot be parsed; `expected` says what a valid literal looks like. */
export class QuantitySyntaxError extends Error {
  constructor(
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'QuantitySyntaxError';
  }
}

/** Regular expression (source) of a duration literal: one or more `<number><unit>` parts. */
export const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:us|µs|ms|s|m|h))+$';
/** Regular expression (source) of a rate literal: `<number>/<unit>`. */
export const RATE_PATTERN = '^[0-9]+(?:\\.[0-9]+)?\\s*/\\s*(?:s|sec|m|min|h)$';
/** Regular expression (source) of a byte-size literal: `<number>[unit]`. */
export const BYTE_SIZE_PATTERN = '^[0-9]+(?:\\.[0-9]+)?\\s*(?:B|kB|KB|KiB|MB|MiB|GB|GiB)?$';

/** What a duration literal looks like, for error messages. */
export const DURATION_EXPECTED = 'a duration like "30s", "500ms", "2m" or "1m30s"';
/** What a rate looks like, for error messages. */
export const RATE_EXPECTED = 'a rate like 150 (per second), "150/s" or "600/m"';
/** What a byte size looks like, for error messages. */
export const BYTE_SIZE_EXPECTED = 'a size like 1024, "64KiB" or "1MB"';

const DURATION_UNIT_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const RATE_UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };
const BYTE_UNIT: Record<string, number> = {
  '': 1,
  B: 1,
  kB: 1e3,
  KB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
};

const durationRe = new RegExp(DURATION_PATTERN);
const durationPartRe = /([0-9]+(?:\.[0-9]+)?)(us|µs|ms|s|m|h)/g;
const rateRe = new RegExp(RATE_PATTERN);
const byteSizeRe = new RegExp(BYTE_SIZE_PATTERN);

/** Parses a duration literal into milliseconds (fractional for sub-millisecond parts). */
export function parseDuration(text: unknown): number {
  if (typeof text !== 'string' || !durationRe.test(text))
    throw new QuantitySyntaxError(DURATION_EXPECTED, text);
  let ms = 0;
  for (const match of text.matchAll(durationPartRe)) {
    ms += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
  }
  return ms;
}

/** Parses a rate (bare number = per second, or "N/s", "N/m", "N/h") into events per second. */
export function parseRate(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new QuantitySyntaxError(RATE_EXPECTED, value);
  }
  if (typeof value !== 'string' || !rateRe.test(value)) throw new QuantitySyntaxError(RATE_EXPECTED, value);
  const [amount, unit] = value.split('/').map((s) => s.trim()) as [string, string];
  return Number(amount) / (RATE_UNIT_SECONDS[unit] as number);
}

/** Parses a byte size (bare number = bytes, or with a unit: kB/KB = 1000, KiB = 1024, ...) into whole bytes. */
export function parseByteSize(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new QuantitySyntaxError(BYTE_SIZE_EXPECTED, value);
  }
  if (typeof value !== 'string' || !byteSizeRe.test(value))
    throw new QuantitySyntaxError(BYTE_SIZE_EXPECTED, value);
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$/.exec(value) as RegExpExecArray;
  return Math.round(Number(match[1]) * (BYTE_UNIT[match[2] as string] as number));
}

/** Formats milliseconds for humans: "250ms", "1.5s", "2m05s", "850µs". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1) return `${sign}${trimNumber(abs * 1000, 0)}µs`;
  if (abs < 1000) return `${sign}${trimNumber(abs, abs < 10 ? 2 : abs < 100 ? 1 : 0)}ms`;
  if (abs < 60_000) return `${sign}${trimNumber(abs / 1000, 2)}s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs - minutes * 60_000) / 1000);
  return `${sign}${minutes}m${String(seconds).padStart(2, '0')}s`;
}

function trimNumber(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}
